-- The performance page counts the last hour's verifications of every
-- tenant per minute; without this it would read every tenant's history.
CREATE INDEX verifications_created_idx ON verifications (created_at);
