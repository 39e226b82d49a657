package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"

	"github.com/google/uuid"

	"mailvet/db"
)

// tenantNetworksSQL reads the private networks a platform admin let the
// tenant's endpoints reach (tenants.OperatorSettings.WebhookAllowCIDRs;
// the key is read here because this package sits below tenants).
const tenantNetworksSQL = `SELECT coalesce(operator_settings->'webhook_allow_cidrs', '[]') FROM tenants WHERE id = $1`

// tenantNetworks is the tenant's extra allowance for the SSRF guard.
func (s *Service) tenantNetworks(ctx context.Context, tenantID uuid.UUID) ([]netip.Prefix, error) {
	var raw []byte
	if err := s.db.QueryRow(ctx, db.Tenant(tenantID), tenantNetworksSQL, tenantID).Scan(&raw); err != nil {
		if noRows(err) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return parseNetworks(raw)
}

// parseNetworks reads a JSON array of CIDRs, as tenants stores it (it
// checked each when it was saved).
func parseNetworks(raw []byte) ([]netip.Prefix, error) {
	var texts []string
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &texts); err != nil {
			return nil, fmt.Errorf("tenant webhook networks: %w", err)
		}
	}
	out := make([]netip.Prefix, 0, len(texts))
	for _, t := range texts {
		p, err := netip.ParsePrefix(t)
		if err != nil {
			return nil, fmt.Errorf("tenant webhook networks: %w", err)
		}
		out = append(out, p)
	}
	return out, nil
}
