DROP TABLE IF EXISTS usage_reports, invoices, stripe_pending_subscriptions, stripe_events;
ALTER TABLE subscriptions
    DROP COLUMN IF EXISTS stripe_metered_item_id,
    DROP COLUMN IF EXISTS sub_event_at,
    DROP COLUMN IF EXISTS sub_event_rank,
    DROP COLUMN IF EXISTS status_event_at;
