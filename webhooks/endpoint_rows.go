package webhooks

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"

	"mailvet/db"
)

// endpointColumns are an Endpoint's columns, in scanEndpoint's order.
const endpointColumns = `id, tenant_id, url, description, event_types, enabled, disabled_reason, previous_secret_until, failing_since, imported_unconfirmed, created_at, updated_at`

// textArray binds a []string as a PostgreSQL text[].
func textArray(s []string) any { return pgdialect.Array(s) }

// scanEndpoint reads endpointColumns from a row; a missing row is
// ErrNotFound.
func scanEndpoint(row interface{ Scan(...any) error }, e *Endpoint) error {
	err := row.Scan(&e.ID, &e.TenantID, &e.URL, &e.Description, pgdialect.Array(&e.Events), &e.Enabled, &e.DisabledReason,
		&e.PreviousSecretUntil, &e.FailingSince, &e.ImportedUnconfirmed, &e.CreatedAt, &e.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if e.Events == nil {
		e.Events = []string{}
	}
	return err
}

func getEndpoint(ctx context.Context, tx db.Tx, tenantID, id uuid.UUID, e *Endpoint) error {
	return scanEndpoint(tx.QueryRowContext(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints WHERE tenant_id = ? AND id = ?`, tenantID, id), e)
}
