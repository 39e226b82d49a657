-- Stripe: processed webhook events, invoices, subscription state that
-- arrived before its tenant was known, and metered usage already reported.

-- Every processed webhook event, written in the same transaction as its
-- effects: a replayed event finds its id here and changes nothing.
CREATE TABLE stripe_events (
    id          text PRIMARY KEY,
    type        text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);

-- What the webhooks last applied to a subscription row, so events that
-- arrive out of order never overwrite newer state with older.
ALTER TABLE subscriptions
    ADD COLUMN stripe_metered_item_id text,
    ADD COLUMN sub_event_at           timestamptz, -- created time of the newest subscription snapshot applied
    ADD COLUMN sub_event_rank         integer NOT NULL DEFAULT 0,
    ADD COLUMN status_event_at        timestamptz; -- created time of the event that last set status

-- A subscription snapshot for a customer no tenant is linked to yet; applied
-- when checkout.session.completed links the customer.
CREATE TABLE stripe_pending_subscriptions (
    stripe_customer_id text PRIMARY KEY,
    subscription       jsonb NOT NULL,
    deleted            boolean NOT NULL DEFAULT false,
    event_at           timestamptz NOT NULL,
    event_rank         integer NOT NULL DEFAULT 0,
    received_at        timestamptz NOT NULL DEFAULT now()
);

-- Invoices, filled from invoice webhooks. tenant_id is NULL while the
-- customer is not linked yet.
CREATE TABLE invoices (
    stripe_invoice_id      text PRIMARY KEY,
    tenant_id              uuid REFERENCES tenants (id) ON DELETE CASCADE,
    stripe_customer_id     text NOT NULL,
    stripe_subscription_id text,
    number                 text NOT NULL DEFAULT '',
    status                 text NOT NULL,
    amount_due             bigint NOT NULL DEFAULT 0,
    amount_paid            bigint NOT NULL DEFAULT 0,
    currency               text NOT NULL DEFAULT '',
    hosted_invoice_url     text NOT NULL DEFAULT '',
    invoice_pdf            text NOT NULL DEFAULT '',
    period_start           timestamptz,
    period_end             timestamptz,
    created                timestamptz NOT NULL,
    event_at               timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invoices_tenant_idx ON invoices (tenant_id, created DESC);
CREATE INDEX invoices_unlinked_idx ON invoices (stripe_customer_id) WHERE tenant_id IS NULL;

-- Metered overage last reported to Stripe per tenant and calendar month.
CREATE TABLE usage_reports (
    tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    period               date NOT NULL,
    subscription_item_id text NOT NULL,
    quantity             integer NOT NULL,
    revision             integer NOT NULL DEFAULT 1,
    reported_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, period)
);
