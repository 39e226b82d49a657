-- Scheduled re-validation: a list's schedule, each run of it, and per run
-- only the addresses whose status changed since the previous run (the
-- list's rows keep the latest verdict, so a year of monthly runs of a
-- million rows stores the rows once plus what decayed).

-- How often a plan lets a list be re-verified: free weekly, basic daily,
-- premium hourly.
ALTER TABLE plans ADD COLUMN min_schedule_interval_seconds integer NOT NULL DEFAULT 86400
    CHECK (min_schedule_interval_seconds >= 60);
UPDATE plans SET min_schedule_interval_seconds = CASE id WHEN 'free' THEN 604800 WHEN 'premium' THEN 3600 ELSE 86400 END;

-- The workspace's time zone: the default of its schedules.
ALTER TABLE tenants ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) BETWEEN 1 AND 64);

CREATE TABLE list_schedules (
    id          uuid PRIMARY KEY,
    tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    list_id     uuid NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    every       text NOT NULL CHECK (every IN ('daily', 'weekly', 'monthly', 'cron')),
    -- The expression in force: the preset's or the tenant's own.
    cron        text NOT NULL CHECK (length(cron) BETWEEN 1 AND 200),
    time_zone   text NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
    paused      boolean NOT NULL DEFAULT false,
    -- The next period to run; null while paused.
    next_run_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (tenant_id, list_id)
);
-- The tick looks for due schedules across tenants (db.System): this is
-- the one index that does not lead with tenant_id, on purpose.
CREATE INDEX list_schedules_due_idx ON list_schedules (next_run_at) WHERE NOT paused;

CREATE TABLE list_runs (
    id             uuid PRIMARY KEY,
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    list_id        uuid NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    schedule_id    uuid REFERENCES list_schedules (id) ON DELETE SET NULL,
    trigger        text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
    -- The schedule's period this run is for (null: run by hand). Unique
    -- per schedule: two workers or a restarted leader never run a period
    -- twice.
    period         timestamptz,
    status         text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    failure_code   text,
    failure_reason text,
    total          integer NOT NULL DEFAULT 0, -- unique addresses to check
    checked        integer NOT NULL DEFAULT 0,
    unconfirmed    integer NOT NULL DEFAULT 0, -- temporary answers: the previous verdict stands
    changed        integer NOT NULL DEFAULT 0,
    charged        integer NOT NULL DEFAULT 0,
    refunded       integer NOT NULL DEFAULT 0,
    deliverable    integer NOT NULL DEFAULT 0,
    undeliverable  integer NOT NULL DEFAULT 0,
    risky          integer NOT NULL DEFAULT 0,
    unknown        integer NOT NULL DEFAULT 0,
    -- [{"from":"deliverable","to":"undeliverable","count":3}, …]
    transitions    jsonb NOT NULL DEFAULT '[]',
    -- The last list row checked: a run resumes after it.
    checkpoint     integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    completed_at   timestamptz
);
CREATE UNIQUE INDEX list_runs_period_idx ON list_runs (tenant_id, schedule_id, period) WHERE period IS NOT NULL;
CREATE INDEX list_runs_list_idx ON list_runs (tenant_id, list_id, created_at DESC, id DESC);
-- At most one run of a list at a time.
CREATE UNIQUE INDEX list_runs_active_idx ON list_runs (tenant_id, list_id) WHERE status IN ('queued', 'running');

-- One row per address whose status a run changed: the old and new
-- verdicts (the address itself stays in list_rows).
CREATE TABLE list_run_changes (
    tenant_id  uuid NOT NULL,
    run_id     uuid NOT NULL REFERENCES list_runs (id) ON DELETE CASCADE,
    row_no     integer NOT NULL,
    old_status text NOT NULL,
    new_status text NOT NULL,
    new_reason text NOT NULL,
    PRIMARY KEY (tenant_id, run_id, row_no)
);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['list_schedules', 'list_runs', 'list_run_changes'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_guard ON %I USING (app_tenant_visible(tenant_id)) WITH CHECK (app_tenant_visible(tenant_id))', t);
    END LOOP;
END $$;
