-- The statements slower than MAILVET_SLOW_QUERY, newest first, for the
-- performance page. A platform table (no tenant): it keeps the statement's
-- template, never its values, so no tenant's data is in it. The writer
-- keeps it to the newest few hundred rows.
CREATE TABLE slow_queries (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at  timestamptz NOT NULL DEFAULT now(),
    template    text NOT NULL,
    duration_us bigint NOT NULL,
    label       text NOT NULL DEFAULT '',  -- the route or job that ran it
    failed      boolean NOT NULL DEFAULT false
);
