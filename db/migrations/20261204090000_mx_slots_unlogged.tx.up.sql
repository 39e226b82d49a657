-- The slots and waits of MX hosts (mxslots) are leases that live seconds:
-- a list of 100,000 addresses takes and gives back some 5,000 of them, each
-- a statement of its own, and every one of those commits waited for the
-- WAL to reach the disk before the engine could open its connection.
-- Unlogged, they write no WAL and their commits do not wait. A crash of
-- the database empties them; a holder's next renewal then finds nothing
-- to renew, and its connections close within seconds of going idle, so
-- the cap may be exceeded only for as long as the connections open at the
-- crash stay open.
ALTER TABLE mx_slots SET UNLOGGED;
ALTER TABLE mx_waits SET UNLOGGED;
