package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"mailvet/billing"
)

// ReportUsageArgs is the periodic report of metered overage to Stripe.
type ReportUsageArgs struct{}

// Kind names the job.
func (ReportUsageArgs) Kind() string { return "billing.report_usage" }

// ReportUsageWorker sends each paid tenant's overage to Stripe when it
// changed. Without Stripe it does nothing.
type ReportUsageWorker struct {
	river.WorkerDefaults[ReportUsageArgs]
	Stripe *billing.Stripe
}

// Work reports usage and records the counts on the job. A tenant whose
// report failed makes the job fail and retry; the others are stored and
// not sent again.
func (w *ReportUsageWorker) Work(ctx context.Context, job *river.Job[ReportUsageArgs]) error {
	res, err := w.Stripe.ReportUsage(ctx)
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, res)
}
