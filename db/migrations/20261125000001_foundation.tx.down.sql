DROP TABLE IF EXISTS audit_events, api_keys, sessions, invites, memberships, user_tokens, users, tenants;
