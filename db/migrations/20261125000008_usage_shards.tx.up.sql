-- Each busy (tenant, day, source, key) rollup spreads its writes over up to
-- 16 shard rows: with one row, every verification of a busy key queued on
-- that row's lock. Readers sum over shards as they already sum over days.
ALTER TABLE usage_daily ADD COLUMN shard smallint NOT NULL DEFAULT 0 CHECK (shard BETWEEN 0 AND 15);
ALTER TABLE usage_daily DROP CONSTRAINT usage_daily_pkey;
ALTER TABLE usage_daily ADD PRIMARY KEY (tenant_id, day, source, api_key_id, shard);
