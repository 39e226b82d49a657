-- CRM webhooks: endpoints, the events they are told about, one delivery
-- per event and endpoint, every attempt of a delivery, and the signed
-- pushes in (deduplicated on their webhook-id).

CREATE TABLE webhook_endpoints (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url            text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    description    text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    -- The event types it wants; empty: every type.
    event_types    text[] NOT NULL DEFAULT '{}',
    enabled        boolean NOT NULL DEFAULT true,
    disabled_reason text,
    -- Signing secrets, sealed (secretbox, key id beside the ciphertext):
    -- the current one and, during a rotation's overlap, the one before.
    secret          bytea NOT NULL,
    previous_secret bytea,
    previous_secret_until timestamptz,
    -- The secret a CRM signs its pushes in with.
    inbound_secret  bytea NOT NULL,
    -- Since when every attempt has failed (null after a success): an
    -- endpoint failing for 5 days is disabled.
    failing_since  timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_tenant_idx ON webhook_endpoints (tenant_id, created_at);

-- An event keeps the exact bytes every attempt sends (payload), so that
-- a retry, a redelivery and the first attempt are signed over the same body.
CREATE TABLE events (
    id         text PRIMARY KEY CHECK (id LIKE 'evt\_%'),
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    type       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    payload    text NOT NULL
);
CREATE INDEX events_tenant_idx ON events (tenant_id, created_at DESC, id DESC);
CREATE INDEX events_tenant_type_idx ON events (tenant_id, type, created_at DESC, id DESC);

CREATE TABLE webhook_deliveries (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id    text NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    -- pending: River holds a job for it; delivered; dead: every attempt
    -- of its schedule failed (a dead letter, until retried by hand).
    state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (tenant_id, endpoint_id, created_at DESC);
CREATE INDEX webhook_deliveries_dead_idx ON webhook_deliveries (tenant_id, endpoint_id, created_at) WHERE state = 'dead';
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (event_id);

CREATE TABLE webhook_attempts (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id        uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    delivery_id      uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    endpoint_id      uuid NOT NULL,
    event_id         text NOT NULL,
    attempted_at     timestamptz NOT NULL DEFAULT now(),
    status           integer,          -- HTTP status; null: no response
    latency_ms       integer NOT NULL,
    response_headers jsonb,
    response_body    text,             -- its first 4 KB
    error            text
);
CREATE INDEX webhook_attempts_endpoint_idx ON webhook_attempts (tenant_id, endpoint_id, id DESC);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);

-- Pushes in, by their webhook-id: a repeat within 24 h gets the first
-- answer again and does nothing.
CREATE TABLE inbound_requests (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    webhook_id  text NOT NULL CHECK (length(webhook_id) <= 256),
    status      integer NOT NULL,
    response    text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (endpoint_id, webhook_id)
);
CREATE INDEX inbound_requests_tenant_idx ON inbound_requests (tenant_id, created_at);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['webhook_endpoints', 'events', 'webhook_deliveries', 'webhook_attempts', 'inbound_requests'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_guard ON %I USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id))', t);
    END LOOP;
END $$;
