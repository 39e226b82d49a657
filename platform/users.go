package platform

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
)

// UserRow is a user as the console shows them.
type UserRow struct {
	ID            uuid.UUID  `bun:"id"`
	Email         string     `bun:"email"`
	Name          string     `bun:"name"`
	PlatformAdmin bool       `bun:"platform_admin"`
	Verified      bool       `bun:"verified"`
	LockedAt      *time.Time `bun:"locked_at"`
	LockedReason  string     `bun:"locked_reason"`
	CreatedAt     time.Time  `bun:"created_at"`
	Tenants       int        `bun:"tenants"`
}

// UserDetail is a user and their memberships.
type UserDetail struct {
	UserRow
	Memberships []Membership
}

// Membership is one tenant a user belongs to.
type Membership struct {
	TenantID   uuid.UUID `bun:"tenant_id"`
	TenantName string    `bun:"tenant_name"`
	Slug       string    `bun:"slug"`
	Status     string    `bun:"status"`
	Role       string    `bun:"role"`
}

const userColumns = `u.id, u.email, u.name, u.platform_admin, u.email_verified_at IS NOT NULL AS verified, u.locked_at, u.locked_reason, u.created_at,
	(SELECT count(*) FROM memberships m WHERE m.user_id = u.id) AS tenants`

// Users finds users by a part of their email or name (empty: the
// newest), at most 100.
func (s *Service) Users(ctx context.Context, q string, by actor.Actor) ([]UserRow, error) {
	var out []UserRow
	err := s.read(ctx, by, "find users", func(ctx context.Context, tx db.Tx) error {
		like := "%" + escapeLike(strings.TrimSpace(q)) + "%"
		return tx.NewRaw(`SELECT `+userColumns+` FROM users u WHERE u.email ILIKE ? OR u.name ILIKE ?
			ORDER BY u.created_at DESC LIMIT 100`, like, like).Scan(ctx, &out)
	})
	return out, err
}

// User is one user with their memberships.
func (s *Service) User(ctx context.Context, id uuid.UUID, by actor.Actor) (UserDetail, error) {
	var d UserDetail
	err := s.read(ctx, by, "one user", func(ctx context.Context, tx db.Tx) error {
		err := tx.NewRaw(`SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id).Scan(ctx, &d.UserRow)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		err = tx.NewRaw(`SELECT m.tenant_id, t.name AS tenant_name, t.slug, t.status, m.role FROM memberships m
			JOIN tenants t ON t.id = m.tenant_id WHERE m.user_id = ? ORDER BY t.name`, id).Scan(ctx, &d.Memberships)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return d, err
}
