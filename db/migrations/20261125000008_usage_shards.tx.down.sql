-- Fold every shard into shard 0, then drop the column.
WITH folded AS (
    DELETE FROM usage_daily WHERE shard <> 0
    RETURNING tenant_id, day, source, api_key_id, deliverable, undeliverable, risky, unknown, cache_hits, billable)
INSERT INTO usage_daily (tenant_id, day, source, api_key_id, shard, deliverable, undeliverable, risky, unknown, cache_hits, billable)
SELECT tenant_id, day, source, api_key_id, 0, sum(deliverable), sum(undeliverable), sum(risky), sum(unknown), sum(cache_hits), sum(billable)
FROM folded GROUP BY tenant_id, day, source, api_key_id
ON CONFLICT (tenant_id, day, source, api_key_id, shard) DO UPDATE SET
    deliverable = usage_daily.deliverable + EXCLUDED.deliverable,
    undeliverable = usage_daily.undeliverable + EXCLUDED.undeliverable,
    risky = usage_daily.risky + EXCLUDED.risky,
    unknown = usage_daily.unknown + EXCLUDED.unknown,
    cache_hits = usage_daily.cache_hits + EXCLUDED.cache_hits,
    billable = usage_daily.billable + EXCLUDED.billable;
ALTER TABLE usage_daily DROP CONSTRAINT usage_daily_pkey;
ALTER TABLE usage_daily DROP COLUMN shard;
ALTER TABLE usage_daily ADD PRIMARY KEY (tenant_id, day, source, api_key_id);
