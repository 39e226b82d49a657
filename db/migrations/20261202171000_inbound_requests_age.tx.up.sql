-- The periodic purge deletes pushes past their dedupe window across
-- tenants, by age alone.
CREATE INDEX inbound_requests_created_idx ON inbound_requests (created_at);
