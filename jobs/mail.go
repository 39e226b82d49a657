package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"mailvet/mail"
)

// SendMailWorker delivers queued mail; River retries failures with backoff.
type SendMailWorker struct {
	river.WorkerDefaults[mail.SendArgs]
	Mailer mail.Sender
}

// Work sends one message.
func (w *SendMailWorker) Work(ctx context.Context, job *river.Job[mail.SendArgs]) error {
	return w.Mailer.Send(ctx, job.Args.Message)
}
