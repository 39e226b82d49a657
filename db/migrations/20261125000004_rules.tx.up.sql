-- Per-tenant verification rules: allow and block list entries checked
-- before the cache and the engine. Patterns are stored normalized
-- (addresses, domains and wildcards lower-cased); see package rules.
CREATE TABLE rules (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('address', 'domain', 'wildcard', 'regex')),
    pattern    text NOT NULL CHECK (length(pattern) BETWEEN 1 AND 300),
    action     text NOT NULL CHECK (action IN ('allow', 'block')),
    note       text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- Every read is "this tenant's rules in order of creation".
CREATE INDEX rules_tenant_idx ON rules (tenant_id, created_at, id);
-- One rule per pattern, whatever its action. Regexes are compared as
-- typed: lower-casing would make \d and \D the same pattern.
CREATE UNIQUE INDEX rules_pattern_key ON rules (tenant_id, kind, (CASE WHEN kind = 'regex' THEN pattern ELSE lower(pattern) END));
