package tenants

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
)

// CreateTenant makes a tenant owned by an existing user. The operator CLI
// only.
func (s *Store) CreateTenant(ctx context.Context, name string, ownerID uuid.UUID, by actor.Actor) (Tenant, error) {
	if by.Kind != actor.KindOperator {
		return Tenant{}, ErrForbidden
	}
	name = strings.TrimSpace(name)
	if err := checkText("name", name); err != nil {
		return Tenant{}, err
	}
	// The new tenant's id is chosen here so that the transaction runs in
	// its scope: creating a tenant reads nobody else's rows.
	t := Tenant{ID: uuid.New()}
	err := s.db.Tx(ctx, db.Tenant(t.ID), func(ctx context.Context, tx db.Tx) error {
		var err error
		t, err = createTenant(ctx, tx, t.ID, name, ownerID, by)
		return err
	})
	return t, wrap("create tenant", err)
}

// TenantByID returns a tenant.
func (s *Store) TenantByID(ctx context.Context, id uuid.UUID) (Tenant, error) {
	var t Tenant
	err := s.db.Tx(ctx, db.Tenant(id), func(ctx context.Context, tx db.Tx) error {
		return notFound(tx.NewSelect().Model(&t).Where("id = ?", id).Scan(ctx))
	})
	return t, wrap("tenant by id", err)
}

// TenantBySlug returns a tenant by its slug.
func (s *Store) TenantBySlug(ctx context.Context, slug string) (Tenant, error) {
	var t Tenant
	err := s.db.Tx(ctx, db.System("find a tenant by its slug: the tenant is what is being found"), func(ctx context.Context, tx db.Tx) error {
		return notFound(tx.NewSelect().Model(&t).Where("slug = ?", strings.ToLower(slug)).Scan(ctx))
	})
	return t, wrap("tenant by slug", err)
}

// TenantsForUser lists the tenants a user belongs to, oldest first.
func (s *Store) TenantsForUser(ctx context.Context, userID uuid.UUID) ([]TenantRole, error) {
	var rows []struct {
		Tenant `bun:",extend"`
		Role   actor.Role `bun:"role"`
	}
	err := s.db.Tx(ctx, db.System("a user's memberships across tenants"), func(ctx context.Context, tx db.Tx) error {
		return tx.NewSelect().Model(&rows).
			ModelTableExpr("tenants AS tenant").
			ColumnExpr("tenant.*, m.role").
			Join("JOIN memberships AS m ON m.tenant_id = tenant.id").
			Where("m.user_id = ?", userID).
			OrderExpr("m.created_at, tenant.name").
			Scan(ctx)
	})
	out := make([]TenantRole, len(rows))
	for i, r := range rows {
		out[i] = TenantRole{Tenant: r.Tenant, Role: r.Role}
	}
	return out, wrap("tenants for user", err)
}

// UpdateTenant changes a tenant's name and settings (owners and admins).
func (s *Store) UpdateTenant(ctx context.Context, tenantID uuid.UUID, name string, settings Settings, by actor.Actor) (Tenant, error) {
	name = strings.TrimSpace(name)
	if err := checkTexts("name", name, "technical_email", settings.TechnicalEmail); err != nil {
		return Tenant{}, err
	}
	var t Tenant
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		by, err := authorize(ctx, tx, tenantID, by, actor.RoleAdmin)
		if err != nil {
			return err
		}
		var before Tenant
		if err := tx.NewSelect().Model(&before).Where("id = ?", tenantID).For("UPDATE").Scan(ctx); err != nil {
			return notFound(err)
		}
		if settings.CacheTTLDays != before.Settings.CacheTTLDays {
			if err := checkCacheChoice(before.Operator, settings.CacheTTLDays); err != nil {
				return err
			}
		}
		t.Settings = settings
		if err := tx.NewUpdate().Model(&t).
			Set("name = ?", name).Set("settings = ?", settings).Set("updated_at = now()").
			Where("id = ?", tenantID).Returning("*").Scan(ctx); err != nil {
			return notFound(err)
		}
		return audit.RecordChanges(ctx, tx, tenantID, by, audit.TenantUpdated, "tenant", tenantID.String(), map[string]any{"name": t.Name},
			map[string]audit.Change{
				"name":            {Before: before.Name, After: t.Name},
				"technical_email": {Before: before.Settings.TechnicalEmail, After: t.Settings.TechnicalEmail},
				"cache_ttl_days":  {Before: before.Settings.CacheTTLDays, After: t.Settings.CacheTTLDays},
			})
	})
	return t, wrap("update tenant", err)
}
