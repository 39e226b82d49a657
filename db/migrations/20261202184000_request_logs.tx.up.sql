-- The log of every API request, one row a request, partitioned by day
-- (UTC) so that a month at 100 requests/s stays cheap to keep and a day
-- past the retention goes with one DROP TABLE rather than a DELETE of
-- millions of rows. Nothing of the body or the Authorization header is
-- kept: the key is named by its id and public prefix.
CREATE TABLE request_logs (
    id           uuid NOT NULL,
    tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,   -- when the request came in
    -- No reference to api_keys: a deleted key's requests stay in the log,
    -- under the prefix it had. Null: a request with no key (a signed push).
    api_key_id   uuid,
    key_prefix   text NOT NULL DEFAULT '',
    method       text NOT NULL,
    route        text NOT NULL,          -- the matched pattern, e.g. GET /v1/lists/{id}
    path         text NOT NULL,
    status       smallint NOT NULL,
    problem_code text NOT NULL DEFAULT '',
    duration_us  bigint NOT NULL,
    request_id   text NOT NULL,
    client_ip    text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT '',
    bytes_in     bigint NOT NULL DEFAULT 0,
    bytes_out    bigint NOT NULL DEFAULT 0,
    -- The partition key must be in the key; the order serves the newest
    -- first pages of one tenant.
    PRIMARY KEY (tenant_id, created_at, id)
) PARTITION BY RANGE (created_at);
CREATE INDEX request_logs_request_idx ON request_logs (tenant_id, request_id);
CREATE INDEX request_logs_key_idx ON request_logs (tenant_id, api_key_id, created_at);
-- The one index not led by tenant_id: the platform admin console's
-- newest-first page over every tenant, which would otherwise sort a
-- month of rows to show fifty.
CREATE INDEX request_logs_time_idx ON request_logs (created_at, id);

ALTER TABLE request_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE request_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_guard ON request_logs USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id));

-- The service's role owns no table (so it cannot turn the guard off),
-- and only an owner may add or drop partitions: these two functions run
-- as their owner, the migrating login, and do that one thing.
--
-- request_logs_make_partitions makes the day partitions from from_day for
-- days days that do not exist yet, each guarded like its parent (a
-- partition read directly would otherwise skip the parent's policy), and
-- returns how many it made. Concurrent callers queue on a lock.
CREATE FUNCTION request_logs_make_partitions(from_day date, days integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    d date;
    part text;
    made integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('request_logs_partitions'));
    FOR i IN 0 .. days - 1 LOOP
        d := from_day + i;
        part := 'request_logs_p' || to_char(d, 'YYYYMMDD');
        IF to_regclass(part) IS NULL THEN
            EXECUTE format('CREATE TABLE %I PARTITION OF request_logs FOR VALUES FROM (%L) TO (%L)',
                part, (d::timestamp AT TIME ZONE 'UTC'), ((d + 1)::timestamp AT TIME ZONE 'UTC'));
            EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', part);
            EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', part);
            EXECUTE format('CREATE POLICY tenant_guard ON %I USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id))', part);
            made := made + 1;
        END IF;
    END LOOP;
    RETURN made;
END $$;

-- request_logs_drop_partitions drops the day partitions before
-- before_day and returns their names. It drops every tenant's rows, so
-- only the system path (db.System) may call it.
CREATE FUNCTION request_logs_drop_partitions(before_day date) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    part text;
BEGIN
    IF coalesce(current_setting('app.system', true), '') <> 'on' THEN
        RAISE EXCEPTION 'request_logs_drop_partitions runs on the system path only' USING ERRCODE = '42501';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('request_logs_partitions'));
    FOR part IN
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'request_logs'::regclass AND c.relname ~ '^request_logs_p[0-9]{8}$'
          AND to_date(substr(c.relname, 15), 'YYYYMMDD') < before_day
        ORDER BY c.relname
    LOOP
        EXECUTE format('DROP TABLE %I', part);
        RETURN NEXT part;
    END LOOP;
END $$;

-- Yesterday to a week ahead; the periodic job keeps it so.
SELECT request_logs_make_partitions(((now() AT TIME ZONE 'UTC')::date - 1), 9);
