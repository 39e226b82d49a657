ALTER TABLE users DROP COLUMN locked_reason, DROP COLUMN locked_at;
