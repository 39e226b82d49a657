-- A change of email address waits for a link mailed to the new address:
-- the token carries the address it will set.
ALTER TABLE user_tokens DROP CONSTRAINT user_tokens_purpose_check;
ALTER TABLE user_tokens ADD CONSTRAINT user_tokens_purpose_check
    CHECK (purpose IN ('verify_email', 'reset_password', 'change_email'));
ALTER TABLE user_tokens ADD COLUMN new_email text;
ALTER TABLE user_tokens ADD CONSTRAINT user_tokens_new_email_check
    CHECK ((purpose = 'change_email') = (new_email IS NOT NULL));
