-- What the audit log gains for its viewers:
-- by_support: a platform admin acted from the admin console. The tenant's
--   own log shows the row as "mailvet support"; the platform's log shows
--   it with the admin (one row serves both, inside the tenant's own
--   transaction, which the row-level guard would refuse a platform row).
-- request_id: the X-Request-Id of the request that acted ('' for jobs and
--   the CLI).
-- changes: before and after of what changed, {"field": {"before": …,
--   "after": …}}, for settings, roles, limits and plans.
ALTER TABLE audit_events
    ADD COLUMN by_support boolean NOT NULL DEFAULT false,
    ADD COLUMN request_id text NOT NULL DEFAULT '',
    ADD COLUMN changes jsonb;
CREATE INDEX audit_events_support_idx ON audit_events (created_at DESC, id DESC) WHERE by_support;
