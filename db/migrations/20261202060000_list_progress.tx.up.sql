-- Progress that tells the truth: the rate a list is verified at now, over
-- a recent window of its batch writes (not since started_at, which counts
-- queue and retry waits), and a cheap way to find the rows deferred by a
-- mail server until their retry.
--
-- rate_mark_at / rate_mark_rows: where the open window started (the time
-- of a batch write and processed_rows then). recent_rate / recent_rate_at:
-- rows per second over the last full window and when it closed; null until
-- one full window was measured, so no estimate is made from a first batch.
ALTER TABLE lists
    ADD COLUMN rate_mark_at   timestamptz,
    ADD COLUMN rate_mark_rows integer NOT NULL DEFAULT 0,
    ADD COLUMN recent_rate    double precision CHECK (recent_rate >= 0),
    ADD COLUMN recent_rate_at timestamptz;

-- The rows waiting for a retry (state pending with a retry_at): counting a
-- list's deferred rows and finding the next retry reads only these, never
-- the list's other pending rows.
CREATE INDEX list_rows_retry_idx ON list_rows (tenant_id, list_id, retry_at)
    WHERE state = 'pending' AND retry_at IS NOT NULL;
