package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/safetext"
)

// newDummyHash is verified against when no user has the address, so a
// wrong email costs as long as a wrong password and does not reveal
// accounts. It is made with the store's own parameters, the ones new
// passwords get, so the two costs stay equal when they are tuned.
func newDummyHash(p Argon2Params) string {
	h, err := hashPassword("no account has this password", p)
	if err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return h
}

// Authenticate checks an email and password. Failures are audited and
// always ErrInvalidCredentials, whatever was wrong. Nobody is signed in
// yet: from gives only where the attempt came from (IP, user agent).
func (s *Store) Authenticate(ctx context.Context, email, password string, from actor.Actor) (User, error) {
	email = NormalizeEmail(email)
	u, err := s.UserByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		verifyPassword(password, s.dummyHash)
		s.auditSignInFailure(ctx, actor.User(uuid.Nil, email, "").From(from.IP, from.UserAgent),
			map[string]any{"email": safetext.Truncate(email, 320), "reason": "unknown_email"})
		return User{}, ErrInvalidCredentials
	}
	if err != nil {
		return User{}, wrap("authenticate", err)
	}
	// The hash is checked outside any transaction: it takes tens of
	// milliseconds, during which no connection is held.
	if !verifyPassword(password, u.PasswordHash) {
		s.auditSignInFailure(ctx, actor.User(u.ID, u.Email, "").From(from.IP, from.UserAgent),
			map[string]any{"reason": "wrong_password"})
		return User{}, ErrInvalidCredentials
	}
	if u.LockedAt != nil {
		// Said only to whoever knows the password.
		s.auditSignInFailure(ctx, actor.User(u.ID, u.Email, "").From(from.IP, from.UserAgent),
			map[string]any{"reason": "locked"})
		return User{}, ErrUserLocked
	}
	return u, nil
}

// auditSignInFailure records a failed sign-in in every tenant of the user,
// or as a platform event when the address has no account. Best effort: a
// failure to audit does not change the answer.
func (s *Store) auditSignInFailure(ctx context.Context, by actor.Actor, metadata map[string]any) {
	_ = s.db.Tx(ctx, db.System("sign-in failure: audited in every tenant of the user, or on the platform"), func(ctx context.Context, tx db.Tx) error {
		if by.UserID == uuid.Nil {
			return audit.Record(ctx, tx, uuid.Nil, by, audit.SignInFailed, "", "", metadata)
		}
		var tenantIDs []uuid.UUID
		if err := tx.NewSelect().Model((*Membership)(nil)).Column("tenant_id").Where("user_id = ?", by.UserID).
			Order("created_at").Scan(ctx, &tenantIDs); err != nil {
			return err
		}
		for _, id := range tenantIDs {
			if err := audit.Record(ctx, tx, id, by, audit.SignInFailed, "user", by.UserID.String(), metadata); err != nil {
				return err
			}
		}
		return nil
	})
}

// RecordSignIn audits a successful sign-in of by (the user) into tenantID.
func (s *Store) RecordSignIn(ctx context.Context, tenantID uuid.UUID, by actor.Actor) error {
	return wrap("record sign-in", s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return audit.Record(ctx, tx, tenantID, by, audit.SignInSucceeded, "user", by.UserID.String(), nil)
	}))
}

// UserByID returns a user.
func (s *Store) UserByID(ctx context.Context, id uuid.UUID) (User, error) {
	var u User
	err := s.db.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		return notFound(tx.NewSelect().Model(&u).Where("id = ?", id).Scan(ctx))
	})
	return u, wrap("user by id", err)
}

// UserByEmail returns a user by address, case-insensitively.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	email = NormalizeEmail(email)
	if safetext.HasControl(email) {
		return User{}, ErrNotFound // no account has one, and PostgreSQL refuses a NUL
	}
	var u User
	err := s.db.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		return tx.NewSelect().Model(&u).Where("lower(email) = lower(?)", email).Scan(ctx)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	return u, wrap("user by email", err)
}

// CreateUser makes a verified user. The operator CLI only.
func (s *Store) CreateUser(ctx context.Context, email, name, password string, platformAdmin bool, by actor.Actor) (User, error) {
	if by.Kind != actor.KindOperator {
		return User{}, ErrForbidden
	}
	email = NormalizeEmail(email)
	if err := checkTexts("email", email, "name", name); err != nil {
		return User{}, err
	}
	if err := CheckPassword(password, email); err != nil {
		return User{}, err
	}
	hash, err := hashPassword(password, s.opts.Argon2)
	if err != nil {
		return User{}, err
	}
	u := User{Email: email, Name: name, PasswordHash: hash, PlatformAdmin: platformAdmin}
	err = s.db.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		if err := insertUser(ctx, tx, &u); err != nil {
			return err
		}
		_, err := tx.NewUpdate().Model(&u).Set("email_verified_at = now()").Where("id = ?", u.ID).Returning("*").Exec(ctx)
		return err
	})
	return u, wrap("create user", err)
}

// MaxNameLength is the longest name a person may give themself, in
// characters (sign-up allows as much).
const MaxNameLength = 100

// RenameUser changes the name a person shows under, trimmed; only the user
// themself may. An unchanged name writes nothing.
func (s *Store) RenameUser(ctx context.Context, userID uuid.UUID, name string, by actor.Actor) (User, error) {
	if by.Kind != actor.KindUser || by.UserID != userID {
		return User{}, ErrForbidden
	}
	name = strings.TrimSpace(name)
	if err := checkText("name", name); err != nil {
		return User{}, err
	}
	if name == "" {
		return User{}, &InputError{Field: "name", Reason: "must not be empty"}
	}
	if n := utf8.RuneCountInString(name); n > MaxNameLength {
		return User{}, &InputError{Field: "name", Reason: fmt.Sprintf("is too long: %d characters, at most %d", n, MaxNameLength)}
	}
	var u User
	err := s.db.Tx(ctx, db.System("a user's name spans their tenants; the event is a platform one"), func(ctx context.Context, tx db.Tx) error {
		if err := notFound(tx.NewSelect().Model(&u).Where("id = ?", userID).For("UPDATE").Scan(ctx)); err != nil {
			return err
		}
		if u.Name == name {
			return nil
		}
		old := u.Name
		if _, err := tx.NewUpdate().Model(&u).Set("name = ?", name).Set("updated_at = now()").Where("id = ?", userID).Returning("*").Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, uuid.Nil, by, audit.UserRenamed, "user", userID.String(), map[string]any{"from": old, "to": name})
	})
	return u, wrap("rename user", err)
}

// ChangePassword replaces a password after checking the current one, and
// ends every other session of the user. Only the user themself may.
func (s *Store) ChangePassword(ctx context.Context, userID uuid.UUID, current, next string, keepSession uuid.UUID, by actor.Actor) error {
	if by.Kind != actor.KindUser || by.UserID != userID {
		return ErrForbidden
	}
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
	return wrap("change password", s.db.Tx(ctx, db.System("a user's password and sessions span their tenants; the event is a platform one"), func(ctx context.Context, tx db.Tx) error {
		if _, err := tx.NewUpdate().Model((*User)(nil)).Set("password_hash = ?", hash).Set("updated_at = now()").Where("id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ? AND id <> ?", userID, keepSession).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, uuid.Nil, by, audit.PasswordChanged, "user", userID.String(), nil)
	}))
}
