-- Processes waiting for a slot of an MX host (mxslots): a holder that sees
-- another process waiting gives a slot back when its connection next goes
-- idle, so processes sharing one source address take turns instead of the
-- first keeping every slot while it has work. Rows live two seconds unless
-- the wait goes on. Platform data: no tenant.
CREATE TABLE mx_waits (
    identity   text NOT NULL,
    mx         text NOT NULL,
    holder     uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (identity, mx, holder)
);
