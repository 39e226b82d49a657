DO $$
DECLARE t regclass;
BEGIN
    FOR t IN
        SELECT p.polrelid::regclass FROM pg_policy p WHERE p.polname = 'tenant_guard'
    LOOP
        EXECUTE format('DROP POLICY tenant_guard ON %s', t);
        EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', t);
    END LOOP;
END $$;
DROP FUNCTION app_tenant_visible(uuid);
