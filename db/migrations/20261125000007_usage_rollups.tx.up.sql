-- Usage rollups: verification counts per tenant, UTC day, API key and
-- source, added to at write time (INSERT … ON CONFLICT DO UPDATE SET
-- x = x + EXCLUDED.x) in the same statement or transaction as the work
-- they count. The usage page and GET /v1/usage read only this table.
CREATE TABLE usage_daily (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day           date NOT NULL,
    -- The all-zero uuid stands for "no key" (the dashboard, lists uploaded
    -- on the page), so that it can be part of the primary key. No foreign
    -- key: usage outlives the key it was made with.
    api_key_id    uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000',
    source        text NOT NULL CHECK (source IN ('api', 'list', 'dashboard')),
    deliverable   integer NOT NULL DEFAULT 0,
    undeliverable integer NOT NULL DEFAULT 0,
    risky         integer NOT NULL DEFAULT 0,
    unknown       integer NOT NULL DEFAULT 0,
    cache_hits    integer NOT NULL DEFAULT 0,
    -- Answers the engine gave: live, not from the cache, not by a rule,
    -- not test mode.
    billable      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, source, api_key_id)
);

-- History from before the rollups. Single verifications are exact; list
-- rows keep no cache flag, so their cache hits are unknown (0) and every
-- live, non-rule verdict counts as billable, as lists reserve quota per
-- unique row anyway.
INSERT INTO usage_daily (tenant_id, day, api_key_id, source, deliverable, undeliverable, risky, unknown, cache_hits, billable)
SELECT tenant_id, (created_at AT TIME ZONE 'UTC')::date,
       coalesce(api_key_id, '00000000-0000-0000-0000-000000000000'),
       CASE WHEN api_key_id IS NULL THEN 'dashboard' ELSE 'api' END,
       count(*) FILTER (WHERE status = 'deliverable'),
       count(*) FILTER (WHERE status = 'undeliverable'),
       count(*) FILTER (WHERE status = 'risky'),
       count(*) FILTER (WHERE status = 'unknown'),
       count(*) FILTER (WHERE cached),
       count(*) FILTER (WHERE NOT cached AND NOT test_mode AND reason NOT IN ('allowed_by_rule', 'blocked_by_rule'))
FROM verifications
GROUP BY 1, 2, 3, 4;

INSERT INTO usage_daily (tenant_id, day, api_key_id, source, deliverable, undeliverable, risky, unknown, cache_hits, billable)
SELECT r.tenant_id, (r.checked_at AT TIME ZONE 'UTC')::date,
       coalesce(l.api_key_id, '00000000-0000-0000-0000-000000000000'), 'list',
       count(*) FILTER (WHERE r.status = 'deliverable'),
       count(*) FILTER (WHERE r.status = 'undeliverable'),
       count(*) FILTER (WHERE r.status = 'risky'),
       count(*) FILTER (WHERE r.status = 'unknown'),
       0,
       count(*) FILTER (WHERE NOT l.test_mode AND r.reason NOT IN ('allowed_by_rule', 'blocked_by_rule'))
FROM list_rows r JOIN lists l ON l.tenant_id = r.tenant_id AND l.id = r.list_id
WHERE r.state = 'done' AND r.checked_at IS NOT NULL
GROUP BY 1, 2, 3;
