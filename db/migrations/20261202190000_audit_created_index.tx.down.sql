DROP INDEX audit_events_created_idx;
