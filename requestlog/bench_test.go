package requestlog_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/db/dbtest"
	"mailvet/requestlog"
)

// BenchmarkWriterCopy measures what the log costs the database: b.N
// requests recorded and written in batches of 1,000 (the default), as the
// writer does under load; it reports rows written per second.
func BenchmarkWriterCopy(b *testing.B) {
	d := dbtest.New(b)
	var tenants []uuid.UUID
	for range 10 {
		tenants = append(tenants, newTenant(b, d))
	}
	w := requestlog.NewWriter(d, requestlog.WriterOptions{Buffer: b.N + 1, Every: time.Hour})
	defer w.Close(context.Background())
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		w.Record(entry(tenants[i%len(tenants)], i))
	}
	if err := w.Flush(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "rows/s")
	if w.Failed() != 0 || w.Drops() != 0 {
		b.Fatalf("failed %d, dropped %d", w.Failed(), w.Drops())
	}
}
