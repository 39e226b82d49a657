-- A list's rows reference it by (tenant_id, list_id), the start of their
-- primary key, instead of by list_id alone through an index of their own.
-- That index was one more entry to write for every row a list stores and
-- for every verdict a batch writes (a verdict moves the row to a new
-- version, with new index entries), and it served only the cascade of a
-- list's delete, which the primary key serves as well. The reference also
-- says what was only true before: a row belongs to its list's tenant.
ALTER TABLE lists ADD CONSTRAINT lists_tenant_id_id_key UNIQUE (tenant_id, id);
ALTER TABLE list_rows DROP CONSTRAINT list_rows_list_id_fkey,
    ADD CONSTRAINT list_rows_list_fkey FOREIGN KEY (tenant_id, list_id) REFERENCES lists (tenant_id, id) ON DELETE CASCADE;
DROP INDEX list_rows_list_idx;
