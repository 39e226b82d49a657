-- Every audit event says what kind of actor acted: a user, an API key, the
-- operator CLI or a background job.
ALTER TABLE audit_events ADD COLUMN actor_kind text NOT NULL DEFAULT 'user'
    CHECK (actor_kind IN ('user', 'api_key', 'operator', 'system'));
UPDATE audit_events SET actor_kind = CASE
    WHEN actor_key IS NOT NULL THEN 'api_key'
    WHEN actor_id IS NULL AND actor_email = 'cli' THEN 'operator'
    ELSE 'user' END;
ALTER TABLE audit_events ALTER COLUMN actor_kind DROP DEFAULT;
