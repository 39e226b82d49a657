package jobs

import (
	"context"
	"testing"

	"github.com/riverqueue/river/rivertype"

	"mailvet/db"
	"mailvet/db/dbtest"
)

// A job's statements carry its kind, so a slow one says which job sent it.
func TestJobStatementsAreLabelledWithTheirKind(t *testing.T) {
	d := dbtest.New(t)
	seen := &dbtest.Statements{}
	d.ObserveQueries(seen)
	t.Cleanup(func() { d.ObserveQueries(nil) })
	err := labelJobs{}.Work(context.Background(), &rivertype.JobRow{Kind: "mail.send"}, func(ctx context.Context) error {
		_, err := d.Exec(ctx, db.Platform(), `SELECT 1`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := seen.Labels(); len(got) != 1 || got[0] != "job mail.send" {
		t.Fatalf("labels %q, want one statement of job mail.send", got)
	}
}
