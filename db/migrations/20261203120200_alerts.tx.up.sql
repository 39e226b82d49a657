-- Alert rules that platform admins define on the console, each with its
-- state (the periodic evaluation moves it ok → pending → firing → ok in
-- the transaction that queues its notices), and the notices sent.
CREATE TABLE alert_rules (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name              text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
    metric            text NOT NULL CHECK (metric IN ('error_rate', 'route_p95', 'queue_lag', 'dead_letters',
                                                      'failed_runs', 'request_log_drops', 'health_check')),
    -- The route of route_p95, the queue of queue_lag, the check of
    -- health_check; empty: every route, every queue, any check.
    target            text NOT NULL DEFAULT '' CHECK (length(target) <= 200),
    threshold         double precision NOT NULL,
    -- How long the condition must hold before the rule fires.
    for_seconds       integer NOT NULL DEFAULT 0 CHECK (for_seconds BETWEEN 0 AND 86400),
    enabled           boolean NOT NULL DEFAULT true,
    state             text NOT NULL DEFAULT 'ok' CHECK (state IN ('ok', 'pending', 'firing')),
    pending_since     timestamptz,
    fired_at          timestamptz,
    last_value        double precision,
    last_evaluated_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);

-- A notice per transition to firing and back: what the mails and the
-- operator webhook said.
CREATE TABLE alert_notices (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    rule_id    uuid NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('firing', 'resolved')),
    value      double precision NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_notices_rule_idx ON alert_notices (rule_id, created_at DESC);

-- Each process's request-log losses (buffer full, write refused), one row
-- per write that had some: a per-process count, kept where every process
-- and the alert evaluation can sum it. The evaluation deletes rows older
-- than a day.
CREATE TABLE request_log_drops (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    dropped    bigint NOT NULL CHECK (dropped >= 0)
);
CREATE INDEX request_log_drops_created_idx ON request_log_drops (created_at);

-- The dead letters of the last hour, across tenants, for the alert.
CREATE INDEX webhook_deliveries_finished_dead_idx ON webhook_deliveries (finished_at) WHERE state = 'dead';

-- Sensible defaults; platform admins change them on the console.
INSERT INTO alert_rules (name, metric, target, threshold, for_seconds) VALUES
    ('API 5xx error rate above 5 %', 'error_rate', '', 5, 300),
    ('p95 of POST /v1/verify above 1 s', 'route_p95', 'POST /v1/verify', 1000, 600),
    ('Queue lag above 60 s', 'queue_lag', '', 60, 300),
    ('More than 10 dead letters in the last hour', 'dead_letters', '', 10, 0),
    ('A scheduled run failed in the last hour', 'failed_runs', '', 0, 0),
    ('API request log entries dropped in the last hour', 'request_log_drops', '', 0, 0),
    ('Database health check failing', 'health_check', 'database', 0, 60);
