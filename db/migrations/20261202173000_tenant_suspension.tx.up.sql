-- Why and when a platform admin suspended a tenant, for its owners' mail,
-- the console and the suspended page.
ALTER TABLE tenants
    ADD COLUMN suspended_reason text NOT NULL DEFAULT '' CHECK (length(suspended_reason) <= 500),
    ADD COLUMN suspended_at timestamptz;
