CREATE INDEX list_rows_list_idx ON list_rows (list_id);
ALTER TABLE list_rows DROP CONSTRAINT list_rows_list_fkey,
    ADD CONSTRAINT list_rows_list_id_fkey FOREIGN KEY (list_id) REFERENCES lists (id) ON DELETE CASCADE;
ALTER TABLE lists DROP CONSTRAINT lists_tenant_id_id_key;
