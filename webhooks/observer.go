package webhooks

// Observer is told of every delivery attempt, for monitoring
// (metrics.Metrics): its outcome (delivered, failed or gone), and of every
// delivery that became a dead letter. An interface of the package's own,
// so that it knows no metrics system and its tests need none.
type Observer interface {
	WebhookAttempt(outcome string)
	WebhookDeadLetter()
}

// Attempt outcomes as monitoring names them.
const (
	OutcomeDelivered = "delivered"
	OutcomeFailed    = "failed"
	OutcomeGone      = "gone" // 410: the endpoint is disabled
)

// WithObserver reports to o.
func (d *Deliverer) WithObserver(o Observer) *Deliverer {
	d.obs = o
	return d
}

// unobserved is the Observer of a deliverer that reports to none.
type unobserved struct{}

func (unobserved) WebhookAttempt(string) {}
func (unobserved) WebhookDeadLetter()    {}

// observe reports a settled attempt; one never sent (an endpoint disabled
// before it) counts only as the dead letter it made.
func (d *Deliverer) observe(rec attemptRecord, dead bool) {
	switch {
	case rec.ok:
		d.obs.WebhookAttempt(OutcomeDelivered)
	case rec.gone:
		d.obs.WebhookAttempt(OutcomeGone)
	case rec.sent:
		d.obs.WebhookAttempt(OutcomeFailed)
	}
	if dead && !rec.ok {
		d.obs.WebhookDeadLetter()
	}
}
