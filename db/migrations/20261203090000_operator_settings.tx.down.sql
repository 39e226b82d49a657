ALTER TABLE tenants DROP COLUMN operator_settings;
