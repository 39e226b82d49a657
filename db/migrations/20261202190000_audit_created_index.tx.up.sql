-- Every tenant's events by time: the platform admin's viewer (newest
-- first, keyed on created_at and id) and the retention purge (oldest
-- first, below a cutoff) read it; the other indexes lead with the tenant
-- or hold only platform or support rows.
CREATE INDEX audit_events_created_idx ON audit_events (created_at DESC, id DESC);
