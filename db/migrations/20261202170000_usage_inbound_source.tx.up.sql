-- Addresses a CRM pushes in (POST /v1/inbound/{endpoint_id}) count under
-- their own usage source, not the dashboard's.
ALTER TABLE usage_daily DROP CONSTRAINT usage_daily_source_check;
ALTER TABLE usage_daily ADD CONSTRAINT usage_daily_source_check CHECK (source IN ('api', 'list', 'dashboard', 'inbound'));
