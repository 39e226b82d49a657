package lists_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/jobs"
	"mailvet/lists"
	"mailvet/secretbox"
	"mailvet/verify/mailsim"
	"mailvet/webhooks"
	"mailvet/webhooks/transport"
)

// crashOnce records events through the real webhooks service, but the
// first list.completed fails after its rows are written, as if the worker
// died inside the transaction that completes the list.
type crashOnce struct {
	svc     *webhooks.Service
	crashed atomic.Bool
}

func (c *crashOnce) Record(ctx context.Context, tx db.Tx, tenantID uuid.UUID, eventType string, data any) (webhooks.Event, error) {
	ev, err := c.svc.Record(ctx, tx, tenantID, eventType, data)
	if err == nil && eventType == webhooks.ListCompleted && c.crashed.CompareAndSwap(false, true) {
		return ev, errors.New("worker died before the commit")
	}
	return ev, err
}

// A list's completion and its list.completed event commit together: when
// the completing transaction dies, neither is kept, the batch runs again,
// and exactly one event is recorded, with the list's final counts.
func TestListCompletedIsRecordedExactlyOnce(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{{Name: "shop.test", Mailboxes: []string{"ann", "bob"}}}})
	e := setup(t, world, lists.Options{})
	inserter, err := jobs.NewClient(e.d, jobs.Deps{}, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ring, err := secretbox.ParseKeyring("k1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
	if err != nil {
		t.Fatal(err)
	}
	link := func(p string) string { return "https://mailvet.test" + p }
	svc := webhooks.NewService(e.d, inserter, ring, transport.NewClient(transport.Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}),
		nil, link, webhooks.Options{})
	recorder := &crashOnce{svc: svc}
	e.store.WithEvents(recorder, link)
	e.start(1)
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: "crm", Emails: []string{"ann@shop.test", "bob@shop.test", "nobody@shop.test", "bad@@x"}})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(t, a.ID, l.ID, a.Owner, done)
	if !recorder.crashed.Load() {
		t.Fatal("the completing transaction never ran into the crash")
	}
	page, err := svc.Events(ctx, a.ID, webhooks.EventFilter{Type: webhooks.ListCompleted}, a.Owner)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 1 {
		t.Fatalf("%d list.completed events, want exactly 1", len(page.Events))
	}
	data := string(page.Events[0].Data)
	for _, want := range []string{`"list_id":"` + l.ID.String() + `"`, `"status":"completed"`, `"deliverable":2`, `"undeliverable":2`,
		`"export_url":"https://mailvet.test/v1/lists/` + l.ID.String() + `/export"`} {
		if !strings.Contains(data, want) {
			t.Fatalf("event data %s lacks %s", data, want)
		}
	}
	// Cancelling a finished list records nothing more.
	if _, err := e.store.Cancel(ctx, a.ID, l.ID, a.Owner); !errors.Is(err, lists.ErrFinished) {
		t.Fatalf("cancel: %v", err)
	}
	if page, _ := svc.Events(ctx, a.ID, webhooks.EventFilter{}, a.Owner); len(page.Events) != 1 {
		t.Fatalf("%d events after cancelling a finished list", len(page.Events))
	}
}
