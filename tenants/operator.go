package tenants

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
)

// OperatorSettings are what only a platform admin sets for a tenant: the
// levers an operator needs for one workspace, apart from the settings its
// own admins write. The zero value changes nothing.
type OperatorSettings struct {
	// MaxConnsPerMX caps the engine's connections to one MX host that
	// carry this tenant's list rows at a time (a receiver that complains
	// about one customer's lists); 0 leaves the engine's cap for everyone.
	MaxConnsPerMX int `json:"max_conns_per_mx,omitempty"`
	// CacheTTLMinDays and CacheTTLMaxDays bound the result-cache lifetime
	// the tenant may choose; 0 is no bound. A minimum also keeps the cache
	// from being turned off (a tenant re-probing the same addresses all
	// day); a maximum keeps verdicts from being reused too long.
	CacheTTLMinDays int `json:"cache_ttl_min_days,omitempty"`
	CacheTTLMaxDays int `json:"cache_ttl_max_days,omitempty"`
	// WebhookAllowCIDRs are private or special-purpose networks this
	// tenant's webhook endpoints may reach, on any port, in addition to
	// the platform's MAILVET_WEBHOOK_ALLOW_CIDRS (a customer's CRM on a
	// network peered with ours). The webhooks package reads this key of
	// the column itself, where it joins the tenant.
	WebhookAllowCIDRs []string `json:"webhook_allow_cidrs,omitempty"`
}

// Bounds of the operator settings: the engine's own cap range, the longest
// cache a tenant may choose, and how many and how wide CIDRs may be.
const (
	MaxConnsPerMXLimit = 50
	MaxCacheTTLDays    = 365
	MaxWebhookCIDRs    = 20
	minCIDRBitsV4      = 8
	minCIDRBitsV6      = 16
)

// check normalises o (CIDRs masked, sorted, each once) and refuses what
// does not hold together, naming the field.
func (o OperatorSettings) check() (OperatorSettings, error) {
	switch {
	case o.MaxConnsPerMX < 0 || o.MaxConnsPerMX > MaxConnsPerMXLimit:
		return o, &InputError{Field: "max_conns_per_mx", Reason: fmt.Sprintf("must be between 1 and %d, or empty for the platform's cap", MaxConnsPerMXLimit)}
	case o.CacheTTLMinDays < 0 || o.CacheTTLMinDays > MaxCacheTTLDays:
		return o, &InputError{Field: "cache_ttl_min_days", Reason: fmt.Sprintf("must be between 1 and %d days, or empty for no minimum", MaxCacheTTLDays)}
	case o.CacheTTLMaxDays < 0 || o.CacheTTLMaxDays > MaxCacheTTLDays:
		return o, &InputError{Field: "cache_ttl_max_days", Reason: fmt.Sprintf("must be between 1 and %d days, or empty for no maximum", MaxCacheTTLDays)}
	case o.CacheTTLMaxDays > 0 && o.CacheTTLMinDays > o.CacheTTLMaxDays:
		return o, &InputError{Field: "cache_ttl_max_days", Reason: "must not be below the minimum"}
	case len(o.WebhookAllowCIDRs) > MaxWebhookCIDRs:
		return o, &InputError{Field: "webhook_allow_cidrs", Reason: fmt.Sprintf("at most %d networks", MaxWebhookCIDRs)}
	}
	cidrs := make([]string, 0, len(o.WebhookAllowCIDRs))
	for _, raw := range o.WebhookAllowCIDRs {
		prefix, err := netip.ParsePrefix(strings.TrimSpace(raw))
		if err != nil {
			return o, &InputError{Field: "webhook_allow_cidrs", Reason: fmt.Sprintf("%q is not a network in CIDR notation (like 10.20.0.0/16)", raw)}
		}
		minBits := minCIDRBitsV6
		if prefix.Addr().Is4() {
			minBits = minCIDRBitsV4
		}
		if prefix.Bits() < minBits {
			return o, &InputError{Field: "webhook_allow_cidrs", Reason: fmt.Sprintf("%s is too wide: it would turn the SSRF guard off for much of the address space", prefix)}
		}
		cidrs = append(cidrs, prefix.Masked().String())
	}
	slices.Sort(cidrs)
	o.WebhookAllowCIDRs = slices.Compact(cidrs)
	if len(o.WebhookAllowCIDRs) == 0 {
		o.WebhookAllowCIDRs = nil
	}
	return o, nil
}

// allowsCacheDays reports whether the tenant may choose days (-1: off,
// 0: the default).
func (o OperatorSettings) allowsCacheDays(days int) bool {
	switch {
	case days < 0:
		return o.CacheTTLMinDays == 0
	case days == 0:
		days = DefaultCacheTTLDays
	}
	return days >= o.CacheTTLMinDays && (o.CacheTTLMaxDays == 0 || days <= o.CacheTTLMaxDays)
}

