package tenants

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/audit"
)

// CreateTenant makes a tenant owned by an existing user (operator CLI).
func (s *Store) CreateTenant(ctx context.Context, name string, ownerID uuid.UUID, actor audit.Actor) (Tenant, error) {
	var t Tenant
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var err error
		t, err = createTenant(ctx, tx, name, ownerID, actor)
		return err
	})
	return t, wrap("create tenant", err)
}

// TenantByID returns a tenant.
func (s *Store) TenantByID(ctx context.Context, id uuid.UUID) (Tenant, error) {
	var t Tenant
	err := s.db.NewSelect().Model(&t).Where("id = ?", id).Scan(ctx)
	return t, notFound(err)
}

// TenantBySlug returns a tenant by its slug.
func (s *Store) TenantBySlug(ctx context.Context, slug string) (Tenant, error) {
	var t Tenant
	err := s.db.NewSelect().Model(&t).Where("slug = ?", strings.ToLower(slug)).Scan(ctx)
	return t, notFound(err)
}

// TenantsForUser lists the tenants a user belongs to, oldest first.
func (s *Store) TenantsForUser(ctx context.Context, userID uuid.UUID) ([]TenantRole, error) {
	var rows []struct {
		Tenant `bun:",extend"`
		Role   Role `bun:"role"`
	}
	err := s.db.NewSelect().Model(&rows).
		ModelTableExpr("tenants AS tenant").
		ColumnExpr("tenant.*, m.role").
		Join("JOIN memberships AS m ON m.tenant_id = tenant.id").
		Where("m.user_id = ?", userID).
		OrderExpr("m.created_at, tenant.name").
		Scan(ctx)
	out := make([]TenantRole, len(rows))
	for i, r := range rows {
		out[i] = TenantRole{Tenant: r.Tenant, Role: r.Role}
	}
	return out, err
}

// UpdateTenant changes a tenant's name and settings (owners and admins).
func (s *Store) UpdateTenant(ctx context.Context, tenantID uuid.UUID, name string, settings Settings, actor audit.Actor) (Tenant, error) {
	var t Tenant
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := requireManager(ctx, tx, tenantID, actor); err != nil {
			return err
		}
		t.Settings = settings
		if err := tx.NewUpdate().Model(&t).
			Set("name = ?", strings.TrimSpace(name)).Set("settings = ?", settings).Set("updated_at = now()").
			Where("id = ?", tenantID).Returning("*").Scan(ctx); err != nil {
			return notFound(err)
		}
		return audit.Record(ctx, tx, tenantID, actor, audit.TenantUpdated, "tenant", tenantID.String(), map[string]any{"name": t.Name})
	})
	return t, wrap("update tenant", err)
}

// CacheTTL is how long a tenant's verification results are reused.
func (s *Store) CacheTTL(ctx context.Context, tenantID uuid.UUID) (time.Duration, error) {
	t, err := s.TenantByID(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	return t.Settings.CacheTTL(), nil
}
