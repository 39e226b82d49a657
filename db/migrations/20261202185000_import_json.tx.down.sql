ALTER TABLE webhook_endpoints DROP COLUMN imported_unconfirmed;
ALTER TABLE api_keys DROP COLUMN imported_at;
DROP TABLE import_records;
