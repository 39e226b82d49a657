package lists_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/jobs"
	"mailvet/lists"
)

// contactsCSV is a generated upload of n rows in 4 columns where one
// address in ten repeats an earlier one (half of those in other case).
func contactsCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("email,first_name,last_name,company\n")
	for i := 1; i <= n; i++ {
		addr := fmt.Sprintf("contact%d@domain%d.test", i, i%500)
		if i%10 == 0 {
			j := i - 7
			addr = fmt.Sprintf("contact%d@domain%d.test", j, j%500)
			if i%20 == 0 {
				addr = strings.ToUpper(addr)
			}
		}
		fmt.Fprintf(&b, "%s,First%d,Last%d,Company %d Ltd\n", addr, i, i, i%1000)
	}
	return b.Bytes()
}

// BenchmarkIngest200k uploads a generated 200,000-row CSV through
// Store.Create with an insert-only River client: the rows are copied
// (through the stage table that row-level security needs), de-duplicated,
// and the batches queued, in one tenant transaction. The million-row
// benchmark lives with the benchmark command (mailvet-bench lists).
//
//	go test -run '^$' -bench Ingest200k -benchtime 3x ./lists/
func BenchmarkIngest200k(b *testing.B) {
	const rows = 200_000
	ctx := context.Background()
	d := dbtest.New(b)
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	store := lists.NewStore(d, inserter, lists.Options{})
	var tenant uuid.UUID
	if err := d.Tx(ctx, db.System("bench: seed a tenant"), func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw(`INSERT INTO tenants (name, slug) VALUES ('Bench', 'bench') RETURNING id`).Scan(ctx, &tenant)
	}); err != nil {
		b.Fatal(err)
	}
	file := contactsCSV(rows)
	by := actor.Operator()
	var took time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		l, _, err := store.Create(ctx, lists.NewList{TenantID: tenant, By: by, Name: "bench", File: bytes.NewReader(file)})
		took += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if l.TotalRows != rows || l.DuplicateRows != rows/10 {
			b.Fatalf("stored %d rows, %d duplicates", l.TotalRows, l.DuplicateRows)
		}
		if err := store.Delete(ctx, tenant, l.ID, by); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(rows*b.N)/took.Seconds(), "rows/s")
}
