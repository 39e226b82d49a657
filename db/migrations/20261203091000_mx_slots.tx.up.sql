-- Connection slots of MX hosts, shared by the processes that probe from one
-- source address (mxslots): a process holds one row per connection it has
-- open to a host, so the per-MX cap holds for all of them together. A row
-- past expires_at belongs to a process that stopped renewing (it crashed)
-- and is free to take. Platform data: no tenant.
CREATE TABLE mx_slots (
    identity   text NOT NULL,
    mx         text NOT NULL,
    slot       smallint NOT NULL,
    holder     uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (identity, mx, slot)
);
CREATE INDEX mx_slots_holder_idx ON mx_slots (holder);
