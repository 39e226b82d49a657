package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/mail"
)

// RequestEmailChange starts a change of the user's address: after checking
// their password it mails a link to the new address, and a notice to the
// current one. Nothing changes until the link is opened
// (ConfirmEmailChange); a newer request replaces an older one.
func (s *Store) RequestEmailChange(ctx context.Context, userID uuid.UUID, password, newEmail string, by actor.Actor) error {
	if by.Kind != actor.KindUser || by.UserID != userID {
		return ErrForbidden
	}
	newEmail = NormalizeEmail(newEmail)
	if err := checkText("new_email", newEmail); err != nil {
		return err
	}
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if !verifyPassword(password, u.PasswordHash) {
		return ErrCurrentPassword
	}
	if newEmail == u.Email {
		return &InputError{Field: "new_email", Reason: "This is already your address."}
	}
	return wrap("request email change", s.db.Tx(ctx, db.System("a user's address spans their tenants; the event is a platform one"), func(ctx context.Context, tx db.Tx) error {
		if taken, err := tx.NewSelect().Model((*User)(nil)).Where("lower(email) = lower(?) AND id <> ?", newEmail, userID).Exists(ctx); err != nil {
			return err
		} else if taken {
			return &InputError{Field: "new_email", Reason: "Another account already uses this address."}
		}
		if _, err := tx.NewRaw(`DELETE FROM user_tokens WHERE user_id = ? AND purpose = 'change_email'`, userID).Exec(ctx); err != nil {
			return err
		}
		raw, hash := NewToken()
		if _, err := tx.NewRaw(`INSERT INTO user_tokens (token_hash, user_id, purpose, new_email, expires_at) VALUES (?, ?, 'change_email', ?, now() + make_interval(secs => ?))`,
			hash, userID, newEmail, s.opts.VerifyTTL.Seconds()).Exec(ctx); err != nil {
			return err
		}
		if err := s.mail.Enqueue(ctx, tx.Tx.Tx, mail.Message{
			To:      newEmail,
			Subject: "Confirm your new email for mailvet",
			Text: fmt.Sprintf("Hello %s,\n\nOpen this link to make %s the address of your mailvet account:\n\n%s\n\nThe link expires in %s. Until then you keep signing in with %s. If you did not ask for this, ignore this message.\n",
				oneLine(displayName(u)), newEmail, s.link("/account/email/confirm?token="+raw), humanDuration(s.opts.VerifyTTL), u.Email),
		}); err != nil {
			return err
		}
		if err := s.mail.Enqueue(ctx, tx.Tx.Tx, mail.Message{
			To:      u.Email,
			Subject: "Your mailvet email is about to change",
			Text: fmt.Sprintf("Hello %s,\n\nSomeone signed in to your mailvet account asked to change its address to %s. It changes only when the link we sent there is opened.\n\nIf this was not you, change your password now: %s\n",
				oneLine(displayName(u)), newEmail, s.link("/account")),
		}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, uuid.Nil, by, audit.EmailChangeAsked, "user", userID.String(), map[string]any{"to": newEmail})
	}))
}

// ConfirmEmailChange consumes the link mailed to a new address and makes it
// the user's (verified: the link proves it). Links mailed to the old
// address (verification, password reset) stop working.
func (s *Store) ConfirmEmailChange(ctx context.Context, raw string) (User, error) {
	var u User
	err := s.db.Tx(ctx, db.System("an email-change link's token finds its user; the event is a platform one"), func(ctx context.Context, tx db.Tx) error {
		var userID uuid.UUID
		var newEmail string
		var live bool
		if err := tx.NewRaw(`DELETE FROM user_tokens WHERE token_hash = ? AND purpose = 'change_email' RETURNING user_id, new_email, expires_at > now()`,
			HashToken(raw)).Scan(ctx, &userID, &newEmail, &live); err != nil || !live {
			return ErrInvalidLink
		}
		if err := notFound(tx.NewSelect().Model(&u).Where("id = ?", userID).For("UPDATE").Scan(ctx)); err != nil {
			return err
		}
		if taken, err := tx.NewSelect().Model((*User)(nil)).Where("lower(email) = lower(?) AND id <> ?", newEmail, userID).Exists(ctx); err != nil {
			return err
		} else if taken {
			return &InputError{Field: "new_email", Reason: "Another account already uses this address."}
		}
		old := u.Email
		if err := tx.NewUpdate().Model(&u).Set("email = ?", newEmail).
			Set("email_verified_at = coalesce(email_verified_at, now())").Set("updated_at = now()").
			Where("id = ?", userID).Returning("*").Scan(ctx); err != nil {
			if isUniqueViolation(err, "users_email_key") {
				return &InputError{Field: "new_email", Reason: "Another account already uses this address."}
			}
			return err
		}
		if _, err := tx.NewRaw(`DELETE FROM user_tokens WHERE user_id = ? AND purpose IN ('verify_email', 'reset_password')`, userID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, uuid.Nil, actor.User(u.ID, u.Email, ""), audit.EmailChanged, "user", u.ID.String(), map[string]any{"from": old, "to": newEmail})
	})
	return u, wrap("confirm email change", err)
}

// PendingEmailChange is an address change waiting for its link to be
// opened.
type PendingEmailChange struct {
	NewEmail  string
	ExpiresAt time.Time
}

// PendingEmailChange returns the user's unconfirmed, unexpired address
// change, if any, so their account page can say a link is on its way.
func (s *Store) PendingEmailChange(ctx context.Context, userID uuid.UUID) (PendingEmailChange, bool, error) {
	var p PendingEmailChange
	err := s.db.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw(`SELECT new_email, expires_at FROM user_tokens
			WHERE user_id = ? AND purpose = 'change_email' AND expires_at > now() ORDER BY expires_at DESC LIMIT 1`, userID).Scan(ctx, &p.NewEmail, &p.ExpiresAt)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	return p, err == nil, wrap("pending email change", err)
}
