DROP TRIGGER lists_reference_cascade ON lists;
DROP TRIGGER list_rows_reference_fixed ON list_rows;
DROP TRIGGER list_rows_reference_check ON list_rows;
ALTER TABLE list_rows ADD CONSTRAINT list_rows_list_fkey
    FOREIGN KEY (tenant_id, list_id) REFERENCES lists (tenant_id, id) ON DELETE CASCADE;
DROP FUNCTION reference_cascade();
DROP FUNCTION reference_fixed();
DROP FUNCTION reference_check();
