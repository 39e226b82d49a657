ALTER TABLE lists DROP COLUMN IF EXISTS test_mode;
DROP TABLE IF EXISTS key_usage, quota_usage, subscriptions, plans;
ALTER TABLE api_keys DROP COLUMN IF EXISTS rate_per_minute, DROP COLUMN IF EXISTS daily_limit, DROP COLUMN IF EXISTS monthly_limit;
