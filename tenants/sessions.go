package tenants

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/audit"
)

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
	sess := Session{TokenHash: in.TokenHash, UserID: in.UserID, Data: in.Data, IP: in.IP, UserAgent: truncate(in.UserAgent, 512), ExpiresAt: in.ExpiresAt}
	if in.TenantID != uuid.Nil {
		sess.TenantID = &in.TenantID
	}
	if sess.Data == nil {
		sess.Data = map[string]any{}
	}
	_, err := s.db.NewInsert().Model(&sess).Returning("*").Exec(ctx)
	return sess, wrap("create session", err)
}

// SessionByToken returns a live session by its cookie secret's hash.
func (s *Store) SessionByToken(ctx context.Context, tokenHash []byte) (Session, error) {
	var sess Session
	err := s.db.NewSelect().Model(&sess).Where("token_hash = ? AND expires_at > now()", tokenHash).Scan(ctx)
	return sess, notFound(err)
}

// SaveSession writes a session's tenant, data and new expiry.
func (s *Store) SaveSession(ctx context.Context, tokenHash []byte, tenantID uuid.UUID, data map[string]any, expiresAt time.Time) error {
	var tid *uuid.UUID
	if tenantID != uuid.Nil {
		tid = &tenantID
	}
	res, err := s.db.NewUpdate().Model((*Session)(nil)).
		Set("tenant_id = ?", tid).Set("data = ?", data).Set("expires_at = ?", expiresAt).Set("last_seen_at = now()").
		Where("token_hash = ?", tokenHash).Exec(ctx)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// DeleteSessionByToken ends the session holding that cookie.
func (s *Store) DeleteSessionByToken(ctx context.Context, tokenHash []byte) error {
	_, err := s.db.NewDelete().Model((*Session)(nil)).Where("token_hash = ?", tokenHash).Exec(ctx)
	return err
}

// ListSessions returns a user's live sessions, most recent first.
func (s *Store) ListSessions(ctx context.Context, userID uuid.UUID) ([]Session, error) {
	var out []Session
	err := s.db.NewSelect().Model(&out).Where("user_id = ? AND expires_at > now()", userID).
		OrderExpr("last_seen_at DESC").Scan(ctx)
	return out, err
}

// RevokeSession ends one of the user's own sessions.
func (s *Store) RevokeSession(ctx context.Context, userID, sessionID uuid.UUID, actor audit.Actor) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ? AND id = ?", userID, sessionID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return audit.Record(ctx, tx, uuid.Nil, actor, audit.SessionRevoked, "session", sessionID.String(), nil)
	})
}

// RevokeAllSessions signs the user out everywhere.
func (s *Store) RevokeAllSessions(ctx context.Context, userID uuid.UUID, actor audit.Actor) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*Session)(nil)).Where("user_id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, uuid.Nil, actor, audit.SignOutAll, "user", userID.String(), nil)
	})
}

// PurgeResult counts what PurgeExpired removed.
type PurgeResult struct {
	Sessions, Invites, Tokens int64
}

// PurgeExpired deletes expired sessions, invitations and emailed tokens.
// A periodic job calls it.
func (s *Store) PurgeExpired(ctx context.Context) (PurgeResult, error) {
	var r PurgeResult
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		for _, q := range []struct {
			n   *int64
			sql string
		}{
			{&r.Sessions, "DELETE FROM sessions WHERE expires_at <= now()"},
			{&r.Invites, "DELETE FROM invites WHERE accepted_at IS NULL AND expires_at <= now()"},
			{&r.Tokens, "DELETE FROM user_tokens WHERE expires_at <= now()"},
		} {
			res, err := tx.ExecContext(ctx, q.sql)
			if err != nil {
				return err
			}
			*q.n, _ = res.RowsAffected()
		}
		return nil
	})
	return r, wrap("purge expired", err)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
