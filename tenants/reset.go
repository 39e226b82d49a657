package tenants

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/mail"
)

// PasswordResetArgs is the River job behind a reset request: the address
// someone asked a reset link for. Whether it has an account is decided by
// the worker (SendPasswordReset), not by the request.
type PasswordResetArgs struct {
	Email string `json:"email"`
}

// Kind names the job in River's tables.
func (PasswordResetArgs) Kind() string { return "password_reset_request" }

// InsertOpts give up after a few minutes of retries (about six): a reset
// link that arrives much later than asked for is no longer expected.
func (PasswordResetArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5}
}

// RequestPasswordReset queues a reset request for the address and returns.
// It does exactly the same work whatever the address: one transaction that
// inserts one job and commits. It reads nothing that depends on whether an
// account uses the address, so neither its answer nor its time tells it.
// SendPasswordReset, in a worker, looks the account up and mails the link.
//
// It used to look the account up itself: an unknown address returned after
// one SELECT, a known one wrote a token and a mail job (3.9 ms against
// 13.6 ms). A later fix mailed unknown addresses a "no account uses this
// address" notice so that both wrote; that sent mail to addresses that have
// no account, and the token row still told them apart.
func (s *Store) RequestPasswordReset(ctx context.Context, email string) error {
	email = NormalizeEmail(email)
	if err := checkText("email", email); err != nil {
		return err // a mail header cannot hold it, whoever it belongs to
	}
	return wrap("request password reset", s.db.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		_, err := s.mail.Jobs().InsertTx(ctx, tx.Tx.Tx, PasswordResetArgs{Email: email}, nil)
		return err
	}))
}

// SendPasswordReset does the work of a reset request, in one transaction:
// if the address has an account, it stores a reset token and queues the
// mail with its link; an unknown address gets nothing (no mail goes to an
// address that has no account). complete, when not nil, runs last in the
// same transaction: the worker marks its job done there, so that a retry
// after a crash never mails a second link for one request.
func (s *Store) SendPasswordReset(ctx context.Context, args PasswordResetArgs, complete func(ctx context.Context, tx *sql.Tx) error) error {
	email := NormalizeEmail(args.Email)
	return wrap("send password reset", s.db.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		var users []User
		if err := tx.NewSelect().Model(&users).Where("lower(email) = lower(?)", email).Scan(ctx); err != nil {
			return err
		}
		if len(users) == 1 {
			if err := s.mailResetLink(ctx, tx, users[0]); err != nil {
				return err
			}
		}
		if complete == nil {
			return nil
		}
		return complete(ctx, tx.Tx.Tx)
	}))
}

// mailResetLink stores a reset token for u and queues the mail with its link.
func (s *Store) mailResetLink(ctx context.Context, tx db.Tx, u User) error {
	raw, err := createUserToken(ctx, tx, u.ID, "reset_password", s.opts.ResetTTL)
	if err != nil {
		return err
	}
	return s.mail.Enqueue(ctx, tx.Tx.Tx, mail.Message{
		To:      u.Email,
		Subject: "Reset your mailvet password",
		Text: fmt.Sprintf("Hello %s,\n\nSomeone asked to reset the password of this mailvet account. To choose a new one, open:\n\n%s\n\nThe link expires in %s and works once. If it was not you, ignore this message: your password stays as it is.\n",
			displayName(u), s.link("/reset-password?token="+raw), humanDuration(s.opts.ResetTTL)),
	})
}

// CheckResetLink reports whether a reset link is still usable, without
// using it up.
func (s *Store) CheckResetLink(ctx context.Context, raw string) error {
	var exists bool
	err := s.db.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		var err error
		exists, err = tx.NewSelect().Table("user_tokens").
			Where("token_hash = ? AND purpose = 'reset_password' AND expires_at > now()", HashToken(raw)).Exists(ctx)
		return err
	})
	if err != nil {
		return wrap("check reset link", err)
	}
	if !exists {
		return ErrInvalidLink
	}
	return nil
}

// ResetPassword sets a new password from a reset link, ends all sessions
// and marks the address verified (the link proved the mailbox). Nobody is
// signed in: from gives only where the request came from; the event is
// recorded as the user the link belongs to.
func (s *Store) ResetPassword(ctx context.Context, raw, next string, from actor.Actor) (User, error) {
	var u User
	err := s.db.Tx(ctx, db.System("a reset link's token finds its user, whose sessions span tenants; the event is a platform one"), func(ctx context.Context, tx db.Tx) error {
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
		by := actor.User(u.ID, u.Email, "").From(from.IP, from.UserAgent).ForRequest(from.RequestID)
		return audit.Record(ctx, tx, uuid.Nil, by, audit.PasswordReset, "user", u.ID.String(), nil)
	})
	return u, wrap("reset password", err)
}
