package db_test

import (
	"context"
	"testing"

	"mailvet/db"
	"mailvet/db/dbtest"
)

type discardObserver struct{}

func (discardObserver) ObserveQuery(context.Context, db.Statement) {}

// The cost of measuring every statement: one pgx statement and one bun
// transaction, with and without an observer.
func BenchmarkObservedStatements(b *testing.B) {
	d := dbtest.New(b)
	ctx := context.Background()
	for _, observed := range []bool{false, true} {
		name := "unobserved"
		if observed {
			name = "observed"
			d.ObserveQueries(discardObserver{})
		}
		b.Run(name+"/pgx", func(b *testing.B) {
			for b.Loop() {
				if _, err := d.Exec(ctx, db.Platform(), `SELECT 1`); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/bun-tx", func(b *testing.B) {
			for b.Loop() {
				if err := d.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
					_, err := tx.ExecContext(ctx, `SELECT ?`, 1)
					return err
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
