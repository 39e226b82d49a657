-- Pushed-in use folds back into the dashboard's rows it was counted with
-- before.
WITH pushed AS (
    DELETE FROM usage_daily WHERE source = 'inbound'
    RETURNING tenant_id, day, api_key_id, shard, deliverable, undeliverable, risky, unknown, cache_hits, billable)
INSERT INTO usage_daily (tenant_id, day, source, api_key_id, shard, deliverable, undeliverable, risky, unknown, cache_hits, billable)
SELECT tenant_id, day, 'dashboard', api_key_id, shard, sum(deliverable), sum(undeliverable), sum(risky), sum(unknown), sum(cache_hits), sum(billable)
FROM pushed GROUP BY tenant_id, day, api_key_id, shard
ON CONFLICT (tenant_id, day, source, api_key_id, shard) DO UPDATE SET
    deliverable = usage_daily.deliverable + EXCLUDED.deliverable,
    undeliverable = usage_daily.undeliverable + EXCLUDED.undeliverable,
    risky = usage_daily.risky + EXCLUDED.risky,
    unknown = usage_daily.unknown + EXCLUDED.unknown,
    cache_hits = usage_daily.cache_hits + EXCLUDED.cache_hits,
    billable = usage_daily.billable + EXCLUDED.billable;
ALTER TABLE usage_daily DROP CONSTRAINT usage_daily_source_check;
ALTER TABLE usage_daily ADD CONSTRAINT usage_daily_source_check CHECK (source IN ('api', 'list', 'dashboard'));
