-- A platform admin can lock a user out (sign-in refused, sessions ended)
-- with a reason, and unlock them.
ALTER TABLE users
    ADD COLUMN locked_at timestamptz,
    ADD COLUMN locked_reason text NOT NULL DEFAULT '' CHECK (length(locked_reason) <= 500);
