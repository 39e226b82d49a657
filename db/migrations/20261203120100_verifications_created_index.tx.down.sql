DROP INDEX verifications_created_idx;
