package verifications_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgconn"

	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/verifications"
	"mailvet/verify"
)

// The result cache keeps to its tenants as a foreign key would (the
// triggers of migration verification_cache_checked_per_statement): no
// entry names a tenant that does not exist, none moves to another, and a
// tenant's delete takes its entries and only its entries.
func TestCacheKeepsToItsTenants(t *testing.T) {
	d := dbtest.New(t)
	ctx := context.Background()
	kept, gone := newTenant(t, d), newTenant(t, d)
	insert := func(tenant uuid.UUID, email string) error {
		return d.Tx(ctx, db.System("test: write the cache directly"), func(ctx context.Context, tx db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO verification_cache (tenant_id, normalized, result) VALUES (?, ?, '{}')`, tenant, email)
			return err
		})
	}
	isReference := func(err error) bool {
		var pg *pgconn.PgError
		return errors.As(err, &pg) && pg.Code == "23503" && pg.ConstraintName == "verification_cache_tenant_id_fkey"
	}
	if err := insert(uuid.New(), "nobody@x.test"); !isReference(err) {
		t.Errorf("an entry of a tenant that does not exist: %v, want the reference refused", err)
	}
	for _, tenant := range []uuid.UUID{kept, gone} {
		if err := insert(tenant, "ann@x.test"); err != nil {
			t.Fatal(err)
		}
	}
	// The batch path, through the service's own statement.
	svc := verifications.NewService(d, &countingEngine{}, nil, time.Second)
	if err := d.Tx(ctx, db.Tenant(kept), func(ctx context.Context, tx db.Tx) error {
		return svc.SaveVerdicts(ctx, tx, kept, false, []verify.Result{{Email: "bob@x.test", Normalized: "bob@x.test",
			Status: verify.Deliverable, Reason: verify.ReasonAccepted, CheckedAt: time.Now()}})
	}); err != nil {
		t.Fatal(err)
	}
	err := d.Tx(ctx, db.System("test: move an entry"), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE verification_cache SET tenant_id = ? WHERE tenant_id = ?`, gone, kept)
		return err
	})
	if !isReference(err) {
		t.Errorf("moving entries to another tenant: %v, want it refused", err)
	}
	exec(t, d, `DELETE FROM tenants WHERE id = ?`, gone)
	if n := count(t, d, `SELECT count(*) FROM verification_cache WHERE tenant_id = ?`, gone); n != 0 {
		t.Errorf("the deleted tenant left %d entries", n)
	}
	if n := count(t, d, `SELECT count(*) FROM verification_cache WHERE tenant_id = ?`, kept); n != 2 {
		t.Errorf("the other tenant has %d entries, want 2", n)
	}
}
