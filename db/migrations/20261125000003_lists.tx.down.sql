DROP TABLE IF EXISTS list_rows, lists;
