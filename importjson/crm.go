package importjson

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/webhooks"
)

// crmConfig is a CRM config's endpoint to make.
type crmConfig struct {
	url, description string
}

// crmConfigsFile is crm_configs.json: each config's webhook URL becomes a
// webhook endpoint, disabled and unconfirmed until an admin enables it.
// The CRM's own credentials in the config are not carried over.
func crmConfigsFile(endpoints Endpoints) file {
	return file{
		name: "crm_configs.json", target: "webhook_endpoint", batch: 100,
		parse: func(rec Record) (any, error) {
			f := rec.Fields
			raw, ok := f.String("webhook_url", "url", "endpoint", "callback_url", "webhook")
			if !ok || raw == "" {
				return nil, errors.New("missing URL (no webhook_url or url field)")
			}
			u, err := url.Parse(raw)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return nil, fmt.Errorf("URL is not http(s): %q", clip(raw))
			}
			crm, _ := f.String("crm", "crm_type", "type", "provider", "name")
			desc := "Imported from the old service"
			if crm != "" {
				desc += ": " + crm
			}
			return crmConfig{url: raw, description: strings.TrimSpace(desc)}, nil
		},
		write: func(ctx context.Context, tx db.Tx, tenantID uuid.UUID, items []item, _ *FileReport) ([]outcome, error) {
			out := make([]outcome, len(items))
			for i, it := range items {
				c := it.value.(crmConfig)
				e, err := endpoints.ImportEndpoint(ctx, tx, tenantID, c.url, c.description)
				switch {
				case errors.Is(err, webhooks.ErrNotHTTP): // too long for an endpoint, say
					out[i].skip = fmt.Errorf("URL refused: %w", err)
				case err != nil:
					return nil, err
				default:
					out[i].target = e.ID.String()
				}
			}
			return out, nil
		},
	}
}
