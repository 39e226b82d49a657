package tenants

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/safetext"
)

// A session belongs to a user, not to a tenant: it is found by its
// cookie, it moves between the user's tenants, and a user lists and ends
// their sessions across all of them. Its statements go through the system
// path, each saying why; only creating one inside a tenant, and ending a
// removed member's (members.go), run in the tenant's scope.
//
// Its lifetime is absolute, as the README promises: ExpiresAt is set when
// it is created and nothing here moves it on activity (last_seen_at
// records activity, for the sessions list, and nothing else).

// NewSession describes a session to open at sign-in.
type NewSession struct {
	TokenHash []byte
	UserID    uuid.UUID
	TenantID  uuid.UUID
	Data      map[string]any
	IP        string
	UserAgent string
	ExpiresAt time.Time
}

// CreateSession stores a new signed-in session.
func (s *Store) CreateSession(ctx context.Context, in NewSession) (Session, error) {
	sess := Session{TokenHash: in.TokenHash, UserID: in.UserID, Data: in.Data, IP: in.IP,
		UserAgent: safetext.Truncate(in.UserAgent, 512), ExpiresAt: in.ExpiresAt}
	if sess.Data == nil {
		sess.Data = map[string]any{}
	}
	scope := db.System("a session of a user who has no tenant yet")
	if in.TenantID != uuid.Nil {
		sess.TenantID, scope = &in.TenantID, db.Tenant(in.TenantID)
	}
	err := s.db.Tx(ctx, scope, func(ctx context.Context, tx db.Tx) error {
		if sess.TenantID != nil {
			// A session opens only in a tenant its user belongs to (the
			// tenant's own scope shows only its memberships).
			member, err := tx.NewSelect().Model((*Membership)(nil)).Where("tenant_id = ? AND user_id = ?", in.TenantID, in.UserID).Exists(ctx)
			if err != nil {
				return err
			}
			if !member {
				return ErrNotFound
			}
		}
		_, err := tx.NewInsert().Model(&sess).Returning("*").Exec(ctx)
		return err
	})
	return sess, wrap("create session", err)
}

// SessionByToken returns a live session by its cookie secret's hash.
func (s *Store) SessionByToken(ctx context.Context, tokenHash []byte) (Session, error) {
	var sess Session
	err := s.db.Tx(ctx, db.System("find a session by its cookie: its tenant is what is being found"), func(ctx context.Context, tx db.Tx) error {
		return notFound(tx.NewSelect().Model(&sess).Where("token_hash = ? AND expires_at > now()", tokenHash).Scan(ctx))
	})
	return sess, wrap("session by token", err)
}

// SaveSession writes a live session's tenant and data. Its expiry stays
// where CreateSession put it: the lifetime is absolute. It runs on the
// system path, which could write any tenant's id, so the statement itself
// moves a session only into a tenant its user is a member of: another
// tenant, like a missing or expired session, is ErrNotFound and nothing
// is written.
func (s *Store) SaveSession(ctx context.Context, tokenHash []byte, tenantID uuid.UUID, data map[string]any) error {
	var tid *uuid.UUID
	if tenantID != uuid.Nil {
		tid = &tenantID
	}
	if data == nil {
		data = map[string]any{}
	}
	return wrap("save session", s.db.Tx(ctx, db.System("a session found by its cookie moves between its user's tenants"), func(ctx context.Context, tx db.Tx) error {
		res, err := tx.NewUpdate().Model((*Session)(nil)).
			Set("tenant_id = ?", tid).Set("data = ?", data).Set("last_seen_at = now()").
			Where("token_hash = ? AND expires_at > now()", tokenHash).
			Where("?::uuid IS NULL OR EXISTS (SELECT 1 FROM memberships AS m WHERE m.tenant_id = ? AND m.user_id = ?TableAlias.user_id)", tid, tid).
			Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	}))
}

// DeleteSessionByToken ends the session holding that cookie.
func (s *Store) DeleteSessionByToken(ctx context.Context, tokenHash []byte) error {
	return wrap("delete session", s.db.Tx(ctx, db.System("end a session found by its cookie"), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.NewDelete().Model((*Session)(nil)).Where("token_hash = ?", tokenHash).Exec(ctx)
		return err
	}))
}

// ListSessions returns a user's live sessions, most recent first.
func (s *Store) ListSessions(ctx context.Context, userID uuid.UUID) ([]Session, error) {
	var out []Session
	err := s.db.Tx(ctx, db.System("a user's sessions across their tenants"), func(ctx context.Context, tx db.Tx) error {
		return tx.NewSelect().Model(&out).Where("user_id = ? AND expires_at > now()", userID).
			OrderExpr("last_seen_at DESC").Scan(ctx)
	})
	return out, wrap("list sessions", err)
}

// mayEndSessionsOf says whether by may end userID's sessions: the user
// themself, or the operator CLI.
func mayEndSessionsOf(by actor.Actor, userID uuid.UUID) error {
	if by.Kind == actor.KindOperator || (by.Kind == actor.KindUser && by.UserID == userID && userID != uuid.Nil) {
		return nil
	}
	return ErrForbidden
}

// RevokeSession ends one of the user's own sessions.
func (s *Store) RevokeSession(ctx context.Context, userID, sessionID uuid.UUID, by actor.Actor) error {
	if err := mayEndSessionsOf(by, userID); err != nil {
		return err
	}
	return wrap("revoke session", s.db.Tx(ctx, db.System("a user's sessions across their tenants; the event is a platform one"), func(ctx context.Context, tx db.Tx) error {
		res, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ? AND id = ?", userID, sessionID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit.Record(ctx, tx, uuid.Nil, by, audit.SessionRevoked, "session", sessionID.String(), nil)
	}))
}

// RevokeAllSessions signs the user out everywhere.
func (s *Store) RevokeAllSessions(ctx context.Context, userID uuid.UUID, by actor.Actor) error {
	if err := mayEndSessionsOf(by, userID); err != nil {
		return err
	}
	return wrap("revoke all sessions", s.db.Tx(ctx, db.System("a user's sessions across their tenants; the event is a platform one"), func(ctx context.Context, tx db.Tx) error {
		if _, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, uuid.Nil, by, audit.SignOutAll, "user", userID.String(), nil)
	}))
}

// PurgeResult counts what PurgeExpired removed.
type PurgeResult struct {
	Sessions, Invites, Tokens int64
}

// PurgeExpired deletes expired sessions, invitations and emailed tokens.
// A periodic job calls it.
func (s *Store) PurgeExpired(ctx context.Context) (PurgeResult, error) {
	var r PurgeResult
	err := s.db.Tx(ctx, db.System("sweep: expired sessions, invitations and tokens of every tenant"), func(ctx context.Context, tx db.Tx) error {
		for _, q := range []struct {
			n   *int64
			del *bun.DeleteQuery
		}{
			{&r.Sessions, tx.NewDelete().Model((*Session)(nil)).Where("expires_at <= now()")},
			{&r.Invites, tx.NewDelete().Model((*Invite)(nil)).Where("accepted_at IS NULL AND expires_at <= now()")},
			{&r.Tokens, tx.NewDelete().Table("user_tokens").Where("expires_at <= now()")},
		} {
			res, err := q.del.Exec(ctx)
			if err != nil {
				return err
			}
			*q.n, _ = res.RowsAffected()
		}
		return nil
	})
	return r, wrap("purge expired", err)
}
