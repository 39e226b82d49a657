DROP FUNCTION request_logs_drop_partitions(date);
DROP FUNCTION request_logs_make_partitions(date, integer);
DROP TABLE request_logs;
