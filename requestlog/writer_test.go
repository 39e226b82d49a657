package requestlog_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/requestlog"
	"mailvet/testlog"
)

func newTenant(t testing.TB, d *db.DB) uuid.UUID {
	t.Helper()
	var id uuid.UUID
	err := d.Tx(context.Background(), db.System("test: seed a tenant"), func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw("INSERT INTO tenants (name, slug) VALUES (?, ?) RETURNING id", "T", "t-"+uuid.NewString()[:8]).Scan(ctx, &id)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func entry(tenant uuid.UUID, n int) requestlog.Entry {
	return requestlog.Entry{
		TenantID: tenant, At: time.Now(), KeyID: uuid.New(), KeyPrefix: "mv_test_abcd",
		Method: "POST", Route: "POST /v1/verify", Path: "/v1/verify", Status: 200,
		Duration: 3 * time.Millisecond, RequestID: fmt.Sprintf("req-%d", n), ClientIP: "127.0.0.1",
		UserAgent: "test", BytesIn: 30, BytesOut: 300,
	}
}

func countRows(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	err := d.Tx(context.Background(), db.System("test: count every tenant's rows"), func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM request_logs").Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Many goroutines recording at once are never held up by the writes
// (each Record returns while the COPY of earlier batches runs), and after
// a flush every entry is in the table.
func TestWriterUnderLoadKeepsEveryEntry(t *testing.T) {
	d := dbtest.New(t)
	a, b := newTenant(t, d), newTenant(t, d)
	w := requestlog.NewWriter(d, requestlog.WriterOptions{Buffer: 50000, Batch: 500})
	t.Cleanup(func() { _ = w.Close(context.Background()) })
	const goroutines, each = 50, 400
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			tenant := a
			if g%2 == 1 {
				tenant = b
			}
			for i := range each {
				w.Record(entry(tenant, g*each+i))
			}
		})
	}
	wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if w.Drops() != 0 || w.Failed() != 0 {
		t.Fatalf("drops %d, failed %d; want none with room for every entry", w.Drops(), w.Failed())
	}
	if n := countRows(t, d); n != goroutines*each {
		t.Fatalf("%d rows after the flush, want %d", n, goroutines*each)
	}
	// Each tenant's rows are its own: half each.
	page, err := requestlog.NewStore(d).List(ctx, a, requestlog.Filter{RequestID: "req-0"}, actor.System("test").In(a))
	if err != nil || len(page.Logs) != 1 || page.Logs[0].APIKey == nil || page.Logs[0].APIKey.Prefix != "mv_test_abcd" {
		t.Fatalf("tenant a's req-0: %+v, %v", page, err)
	}
}

// With a buffer of 4 and a writer that cannot keep up (a batch of 4
// waits for its tick of an hour; the buffer holds the rest), the entries
// past the buffer are dropped and counted, and Record still returns at once.
func TestWriterCountsDropsWhenTheBufferIsFull(t *testing.T) {
	d := dbtest.New(t)
	tenant := newTenant(t, d)
	var logged testlog.Buffer
	w := requestlog.NewWriter(d, requestlog.WriterOptions{Buffer: 4, Batch: 100, Every: time.Hour, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	t.Cleanup(func() { _ = w.Close(context.Background()) })
	// The loop takes entries from the buffer into its batch (4 at most,
	// the batch is capped at the buffer) and writes them; what comes
	// while the buffer is full is dropped. Recording many more than the
	// buffer holds, at once, drops some.
	const sent = 10000
	for i := range sent {
		w.Record(entry(tenant, i))
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	drops := w.Drops()
	if drops == 0 {
		t.Fatal("no drops counted with a buffer of 4 and 10,000 entries")
	}
	if n := countRows(t, d); n+int(drops) != sent {
		t.Fatalf("%d rows written and %d dropped, want %d in all", n, drops, sent)
	}
	if !strings.Contains(logged.String(), "entries dropped") || !strings.Contains(logged.String(), fmt.Sprintf("dropped_total=%d", drops)) {
		t.Fatalf("the drops were not logged: %s", logged.String())
	}
	if lost := lostCounted(t, d); lost != int64(drops) {
		t.Fatalf("request_log_drops counts %d, want the %d dropped", lost, drops)
	}
	// After Close nothing is taken, and it says so.
	w.Record(entry(tenant, sent))
	if w.Drops() != drops+1 {
		t.Fatalf("a record after Close: drops %d, want %d", w.Drops(), drops+1)
	}
}

// Close writes what was waiting: a graceful stop loses nothing.
func TestWriterCloseWritesWhatWaits(t *testing.T) {
	d := dbtest.New(t)
	tenant := newTenant(t, d)
	w := requestlog.NewWriter(d, requestlog.WriterOptions{Every: time.Hour})
	for i := range 37 {
		w.Record(entry(tenant, i))
	}
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, d); n != 37 {
		t.Fatalf("%d rows after Close, want 37", n)
	}
}

// A path with bytes PostgreSQL's text refuses (invalid UTF-8, NUL) is
// stored cleaned, and does not sink the batch it is in.
func TestWriterStoresUnreadablePaths(t *testing.T) {
	d := dbtest.New(t)
	tenant := newTenant(t, d)
	w := requestlog.NewWriter(d, requestlog.WriterOptions{Every: time.Hour})
	bad := entry(tenant, 1)
	bad.Path, bad.UserAgent = "/v1/lists/\xff\x00x", string(make([]byte, 5000))
	w.Record(entry(tenant, 0))
	w.Record(bad)
	if err := w.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, d); n != 2 || w.Failed() != 0 {
		t.Fatalf("%d rows, %d failed; want 2 and none", n, w.Failed())
	}
}

// A batch the database refuses (here: a tenant that does not exist) is
// counted as failed and logged, and the writer goes on with the next.
func TestWriterCountsRefusedBatches(t *testing.T) {
	d := dbtest.New(t)
	tenant := newTenant(t, d)
	var logged testlog.Buffer
	w := requestlog.NewWriter(d, requestlog.WriterOptions{Every: time.Hour, Logger: slog.New(slog.NewTextHandler(&logged, nil))})
	t.Cleanup(func() { _ = w.Close(context.Background()) })
	w.Record(entry(uuid.New(), 0))
	w.Record(entry(uuid.New(), 1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if w.Failed() != 2 || !strings.Contains(logged.String(), "a batch was not written") {
		t.Fatalf("failed %d, log %q; want 2 and the error logged", w.Failed(), logged.String())
	}
	w.Record(entry(tenant, 2))
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, d); n != 1 || w.Failed() != 2 {
		t.Fatalf("after a good batch: %d rows, %d failed; want 1 and 2", n, w.Failed())
	}
	if lost := lostCounted(t, d); lost != 2 {
		t.Fatalf("request_log_drops counts %d, want the 2 refused", lost)
	}
}

// lostCounted is what the writers counted in request_log_drops, where the
// alert on lost entries reads them.
func lostCounted(t *testing.T, d *db.DB) int64 {
	t.Helper()
	var n int64
	if err := d.QueryRow(context.Background(), db.Platform(), `SELECT coalesce(sum(dropped), 0) FROM request_log_drops`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
