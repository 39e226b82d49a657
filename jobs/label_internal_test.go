package jobs

import (
	"context"
	"sync"
	"testing"

	"github.com/riverqueue/river/rivertype"

	"mailvet/db"
	"mailvet/db/dbtest"
)

type labels struct {
	mu  sync.Mutex
	got []string
}

func (l *labels) ObserveQuery(_ context.Context, s db.Statement) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, s.Label)
}

// A job's statements carry its kind, so a slow one says which job sent it.
func TestJobStatementsAreLabelledWithTheirKind(t *testing.T) {
	d := dbtest.New(t)
	seen := &labels{}
	d.ObserveQueries(seen)
	t.Cleanup(func() { d.ObserveQueries(nil) })
	err := labelJobs{}.Work(context.Background(), &rivertype.JobRow{Kind: "mail.send"}, func(ctx context.Context) error {
		_, err := d.Exec(ctx, db.Platform(), `SELECT 1`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	seen.mu.Lock()
	defer seen.mu.Unlock()
	if len(seen.got) != 1 || seen.got[0] != "job mail.send" {
		t.Fatalf("labels %q, want one statement of job mail.send", seen.got)
	}
}
