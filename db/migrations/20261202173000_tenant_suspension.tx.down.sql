ALTER TABLE tenants DROP COLUMN suspended_at, DROP COLUMN suspended_reason;
