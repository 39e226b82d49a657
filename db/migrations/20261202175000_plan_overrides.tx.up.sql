-- A platform admin's override of one tenant's plan: another plan (a trial
-- of it, when it ends), and/or its own limits, with a note, until an
-- optional end. Read where the plan in force is decided (billing.planFor).
CREATE TABLE plan_overrides (
    tenant_id        uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    plan_id          text REFERENCES plans (id),
    daily_limit      integer CHECK (daily_limit > 0),
    monthly_included integer CHECK (monthly_included > 0),
    monthly_limit    integer CHECK (monthly_limit > 0),
    rate_per_minute  integer CHECK (rate_per_minute > 0),
    max_list_rows    integer CHECK (max_list_rows > 0),
    note             text NOT NULL CHECK (length(note) BETWEEN 1 AND 500),
    ends_at          timestamptz,
    created_by       uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE plan_overrides ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_overrides FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_guard ON plan_overrides USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id));
