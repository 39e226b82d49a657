package webhooks

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/safetext"
	"mailvet/webhooks/transport"
)

// ErrNotHTTP says an imported URL is not an http(s) URL with a host.
var ErrNotHTTP = errors.New("not an http(s) URL with a host, of at most 2048 bytes")

// ImportedReason is the disabled reason of an imported endpoint.
const ImportedReason = "imported from the old service; confirm its URL by enabling it"

// ImportEndpoint makes an endpoint from an old service's CRM config, in
// tx (the importer's transaction of the tenant): disabled and flagged
// unconfirmed, so nothing is sent to it until an admin enables it, which
// confirms its URL. It gets fresh secrets (the old ones are not carried
// over); the admin rotates to see them. The URL is checked for its shape
// only: the SSRF guard refuses private addresses again at dial time.
// Recording no event, it sends nothing. The caller audits the import.
func (s *Service) ImportEndpoint(ctx context.Context, tx db.Tx, tenantID uuid.UUID, rawURL, description string) (Endpoint, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(rawURL) > 2048 {
		return Endpoint{}, ErrNotHTTP
	}
	description = strings.TrimSpace(description)
	if utf8.RuneCountInString(description) > 500 || safetext.HasControl(description) {
		description = ""
	}
	id := uuid.New()
	signing, err := s.sealer.Seal([]byte(transport.NewSecret()), sealContext(id, "signing"))
	if err != nil {
		return Endpoint{}, err
	}
	inbound, err := s.sealer.Seal([]byte(transport.NewSecret()), sealContext(id, "inbound"))
	if err != nil {
		return Endpoint{}, err
	}
	var e Endpoint
	err = scanEndpoint(tx.QueryRowContext(ctx, `INSERT INTO webhook_endpoints
			(id, tenant_id, url, description, event_types, enabled, disabled_reason, imported_unconfirmed, secret, inbound_secret)
		VALUES (?, ?, ?, ?, '{}', false, ?, true, ?, ?) RETURNING `+endpointColumns,
		id, tenantID, u.String(), description, ImportedReason, signing, inbound), &e)
	e.InboundURL = s.inboundURL(id)
	return e, err
}
