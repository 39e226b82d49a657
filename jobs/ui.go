package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"riverqueue.com/riverui"
)

// UIPrefix is where the admin console mounts River's UI.
const UIPrefix = "/admin/river"

// NewUI is River's own UI (queues, running and failed jobs) over client's
// database, for the admin console at UIPrefix, started: it keeps a cache
// of job counts fresh while ctx lasts.
func NewUI(ctx context.Context, client *Client, log *slog.Logger) (http.Handler, error) {
	h, err := riverui.NewHandler(&riverui.HandlerOpts{
		Endpoints: riverui.NewEndpoints(client, nil),
		Logger:    log,
		Prefix:    UIPrefix,
		// Job arguments name tenants and lists: shown on request only.
		JobListHideArgsByDefault: true,
	})
	if err != nil {
		return nil, fmt.Errorf("river ui: %w", err)
	}
	if err := h.Start(ctx); err != nil {
		return nil, fmt.Errorf("start river ui: %w", err)
	}
	return h, nil
}
