-- `mailvet import-json` (the old Flask service's JSON files): which source
-- records a tenant has imported, so that a second run imports nothing new.
-- run_id tells a duplicate id within one run from one an earlier run
-- imported.
CREATE TABLE import_records (
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    file        text NOT NULL,
    source_id   text NOT NULL CHECK (length(source_id) BETWEEN 1 AND 512),
    run_id      uuid NOT NULL,
    target_type text NOT NULL DEFAULT '',
    target_id   text NOT NULL DEFAULT '',
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, file, source_id)
);
ALTER TABLE import_records ENABLE ROW LEVEL SECURITY;
ALTER TABLE import_records FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_guard ON import_records USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id));

-- An API key imported from the old service (its plaintext was in the
-- file; only its hash is kept): the keys page asks for it to be rotated.
ALTER TABLE api_keys ADD COLUMN imported_at timestamptz;

-- An endpoint made from an old CRM config starts disabled and unconfirmed:
-- enabling it is the admin's confirmation of its URL.
ALTER TABLE webhook_endpoints ADD COLUMN imported_unconfirmed boolean NOT NULL DEFAULT false;
