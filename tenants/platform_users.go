package tenants

import (
	"context"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
)

// What a platform admin does to a user. Each runs on the system path (a
// user is no tenant's), ends or keeps their sessions as it says, and is
// a platform audit event.

// LockUser locks a user out with a reason: sign-in is refused and every
// session of theirs ends at once. Their memberships and data stay.
func (s *Store) LockUser(ctx context.Context, userID uuid.UUID, reason string, by actor.Actor) error {
	if err := by.RequirePlatform(); err != nil {
		return err
	}
	reason, err := checkReason(reason, "say why the account is locked")
	if err != nil {
		return err
	}
	if by.UserID == userID {
		return &InputError{Field: "reason", Reason: "you cannot lock yourself out"}
	}
	return s.userAction(ctx, userID, by, audit.UserLocked, map[string]any{"reason": reason}, func(ctx context.Context, tx db.Tx) error {
		if _, err := tx.NewUpdate().Model((*User)(nil)).Set("locked_at = coalesce(locked_at, now())").Set("locked_reason = ?", reason).
			Set("updated_at = now()").Where("id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ?", userID).Exec(ctx)
		return err
	})
}

// UnlockUser lets a locked user sign in again.
func (s *Store) UnlockUser(ctx context.Context, userID uuid.UUID, by actor.Actor) error {
	if err := by.RequirePlatform(); err != nil {
		return err
	}
	return s.userAction(ctx, userID, by, audit.UserUnlocked, nil, func(ctx context.Context, tx db.Tx) error {
		_, err := tx.NewUpdate().Model((*User)(nil)).Set("locked_at = NULL").Set("locked_reason = ''").
			Set("updated_at = now()").Where("id = ?", userID).Exec(ctx)
		return err
	})
}

// ForcePasswordReset ends the user's sessions and mails them a reset
// link: they sign in again only with a new password. The old one stays
// valid until then (an unusable hash would lock out a user whose mail
// does not arrive).
func (s *Store) ForcePasswordReset(ctx context.Context, userID uuid.UUID, by actor.Actor) error {
	if err := by.RequirePlatform(); err != nil {
		return err
	}
	return s.userAction(ctx, userID, by, audit.UserResetForced, nil, func(ctx context.Context, tx db.Tx) error {
		var u User
		if err := notFound(tx.NewSelect().Model(&u).Where("id = ?", userID).Scan(ctx)); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		return s.mailResetLink(ctx, tx, u)
	})
}

// SetPlatformAdmin grants or revokes platform admin. The platform always
// keeps one (ErrLastPlatformAdmin).
func (s *Store) SetPlatformAdmin(ctx context.Context, userID uuid.UUID, on bool, by actor.Actor) error {
	if err := by.RequirePlatform(); err != nil {
		return err
	}
	return s.userAction(ctx, userID, by, audit.PlatformAdminSet, map[string]any{"platform_admin": on}, func(ctx context.Context, tx db.Tx) error {
		if !on {
			// Locks every admin row, so two revocations at once cannot
			// leave none.
			var admins []uuid.UUID
			if err := tx.NewSelect().Model((*User)(nil)).Column("id").Where("platform_admin").For("UPDATE").Scan(ctx, &admins); err != nil {
				return err
			}
			if len(admins) == 1 && admins[0] == userID {
				return ErrLastPlatformAdmin
			}
		}
		_, err := tx.NewUpdate().Model((*User)(nil)).Set("platform_admin = ?", on).Set("updated_at = now()").Where("id = ?", userID).Exec(ctx)
		return err
	})
}

// userAction runs change on userID (ErrNotFound when there is no such
// user) and records action as a platform event, in one transaction.
func (s *Store) userAction(ctx context.Context, userID uuid.UUID, by actor.Actor, action string, metadata map[string]any,
	change func(ctx context.Context, tx db.Tx) error) error {
	return wrap(action, s.db.Tx(ctx, db.System("platform admin: "+action), func(ctx context.Context, tx db.Tx) error {
		exists, err := tx.NewSelect().Model((*User)(nil)).Where("id = ?", userID).Exists(ctx)
		if err != nil {
			return err
		}
		if !exists {
			return ErrNotFound
		}
		if err := change(ctx, tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, uuid.Nil, by, action, "user", userID.String(), metadata)
	}))
}
