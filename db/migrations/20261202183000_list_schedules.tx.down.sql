DROP TABLE list_run_changes;
DROP TABLE list_runs;
DROP TABLE list_schedules;
ALTER TABLE tenants DROP COLUMN time_zone;
ALTER TABLE plans DROP COLUMN min_schedule_interval_seconds;
