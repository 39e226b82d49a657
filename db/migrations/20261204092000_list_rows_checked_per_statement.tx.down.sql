DROP TRIGGER lists_reference_cascade ON lists;
DROP TRIGGER list_rows_reference_fixed ON list_rows;
DROP TRIGGER list_rows_reference_check ON list_rows;
CREATE INDEX list_rows_list_idx ON list_rows (list_id);
ALTER TABLE list_rows ADD CONSTRAINT list_rows_list_id_fkey
    FOREIGN KEY (list_id) REFERENCES lists (id) ON DELETE CASCADE;
DROP FUNCTION reference_cascade();
DROP FUNCTION reference_fixed();
DROP FUNCTION reference_check();
