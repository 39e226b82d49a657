package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"mailvet/alerts"
)

// AlertEvaluateWorker evaluates the alert rules; River's leader inserts
// it once per period, whatever the number of workers.
type AlertEvaluateWorker struct {
	river.WorkerDefaults[alerts.EvaluateArgs]
	Alerts *alerts.Service
}

// Work evaluates and records what fired and resolved on the job.
func (w *AlertEvaluateWorker) Work(ctx context.Context, job *river.Job[alerts.EvaluateArgs]) error {
	ev, err := w.Alerts.Evaluate(ctx)
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, ev)
}

// AlertWebhookWorker posts one alert notice to the operator's webhook.
type AlertWebhookWorker struct {
	river.WorkerDefaults[alerts.WebhookArgs]
	Alerts *alerts.Service
}

// Work posts the notice; a failed post is retried by River.
func (w *AlertWebhookWorker) Work(ctx context.Context, job *river.Job[alerts.WebhookArgs]) error {
	return w.Alerts.PostNotice(ctx, job.Args.NoticeID)
}
