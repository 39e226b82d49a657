-- Bulk lists: an uploaded file, its rows (with the original fields, so the
-- export can give them back) and each row's verdict.
CREATE TABLE lists (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'cancelled', 'failed')),
    dedupe          text NOT NULL,
    email_column    integer NOT NULL DEFAULT 0,
    header          text[],
    total_rows      integer NOT NULL DEFAULT 0,
    unique_rows     integer NOT NULL DEFAULT 0,
    duplicate_rows  integer NOT NULL DEFAULT 0,
    skipped_rows    integer NOT NULL DEFAULT 0,
    processed_rows  integer NOT NULL DEFAULT 0,
    deliverable     integer NOT NULL DEFAULT 0,
    undeliverable   integer NOT NULL DEFAULT 0,
    risky           integer NOT NULL DEFAULT 0,
    unknown         integer NOT NULL DEFAULT 0,
    batches         integer NOT NULL DEFAULT 0,
    created_by      uuid REFERENCES users (id) ON DELETE SET NULL,
    api_key_id      uuid REFERENCES api_keys (id) ON DELETE SET NULL,
    idempotency_key text,
    request_hash    bytea,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    completed_at    timestamptz
);
CREATE INDEX lists_tenant_idx ON lists (tenant_id, created_at DESC, id DESC);
CREATE UNIQUE INDEX lists_idempotency_key ON lists (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE list_rows (
    tenant_id    uuid NOT NULL,
    list_id      uuid NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    row_no       integer NOT NULL,
    line         integer NOT NULL,
    fields       text[] NOT NULL,
    email        text NOT NULL,
    state        text NOT NULL CHECK (state IN ('pending', 'done', 'duplicate', 'skipped')),
    skip_reason  text,
    duplicate_of integer,
    status       text,
    reason       text,
    score        smallint,
    disposable   boolean,
    role         boolean,
    free         boolean,
    catch_all    boolean,
    suggestion   text,
    mx           text,
    smtp_reply   text,
    attempts     smallint NOT NULL DEFAULT 0,
    retry_at     timestamptz,
    checked_at   timestamptz,
    PRIMARY KEY (tenant_id, list_id, row_no)
);
CREATE INDEX list_rows_list_idx ON list_rows (list_id);
CREATE INDEX list_rows_pending_idx ON list_rows (tenant_id, list_id, row_no) WHERE state = 'pending';
