package verifications

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/db/dbtest"
)

// A list batch's cache lookup probes the index key by key even when the
// statistics are from when the tenant's cache was small, as they are
// while a big list fills it: planned as a scan of the tenant's rows, the
// lookup grew with every batch (cachedManySQL).
func TestCacheLookupProbesTheIndexWithStaleStatistics(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	var tenant uuid.UUID
	if err := d.Tx(ctx, db.System("test: seed a cache"), func(ctx context.Context, tx db.Tx) error {
		if err := tx.QueryRowContext(ctx, "INSERT INTO tenants (name, slug) VALUES ('T', 't') RETURNING id").Scan(&tenant); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "ANALYZE verification_cache"); err != nil { // empty: the stale statistics
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO verification_cache (tenant_id, normalized, result)
			SELECT ?, 'u' || g || '@d' || (g % 50) || '.test', '{"status":"deliverable"}' FROM generate_series(1, 50000) AS g`, tenant)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 5000)
	for i := range keys {
		keys[i] = fmt.Sprintf("new%d@d%d.test", i, i%50)
	}
	var plan []string
	if err := d.Tx(ctx, db.Tenant(tenant), func(ctx context.Context, tx db.Tx) error {
		rows, err := sqlTx(tx).QueryContext(ctx, "EXPLAIN "+cachedManySQL, tenant, keys, 3600.0)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			plan = append(plan, line)
		}
		return rows.Err()
	}); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "Index Scan using verification_cache_pkey") || strings.Contains(text, "Seq Scan on verification_cache") ||
		strings.Contains(text, "Bitmap Heap Scan on verification_cache") || strings.Contains(text, "Hash") {
		t.Fatalf("the lookup is not one index probe per key:\n%s", text)
	}
}
