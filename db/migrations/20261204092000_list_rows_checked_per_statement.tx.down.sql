DROP TRIGGER lists_delete_rows ON lists;
DROP FUNCTION lists_delete_rows();
DROP TRIGGER list_rows_stay ON list_rows;
DROP FUNCTION list_rows_stay();
DROP TRIGGER list_rows_check_lists ON list_rows;
DROP FUNCTION list_rows_check_lists();
ALTER TABLE list_rows ADD CONSTRAINT list_rows_list_fkey
    FOREIGN KEY (tenant_id, list_id) REFERENCES lists (tenant_id, id) ON DELETE CASCADE;
