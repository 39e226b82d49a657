package jobs

import (
	"context"
	"database/sql"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"mailvet/tenants"
)

// PasswordResetWorker does the work of a password-reset request through
// the tenants domain, which completes the job in the same transaction as
// the token and the mail it queues (none for an unknown address).
type PasswordResetWorker struct {
	river.WorkerDefaults[tenants.PasswordResetArgs]
	Tenants *tenants.Store
}

// Work sends the reset link, if the address has an account.
func (w *PasswordResetWorker) Work(ctx context.Context, job *river.Job[tenants.PasswordResetArgs]) error {
	return w.Tenants.SendPasswordReset(ctx, job.Args, func(ctx context.Context, tx *sql.Tx) error {
		_, err := river.JobCompleteTx[*riverdatabasesql.Driver](ctx, tx, job)
		return err
	})
}
