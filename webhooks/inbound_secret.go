package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"mailvet/db"
)

// InboundSecret finds a push's endpoint by its id alone and returns its
// tenant, its inbound secret (opened) and whether it is enabled. It is the
// one cross-tenant read of a push: the id in the URL is all the sender
// gives, and the tenant is what is being found. An unknown id is
// ErrNotFound.
func (s *Service) InboundSecret(ctx context.Context, endpointID uuid.UUID) (tenantID uuid.UUID, secret string, enabled bool, err error) {
	var sealed []byte
	err = s.db.Tx(ctx, db.System("inbound push: find the endpoint by the id in its URL"), func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw(`SELECT tenant_id, inbound_secret, enabled FROM webhook_endpoints WHERE id = ?`, endpointID).
			Scan(ctx, &tenantID, &sealed, &enabled)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, "", false, ErrNotFound
	}
	if err != nil {
		return uuid.Nil, "", false, fmt.Errorf("find inbound endpoint: %w", err)
	}
	plain, err := s.sealer.Open(sealed, sealContext(endpointID, "inbound"))
	if err != nil {
		return uuid.Nil, "", false, fmt.Errorf("open inbound secret: %w", err)
	}
	return tenantID, string(plain), enabled, nil
}
