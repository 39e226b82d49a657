package lists

import (
	"context"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/webhooks"
)

// Events records what happens to lists for the tenant's webhooks
// (webhooks.Service), in the transaction of the change it reports.
type Events interface {
	Record(ctx context.Context, tx db.Tx, tenantID uuid.UUID, eventType string, data any) (webhooks.Event, error)
}

// WithEvents makes a list's completion, failure and cancellation events;
// link makes the absolute URLs of their export and results links.
func (s *Store) WithEvents(events Events, link func(path string) string) *Store {
	s.events, s.link = events, link
	return s
}

// recordFinished records list.completed, list.failed or list.cancelled
// for l, in tx, the transaction that finished it. Nothing without Events.
func (s *Store) recordFinished(ctx context.Context, tx db.Tx, l List) error {
	if s.events == nil {
		return nil
	}
	eventType := map[string]string{StatusCompleted: webhooks.ListCompleted, StatusFailed: webhooks.ListFailed,
		StatusCancelled: webhooks.ListCancelled}[l.Status]
	if eventType == "" {
		return nil
	}
	data := webhooks.ListData{ListID: l.ID.String(), Name: l.Name, Status: l.Status, TestMode: l.TestMode, TotalRows: l.TotalRows,
		UniqueRows: l.UniqueRows, DuplicateRows: l.DuplicateRows, SkippedRows: l.SkippedRows,
		Counts:    webhooks.ListCounts{Deliverable: l.Deliverable, Undeliverable: l.Undeliverable, Risky: l.Risky, Unknown: l.Unknown},
		ExportURL: s.link("/v1/lists/" + l.ID.String() + "/export"), ResultsURL: s.link("/v1/lists/" + l.ID.String() + "/results")}
	if l.CompletedAt != nil {
		data.DurationSeconds = l.CompletedAt.Sub(l.CreatedAt).Seconds()
	}
	_, err := s.events.Record(ctx, tx, l.TenantID, eventType, data)
	return err
}
