DROP INDEX audit_events_support_idx;
ALTER TABLE audit_events DROP COLUMN changes, DROP COLUMN request_id, DROP COLUMN by_support;
