package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/webhook"

	"mailvet/db"
)

// verifiedEvent checks a delivery's signature and reads its event.
//
// stripe-go refuses a signature timestamp older than the tolerance but
// not one ahead of the clock, which would let a captured delivery signed
// "in the future" be replayed for as long as it stays ahead: the tolerance
// is applied the other way here.
func (s *Stripe) verifiedEvent(payload []byte, signature string) (stripe.Event, error) {
	ev, err := webhook.ConstructEventWithOptions(payload, signature, s.cfg.WebhookSecret,
		webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true, Tolerance: webhook.DefaultTolerance})
	if err != nil {
		switch {
		case errors.Is(err, webhook.ErrNotSigned), errors.Is(err, webhook.ErrInvalidHeader),
			errors.Is(err, webhook.ErrNoValidSignature), errors.Is(err, webhook.ErrTooOld):
			return ev, fmt.Errorf("%w: %v", ErrBadSignature, err)
		}
		return ev, fmt.Errorf("%w: %v", ErrBadEvent, err)
	}
	signed, ok := signedAt(signature)
	if !ok {
		return ev, fmt.Errorf("%w: no timestamp", ErrBadSignature)
	}
	if ahead := signed.Sub(s.now()); ahead > webhook.DefaultTolerance {
		return ev, fmt.Errorf("%w: timestamp %s ahead of this server's clock", ErrBadSignature, ahead.Round(time.Second))
	}
	if ev.ID == "" || ev.Data == nil || ev.Created == 0 {
		return ev, fmt.Errorf("%w: no id, data or created time", ErrBadEvent)
	}
	return ev, nil
}

// signedAt reads the t= timestamp of a Stripe-Signature header as
// stripe-go does (the last one given).
func signedAt(header string) (time.Time, bool) {
	var at time.Time
	ok := false
	for _, pair := range strings.Split(header, ",") {
		k, v, found := strings.Cut(pair, "=")
		if !found || k != "t" {
			continue
		}
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return at, false
		}
		at, ok = time.Unix(sec, 0), true
	}
	return at, ok
}

// recordEvent stores an event's id and reports whether it is new. A
// concurrent delivery of the same event waits here for the first to
// commit, then finds the id.
func recordEvent(ctx context.Context, tx *sql.Tx, ev stripe.Event) (bool, error) {
	r, err := tx.ExecContext(ctx, `INSERT INTO stripe_events (id, type) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, ev.ID, string(ev.Type))
	if err != nil {
		return false, err
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// EventMemory is how long processed webhook event ids are kept. Stripe
// redelivers an event for at most three days and lets it be resent for 30
// (events older than that cannot be retrieved), so an id older than this
// can never arrive again.
const EventMemory = 90 * 24 * time.Hour

// PurgeEvents forgets the ids of events processed more than EventMemory
// ago. It works with billing off too: the table is simply empty.
func (s *Stripe) PurgeEvents(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		res, err := sqlTx(tx).ExecContext(ctx, `DELETE FROM stripe_events WHERE received_at < now() - make_interval(secs => $1)`, EventMemory.Seconds())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
