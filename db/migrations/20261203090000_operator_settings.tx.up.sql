-- Settings only a platform admin sets for a tenant (tenants.OperatorSettings):
-- its connections per MX, the bounds of its result-cache lifetime and the
-- private CIDRs its webhooks may reach. Kept apart from settings, which the
-- tenant's own admins write.
ALTER TABLE tenants ADD COLUMN operator_settings jsonb NOT NULL DEFAULT '{}';
