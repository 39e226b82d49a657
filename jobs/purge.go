package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"mailvet/billing"
	"mailvet/inbound"
	"mailvet/tenants"
)

// PurgeExpiredArgs is the periodic clean-up of expired sessions, invites
// and emailed links, of Stripe event ids past their memory, and of CRM
// pushes past their dedupe window.
type PurgeExpiredArgs struct{}

// Kind names the job.
func (PurgeExpiredArgs) Kind() string { return "maintenance.purge_expired" }

// PurgeExpiredWorker runs the purge.
type PurgeExpiredWorker struct {
	river.WorkerDefaults[PurgeExpiredArgs]
	Tenants *tenants.Store
	Stripe  *billing.Stripe  // nil: no Stripe events to forget
	Inbound *inbound.Service // nil: no pushes to forget
}

type purgeOutput struct {
	tenants.PurgeResult
	StripeEvents int64
	Pushes       int64
}

// Work deletes what has expired and records the counts on the job.
func (w *PurgeExpiredWorker) Work(ctx context.Context, job *river.Job[PurgeExpiredArgs]) error {
	var out purgeOutput
	var err error
	if out.PurgeResult, err = w.Tenants.PurgeExpired(ctx); err != nil {
		return err
	}
	if w.Stripe != nil {
		if out.StripeEvents, err = w.Stripe.PurgeEvents(ctx); err != nil {
			return err
		}
	}
	if w.Inbound != nil {
		if out.Pushes, err = w.Inbound.Purge(ctx); err != nil {
			return err
		}
	}
	return river.RecordOutput(ctx, out)
}
