package tenants

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/audit"
	"mailvet/mail"
)

// dummyHash is verified against when no user has the address, so a wrong
// email costs as long as a wrong password and does not reveal accounts.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Qs0yZ4sv5yyRmgcdvQbRyjFYbG0BJtrI1WQkr7bFYA"

// Authenticate checks an email and password. Failures are audited and
// always ErrInvalidCredentials, whatever was wrong.
func (s *Store) Authenticate(ctx context.Context, email, password string, actor audit.Actor) (User, error) {
	email = NormalizeEmail(email)
	var u User
	err := s.db.NewSelect().Model(&u).Where("lower(email) = lower(?)", email).Scan(ctx)
	if err != nil {
		verifyPassword(password, dummyHash)
		actor.Email = email
		_ = audit.Record(ctx, s.db, uuid.Nil, actor, audit.SignInFailed, "", "", map[string]any{"email": email, "reason": "unknown_email"})
		return User{}, ErrInvalidCredentials
	}
	actor.UserID, actor.Email = u.ID, u.Email
	if !verifyPassword(password, u.PasswordHash) {
		for _, tr := range s.mustTenants(ctx, u.ID) {
			_ = audit.Record(ctx, s.db, tr.Tenant.ID, actor, audit.SignInFailed, "user", u.ID.String(), map[string]any{"reason": "wrong_password"})
		}
		return User{}, ErrInvalidCredentials
	}
	return u, nil
}

// RecordSignIn audits a successful sign-in into tenantID.
func (s *Store) RecordSignIn(ctx context.Context, tenantID uuid.UUID, actor audit.Actor) error {
	return audit.Record(ctx, s.db, tenantID, actor, audit.SignInSucceeded, "user", actor.UserID.String(), nil)
}

func (s *Store) mustTenants(ctx context.Context, userID uuid.UUID) []TenantRole {
	trs, _ := s.TenantsForUser(ctx, userID)
	return trs
}

// UserByID returns a user.
func (s *Store) UserByID(ctx context.Context, id uuid.UUID) (User, error) {
	var u User
	err := s.db.NewSelect().Model(&u).Where("id = ?", id).Scan(ctx)
	return u, notFound(err)
}

// UserByEmail returns a user by address, case-insensitively.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var u User
	err := s.db.NewSelect().Model(&u).Where("lower(email) = lower(?)", NormalizeEmail(email)).Scan(ctx)
	return u, notFound(err)
}

// CreateUser makes a verified user, for the operator CLI.
func (s *Store) CreateUser(ctx context.Context, email, name, password string, platformAdmin bool) (User, error) {
	email = NormalizeEmail(email)
	if err := CheckPassword(password, email); err != nil {
		return User{}, err
	}
	hash, err := hashPassword(password, s.opts.Argon2)
	if err != nil {
		return User{}, err
	}
	u := User{Email: email, Name: name, PasswordHash: hash, PlatformAdmin: platformAdmin}
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := insertUser(ctx, tx, &u); err != nil {
			return err
		}
		_, err := tx.NewUpdate().Model(&u).Set("email_verified_at = now()").Where("id = ?", u.ID).Returning("*").Exec(ctx)
		return err
	})
	return u, wrap("create user", err)
}

// ChangePassword replaces a password after checking the current one, and
// ends every other session of the user.
func (s *Store) ChangePassword(ctx context.Context, userID uuid.UUID, current, next string, keepSession uuid.UUID, actor audit.Actor) error {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if !verifyPassword(current, u.PasswordHash) {
		return ErrCurrentPassword
	}
	if err := CheckPassword(next, u.Email); err != nil {
		return err
	}
	hash, err := hashPassword(next, s.opts.Argon2)
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model((*User)(nil)).Set("password_hash = ?", hash).Set("updated_at = now()").Where("id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ? AND id <> ?", userID, keepSession).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, uuid.Nil, actor, audit.PasswordChanged, "user", userID.String(), nil)
	})
}

// RequestPasswordReset mails a reset link if the address has an account.
// It says nothing either way, so it cannot be used to probe for accounts.
func (s *Store) RequestPasswordReset(ctx context.Context, email string) error {
	u, err := s.UserByEmail(ctx, email)
	if err == ErrNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		raw, err := createUserToken(ctx, tx, u.ID, "reset_password", s.opts.ResetTTL)
		if err != nil {
			return err
		}
		return s.mail.Enqueue(ctx, tx.Tx, mail.Message{
			To:      u.Email,
			Subject: "Reset your mailvet password",
			Text: fmt.Sprintf("Hello %s,\n\nSomeone asked to reset the password of this mailvet account. To choose a new one, open:\n\n%s\n\nThe link expires in %s and works once. If it was not you, ignore this message: your password stays as it is.\n",
				displayName(u), s.link("/reset-password?token="+raw), humanDuration(s.opts.ResetTTL)),
		})
	})
}

// CheckResetLink reports whether a reset link is still usable, without
// using it up.
func (s *Store) CheckResetLink(ctx context.Context, raw string) error {
	exists, err := s.db.NewSelect().Table("user_tokens").
		Where("token_hash = ? AND purpose = 'reset_password' AND expires_at > now()", HashToken(raw)).Exists(ctx)
	if err != nil {
		return err
	}
	if !exists {
		return ErrInvalidLink
	}
	return nil
}

// ResetPassword sets a new password from a reset link, ends all sessions
// and marks the address verified (the link proved the mailbox).
func (s *Store) ResetPassword(ctx context.Context, raw, next string, actor audit.Actor) (User, error) {
	var u User
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		userID, err := consumeUserToken(ctx, tx, raw, "reset_password")
		if err != nil {
			return err
		}
		if err := tx.NewSelect().Model(&u).Where("id = ?", userID).For("UPDATE").Scan(ctx); err != nil {
			return notFound(err)
		}
		if err := CheckPassword(next, u.Email); err != nil {
			return err
		}
		hash, err := hashPassword(next, s.opts.Argon2)
		if err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model(&u).Set("password_hash = ?", hash).
			Set("email_verified_at = coalesce(email_verified_at, now())").Set("updated_at = now()").
			Where("id = ?", userID).Returning("*").Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Table("user_tokens").Where("user_id = ? AND purpose = 'reset_password'", userID).Exec(ctx); err != nil {
			return err
		}
		actor.UserID, actor.Email = u.ID, u.Email
		return audit.Record(ctx, tx, uuid.Nil, actor, audit.PasswordReset, "user", u.ID.String(), nil)
	})
	return u, wrap("reset password", err)
}