// CacheDaysAllowed reports whether the tenant may choose a cache lifetime
// of days (-1: off), for the settings page's choices.
func (t Tenant) CacheDaysAllowed(days int) bool { return t.Operator.allowsCacheDays(days) }

// CacheTTL is how long the tenant's verification results are reused: its
// own choice, held within its operator's bounds (which may have been set
// after the choice).
func (t Tenant) CacheTTL() time.Duration {
	ttl := t.Settings.chosenCacheTTL()
	day := 24 * time.Hour
	if lo := time.Duration(t.Operator.CacheTTLMinDays) * day; ttl < lo {
		ttl = lo
	}
	if hi := time.Duration(t.Operator.CacheTTLMaxDays) * day; hi > 0 && ttl > hi {
		ttl = hi
	}
	return ttl
}

// BatchPolicy is what the tenant's settings ask of its list batches.
type BatchPolicy struct {
	CacheTTL      time.Duration // zero: no cache
	MaxConnsPerMX int           // zero: the engine's cap
}

// BatchPolicy is what the tenant's settings, and its operator's, ask of
// its list batches.
func (t Tenant) BatchPolicy() BatchPolicy {
	return BatchPolicy{CacheTTL: t.CacheTTL(), MaxConnsPerMX: t.Operator.MaxConnsPerMX}
}

// BatchPolicy reads the tenant's policy for its list batches.
func (s *Store) BatchPolicy(ctx context.Context, tenantID uuid.UUID) (BatchPolicy, error) {
	t, err := s.TenantByID(ctx, tenantID)
	return t.BatchPolicy(), err
}

// SetOperatorSettings replaces the tenant's operator settings (platform
// admins only), audited with what changed on the tenant's log as mailvet
// support and on the platform's.
func (s *Store) SetOperatorSettings(ctx context.Context, tenantID uuid.UUID, o OperatorSettings, by actor.Actor) (Tenant, error) {
	if err := by.RequirePlatform(); err != nil {
		return Tenant{}, err
	}
	o, err := o.check()
	if err != nil {
		return Tenant{}, err
	}
	var t Tenant
	err = s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		var before Tenant
		if err := notFound(tx.NewSelect().Model(&before).Where("id = ?", tenantID).For("UPDATE").Scan(ctx)); err != nil {
			return err
		}
		if err := tx.NewUpdate().Model(&t).Set("operator_settings = ?", o).Set("updated_at = now()").
			Where("id = ?", tenantID).Returning("*").Scan(ctx); err != nil {
			return err
		}
		b := before.Operator
		return audit.RecordChanges(ctx, tx, tenantID, by, audit.TenantOperatorSettingsChanged, "tenant", tenantID.String(), nil,
			map[string]audit.Change{
				"max_conns_per_mx":    {Before: b.MaxConnsPerMX, After: o.MaxConnsPerMX},
				"cache_ttl_min_days":  {Before: b.CacheTTLMinDays, After: o.CacheTTLMinDays},
				"cache_ttl_max_days":  {Before: b.CacheTTLMaxDays, After: o.CacheTTLMaxDays},
				"webhook_allow_cidrs": {Before: strings.Join(b.WebhookAllowCIDRs, ","), After: strings.Join(o.WebhookAllowCIDRs, ",")},
			})
	})
	return t, wrap("set operator settings", err)
}

// checkCacheChoice refuses a cache lifetime the tenant's operator bounds
// do not allow, saying what they allow.
func checkCacheChoice(o OperatorSettings, days int) error {
	if days < -1 || days > MaxCacheTTLDays {
		return &InputError{Field: "cache_ttl_days", Reason: fmt.Sprintf("must be between 1 and %d days, or off", MaxCacheTTLDays)}
	}
	if o.allowsCacheDays(days) {
		return nil
	}
	switch {
	case o.CacheTTLMaxDays == 0:
		return &InputError{Field: "cache_ttl_days", Reason: fmt.Sprintf("must be at least %d days on this workspace (set by mailvet support)", o.CacheTTLMinDays)}
	case o.CacheTTLMinDays == 0 && days >= 0:
		return &InputError{Field: "cache_ttl_days", Reason: fmt.Sprintf("must be at most %d days on this workspace (set by mailvet support)", o.CacheTTLMaxDays)}
	default:
		return &InputError{Field: "cache_ttl_days", Reason: fmt.Sprintf("must be between %d and %d days on this workspace (set by mailvet support)", max(o.CacheTTLMinDays, 1), o.CacheTTLMaxDays)}
	}
}
