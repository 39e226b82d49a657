-- Every list a plan allows fits the plan: lists count against the month
-- (billing.ConsumeList), so a plan's largest list must fit its monthly
-- ceiling. Free advertised 5,000-row lists with 1,000 verifications a
-- month; its lists now go up to its month.
UPDATE plans SET max_list_rows = monthly_limit WHERE max_list_rows > monthly_limit;
ALTER TABLE plans ADD CONSTRAINT plans_list_fits_month CHECK (max_list_rows <= monthly_limit);
