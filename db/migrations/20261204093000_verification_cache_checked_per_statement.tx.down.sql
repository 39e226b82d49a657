DROP TRIGGER tenants_reference_cascade ON tenants;
DROP TRIGGER verification_cache_reference_fixed ON verification_cache;
DROP TRIGGER verification_cache_reference_check ON verification_cache;
ALTER TABLE verification_cache ADD CONSTRAINT verification_cache_tenant_id_fkey
    FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE;
