DROP INDEX webhook_deliveries_finished_dead_idx;
DROP TABLE request_log_drops;
DROP TABLE alert_notices;
DROP TABLE alert_rules;
