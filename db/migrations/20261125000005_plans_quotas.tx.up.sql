-- Plans, each tenant's subscription, and exact quota counters.
CREATE TABLE plans (
    id               text PRIMARY KEY,
    name             text NOT NULL,
    price_cents      integer NOT NULL CHECK (price_cents >= 0),
    overage_cents_per_1000 integer NOT NULL DEFAULT 0,
    daily_limit      integer NOT NULL CHECK (daily_limit > 0),
    monthly_included integer NOT NULL CHECK (monthly_included > 0),
    -- The hard monthly ceiling: equal to monthly_included on plans without
    -- overage; above it on paid plans, whose extra use is billed.
    monthly_limit    integer NOT NULL CHECK (monthly_limit >= monthly_included),
    rate_per_minute  integer NOT NULL CHECK (rate_per_minute > 0),
    max_list_rows    integer NOT NULL CHECK (max_list_rows > 0),
    sort             integer NOT NULL DEFAULT 0
);
INSERT INTO plans (id, name, price_cents, overage_cents_per_1000, daily_limit, monthly_included, monthly_limit, rate_per_minute, max_list_rows, sort) VALUES
    ('free',    'Free',    0,     0,   200,    1000,    1000,    60,   5000,    0),
    ('basic',   'Basic',   4900,  300, 10000,  50000,   250000,  300,  100000,  1),
    ('premium', 'Premium', 19900, 200, 100000, 500000,  2500000, 1200, 1000000, 2);

-- One row per tenant once it has anything but the free plan.
CREATE TABLE subscriptions (
    tenant_id              uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    plan_id                text NOT NULL REFERENCES plans (id),
    status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'trialing', 'past_due', 'canceled')),
    stripe_customer_id     text UNIQUE,
    stripe_subscription_id text UNIQUE,
    current_period_start   timestamptz,
    current_period_end     timestamptz,
    past_due_since         timestamptz,
    updated_at             timestamptz NOT NULL DEFAULT now()
);

-- Exact quota counters: checked and incremented in one statement.
CREATE TABLE quota_usage (
    tenant_id      uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    day            date NOT NULL,
    day_used       integer NOT NULL DEFAULT 0,
    month          date NOT NULL,
    month_used     integer NOT NULL DEFAULT 0,
    notified_month date,      -- month of the last threshold mail
    notified_pct   integer NOT NULL DEFAULT 0  -- highest threshold mailed that month
);

ALTER TABLE api_keys
    ADD COLUMN rate_per_minute integer CHECK (rate_per_minute > 0),
    ADD COLUMN daily_limit     integer CHECK (daily_limit > 0),
    ADD COLUMN monthly_limit   integer CHECK (monthly_limit > 0);

CREATE TABLE key_usage (
    api_key_id uuid PRIMARY KEY REFERENCES api_keys (id) ON DELETE CASCADE,
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day        date NOT NULL,
    day_used   integer NOT NULL DEFAULT 0,
    month      date NOT NULL,
    month_used integer NOT NULL DEFAULT 0
);
CREATE INDEX key_usage_tenant_idx ON key_usage (tenant_id);

-- Lists uploaded with a test key are answered in test mode.
ALTER TABLE lists ADD COLUMN test_mode boolean NOT NULL DEFAULT false;
