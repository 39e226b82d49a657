package audit_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/db/dbtest"
)

type fixture struct {
	d     *db.DB
	store *audit.Store
	a, b  uuid.UUID
	ownA  actor.Actor
	ownB  actor.Actor
	admin actor.Actor
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	d := dbtest.New(t)
	f := fixture{d: d, store: audit.NewStore(d)}
	for _, id := range []*uuid.UUID{&f.a, &f.b} {
		err := d.Tx(context.Background(), db.System("test: create tenants"), func(ctx context.Context, tx db.Tx) error {
			return tx.NewRaw("INSERT INTO tenants (name, slug) VALUES (?, ?) RETURNING id", "T", uuid.NewString()[:8]).Scan(ctx, id)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	f.ownA = actor.User(uuid.Nil, "ann@a.example", actor.RoleOwner).In(f.a).From("203.0.113.1", "ua-a").ForRequest("req-a")
	f.ownB = actor.User(uuid.Nil, "bob@b.example", actor.RoleOwner).In(f.b)
	f.admin = actor.PlatformAdmin(uuid.Nil, "root@mailvet.example").From("198.51.100.7", "ua-admin").ForRequest("req-admin")
	return f
}

func (f fixture) record(t *testing.T, tenant uuid.UUID, by actor.Actor, action, targetType, targetID string) {
	t.Helper()
	err := f.d.Tx(context.Background(), db.Tenant(tenant), func(ctx context.Context, tx db.Tx) error {
		return audit.RecordChanges(ctx, tx, tenant, by, action, targetType, targetID, map[string]any{"note": "n-" + targetID},
			map[string]audit.Change{"role": {Before: "member", After: "admin"}, "same": {Before: 1, After: 1}})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A tenant's log, export and single events show its own rows only; a
// platform admin's row shows as "mailvet support" there, and as the admin
// on the platform's log, which shows every tenant's.
func TestTenantLogIsolationAndSupportRows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.record(t, f.a, f.ownA, audit.MemberRoleChange, "user", "u1")
	f.record(t, f.a, f.admin, audit.TenantUpdated, "tenant", "t1")
	f.record(t, f.b, f.ownB, audit.APIKeyCreated, "api_key", "k1")

	page, err := f.store.Events(ctx, f.a, audit.Filter{}, f.ownA)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Events) != 2 {
		t.Fatalf("A sees %d events, want 2: %+v", len(page.Events), page.Events)
	}
	support, own := page.Events[0], page.Events[1]
	if support.ActorEmail != audit.Support || support.IP != "" || support.UserAgent != "" || !support.BySupport {
		t.Fatalf("support row in the tenant's log = %+v", support)
	}
	if own.RequestID != "req-a" || own.IP != "203.0.113.1" || own.Changes["role"].After != "admin" {
		t.Fatalf("own row = %+v", own)
	}
	if _, kept := own.Changes["same"]; kept {
		t.Fatalf("an unchanged field was recorded as a change: %+v", own.Changes)
	}
	// The admin's address finds nothing in the tenant's log.
	for _, flt := range []audit.Filter{{Actor: "root@mailvet.example"}, {Q: "root@mailvet"}} {
		if p, err := f.store.Events(ctx, f.a, flt, f.ownA); err != nil || len(p.Events) != 0 {
			t.Fatalf("filter %+v in the tenant's log = %+v, %v", flt, p.Events, err)
		}
	}
	if p, _ := f.store.Events(ctx, f.a, audit.Filter{Actor: audit.Support}, f.ownA); len(p.Events) != 1 {
		t.Fatalf("actor=mailvet support finds %d events", len(p.Events))
	}
	// Another tenant's event is not found, whoever asks.
	bEvents, _ := f.store.Events(ctx, f.b, audit.Filter{}, f.ownB)
	if len(bEvents.Events) != 1 {
		t.Fatalf("B sees %+v", bEvents.Events)
	}
	if _, err := f.store.Event(ctx, f.a, bEvents.Events[0].ID, f.ownA); !errors.Is(err, audit.ErrNotFound) {
		t.Fatalf("A reading B's event: %v", err)
	}
	if _, err := f.store.Events(ctx, f.b, audit.Filter{}, f.ownA); !errors.Is(err, audit.ErrNotFound) {
		t.Fatalf("A's owner reading B's log: %v", err)
	}
	var buf bytes.Buffer
	if err := f.store.Export(ctx, f.a, audit.Filter{}, audit.JSONLines, &buf, f.ownA); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 2 || strings.Contains(buf.String(), "root@mailvet") || strings.Contains(buf.String(), "k1") {
		t.Fatalf("A's export:\n%s", buf.String())
	}
	// Members may not read the log; the platform's log needs an admin.
	member := actor.User(uuid.Nil, "m@a.example", actor.RoleMember).In(f.a)
	if _, err := f.store.Events(ctx, f.a, audit.Filter{}, member); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("member reading the log: %v", err)
	}
	if _, err := f.store.PlatformEvents(ctx, audit.Filter{}, f.ownA); !errors.Is(err, actor.ErrForbidden) {
		t.Fatalf("tenant owner reading the platform's log: %v", err)
	}
	all, err := f.store.PlatformEvents(ctx, audit.Filter{Actor: "root@mailvet.example"}, f.admin)
	if err != nil || len(all.Events) != 1 || all.Events[0].IP != "198.51.100.7" || all.Events[0].TenantSlug == "" {
		t.Fatalf("platform log by the admin = %+v, %v", all.Events, err)
	}
}

// Filters narrow the log and cursors walk it without gaps or repeats.
func TestFiltersAndCursorPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := range 7 {
		f.record(t, f.a, f.ownA, audit.APIKeyCreated, "api_key", "k"+string(rune('0'+i)))
	}
	f.record(t, f.a, f.ownA, audit.MemberRoleChange, "user", "u9")
	check := func(flt audit.Filter, want int) {
		t.Helper()
		p, err := f.store.Events(ctx, f.a, flt, f.ownA)
		if err != nil || len(p.Events) != want {
			t.Fatalf("filter %+v = %d events (%v), want %d", flt, len(p.Events), err, want)
		}
	}
	check(audit.Filter{Action: "api_key"}, 7)
	check(audit.Filter{Action: "api_key.created"}, 7)
	check(audit.Filter{Action: "api_ke"}, 0)
	check(audit.Filter{Target: "user:u9"}, 1)
	check(audit.Filter{Target: "k3"}, 1)
	check(audit.Filter{Actor: "ANN@a.example"}, 8)
	check(audit.Filter{Actor: "api_key"}, 0)
	check(audit.Filter{Q: "N-K5"}, 1)
	future := time.Now().Add(time.Hour)
	check(audit.Filter{Since: &future}, 0)
	check(audit.Filter{Until: &future}, 8)

	seen := map[int64]bool{}
	cur := ""
	for pages := 0; ; pages++ {
		p, err := f.store.Events(ctx, f.a, audit.Filter{Limit: 3, Cursor: cur}, f.ownA)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Events {
			if seen[e.ID] {
				t.Fatalf("event %d on two pages", e.ID)
			}
			seen[e.ID] = true
		}
		if cur = p.Next; cur == "" {
			break
		}
	}
	if len(seen) != 8 {
		t.Fatalf("pages gave %d events, want 8", len(seen))
	}
	if _, err := f.store.Events(ctx, f.a, audit.Filter{Cursor: "nope"}, f.ownA); !errors.Is(err, audit.ErrBadCursor) {
		t.Fatalf("bad cursor: %v", err)
	}
}

// The CSV export is one header and one row per event, formulas defused.
func TestExportCSV(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.record(t, f.a, f.ownA, audit.APIKeyCreated, "api_key", "=cmd")
	f.record(t, f.a, f.admin, audit.APIKeyRevoked, "api_key", "k2")
	var buf bytes.Buffer
	if err := f.store.Export(ctx, f.a, audit.Filter{}, audit.CSV, &buf, f.ownA); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv rows = %d, %v", len(rows), err)
	}
	if rows[1][3] != audit.Support || rows[2][9] != "'=cmd" {
		t.Fatalf("csv rows: %q", rows)
	}
	buf.Reset()
	if err := f.store.PlatformExport(ctx, audit.Filter{}, audit.JSONLines, &buf, f.admin); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	var emails []string
	for sc.Scan() {
		var e audit.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		emails = append(emails, e.ActorEmail)
	}
	if strings.Join(emails, ",") != "root@mailvet.example,ann@a.example" {
		t.Fatalf("platform export actors = %v", emails)
	}
	if err := f.store.Export(ctx, f.a, audit.Filter{}, "xml", &buf, f.ownA); !errors.Is(err, audit.ErrBadFormat) {
		t.Fatalf("xml export: %v", err)
	}
}

// Purge deletes the events past retention, every tenant's, and keeps the rest.
func TestPurgeDeletesOnlyEventsPastRetention(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.record(t, f.a, f.ownA, audit.APIKeyCreated, "api_key", "old")
	f.record(t, f.b, f.ownB, audit.APIKeyCreated, "api_key", "old-b")
	f.record(t, f.a, f.ownA, audit.APIKeyCreated, "api_key", "new")
	err := f.d.Tx(ctx, db.System("test: age two events"), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE audit_events SET created_at = now() - interval '401 days' WHERE target_id LIKE 'old%'`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.store.Purge(ctx, audit.DefaultRetention)
	if err != nil || n != 2 {
		t.Fatalf("purge = %d, %v; want 2", n, err)
	}
	p, _ := f.store.Events(ctx, f.a, audit.Filter{}, f.ownA)
	if len(p.Events) != 1 || p.Events[0].TargetID != "new" {
		t.Fatalf("left: %+v", p.Events)
	}
}
