-- The result cache keeps to its tenants through the per-statement key of
-- list_rows_checked_per_statement instead of a foreign key. A list batch
-- stores up to 10,000 verdicts in one statement, and the key's check of
-- each (the tenant's row, locked FOR KEY SHARE) ran while the tenant's
-- other batches locked the same row, so every check went through a
-- multixact: four batches of 10,000 at once took 600–830 ms each with the
-- key and about 500 ms without (psql, four sessions on two cores).
ALTER TABLE verification_cache DROP CONSTRAINT verification_cache_tenant_id_fkey;
CREATE TRIGGER verification_cache_reference_check AFTER INSERT ON verification_cache REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION reference_check('tenants', 'p.id', 'tenant_id', 'verification_cache_tenant_id_fkey');
CREATE TRIGGER verification_cache_reference_fixed BEFORE UPDATE OF tenant_id ON verification_cache
    FOR EACH ROW WHEN (OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
    EXECUTE FUNCTION reference_fixed('tenants', 'verification_cache_tenant_id_fkey');
CREATE TRIGGER tenants_reference_cascade AFTER DELETE ON tenants REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION reference_cascade('verification_cache', 'c.tenant_id', 'p.id');
