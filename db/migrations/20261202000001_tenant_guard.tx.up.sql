-- The tenant guard inside PostgreSQL: every table with a tenant_id has
-- row-level security, enabled and forced (FORCE binds the table's owner
-- too), with one policy. A row is visible and writable when its tenant is
-- the transaction's app.tenant_id (set by db.Tx), or on a connection of
-- the named system path (app.system = 'on', db.System). With neither, a
-- statement sees nothing. Superusers and BYPASSRLS roles skip every
-- policy, so the service refuses to run as one (db.CheckGuard).
--
-- A table added later needs the same three statements; the catalog test
-- (db.TestEveryTenantTableIsGuarded) fails until it has them.
CREATE FUNCTION app_tenant_visible(row_tenant uuid) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(current_setting('app.system', true), '') = 'on'
        OR row_tenant = nullif(current_setting('app.tenant_id', true), '')::uuid
$$;

DO $$
DECLARE t regclass;
BEGIN
    FOR t IN
        SELECT c.oid::regclass FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
    LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_guard ON %s USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id))', t);
    END LOOP;
END $$;
