DROP INDEX IF EXISTS api_keys_rotation_idx;
DROP INDEX IF EXISTS api_keys_expiry_idx;
DROP INDEX IF EXISTS api_keys_rolled_from_idx;
-- Successors never revealed have no secret: they cannot be kept.
DELETE FROM api_keys WHERE key_hash IS NULL;
ALTER TABLE api_keys ALTER COLUMN key_hash SET NOT NULL;
ALTER TABLE api_keys
    DROP COLUMN expiry_notice,
    DROP COLUMN rolled_at,
    DROP COLUMN rolled_from,
    DROP COLUMN lifetime_days,
    DROP COLUMN scopes;
