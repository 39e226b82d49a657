-- API key lifecycle: scopes, the expiry policy a successor inherits,
-- rolling with a grace, successors made by automatic rotation that are
-- revealed once, and which expiry notice each key has had. api_keys
-- already has its tenant guard (row-level security) from the foundation.

ALTER TABLE api_keys
    -- What the key may call; the default is every scope but keys.
    ADD COLUMN scopes text[] NOT NULL DEFAULT '{verify,lists,rules,webhooks}'
        CHECK (scopes <@ '{verify,lists,rules,webhooks,keys}'::text[]),
    -- The key's lifetime in days when it was made (null: it never
    -- expires): a successor expires as many days after it is made.
    ADD COLUMN lifetime_days integer CHECK (lifetime_days BETWEEN 1 AND 3650),
    -- The key this one succeeds (made by rolling it) and, on the old key,
    -- when it was rolled: a key is rolled at most once.
    ADD COLUMN rolled_from uuid REFERENCES api_keys (id) ON DELETE SET NULL,
    ADD COLUMN rolled_at timestamptz,
    -- Expiry notices sent: 0 none, 1 the 7-day one, 2 the 1-day one,
    -- 3 "expired". A sweep raises it with a conditional UPDATE, so each
    -- notice is claimed by one worker only.
    ADD COLUMN expiry_notice smallint NOT NULL DEFAULT 0 CHECK (expiry_notice BETWEEN 0 AND 3);

-- A successor made by automatic rotation has no secret until someone
-- reveals it (the secret is then made and shown once, never stored or
-- mailed): its hash stays null and its prefix empty until then.
ALTER TABLE api_keys ALTER COLUMN key_hash DROP NOT NULL;

CREATE UNIQUE INDEX api_keys_rolled_from_idx ON api_keys (tenant_id, rolled_from) WHERE rolled_from IS NOT NULL;
-- The sweep's look-ups: keys that will expire, and live keys by age.
CREATE INDEX api_keys_expiry_idx ON api_keys (expires_at) WHERE revoked_at IS NULL AND expires_at IS NOT NULL AND expiry_notice < 3;
CREATE INDEX api_keys_rotation_idx ON api_keys (created_at) WHERE revoked_at IS NULL AND rolled_at IS NULL;
