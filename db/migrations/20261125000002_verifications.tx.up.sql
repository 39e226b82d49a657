-- Every verification made through the API (and, later, lists): usage,
-- analytics and audit read this table.
CREATE TABLE verifications (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    api_key_id  uuid REFERENCES api_keys (id) ON DELETE SET NULL,
    email       text NOT NULL,
    normalized  text NOT NULL,
    status      text NOT NULL CHECK (status IN ('deliverable', 'undeliverable', 'risky', 'unknown')),
    reason      text NOT NULL,
    flags       jsonb NOT NULL DEFAULT '{}',
    score       smallint NOT NULL,
    cached      boolean NOT NULL DEFAULT false,
    test_mode   boolean NOT NULL DEFAULT false,
    duration_ms integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX verifications_tenant_idx ON verifications (tenant_id, created_at DESC);

-- The per-tenant result cache: the latest definite answer per address.
CREATE TABLE verification_cache (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    normalized text NOT NULL,
    result     jsonb NOT NULL,
    checked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, normalized)
);
