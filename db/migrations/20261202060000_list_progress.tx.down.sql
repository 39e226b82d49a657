DROP INDEX list_rows_retry_idx;
ALTER TABLE lists
    DROP COLUMN rate_mark_at,
    DROP COLUMN rate_mark_rows,
    DROP COLUMN recent_rate,
    DROP COLUMN recent_rate_at;
