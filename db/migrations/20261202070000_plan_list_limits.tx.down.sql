ALTER TABLE plans DROP CONSTRAINT plans_list_fits_month;
UPDATE plans SET max_list_rows = 5000 WHERE id = 'free' AND max_list_rows = 1000;
