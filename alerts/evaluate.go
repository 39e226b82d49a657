package alerts

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
)

// Notice kinds.
const (
	Firing   = "firing"
	Resolved = "resolved"
)

// Evaluation says what one evaluation did.
type Evaluation struct {
	Rules    int      `json:"rules"`
	Fired    []string `json:"fired,omitempty"`
	Resolved []string `json:"resolved,omitempty"`
}

// Evaluate reads every enabled rule's metric and moves the rule's state,
// queuing its notices (mails, the operator webhook) in the same
// transaction. The rules are locked while they move, so evaluations that
// overlap (two workers, a late leader) wait for each other and the second
// finds the state the first left: a transition is notified once.
func (s *Service) Evaluate(ctx context.Context) (Evaluation, error) {
	var ev Evaluation
	// The health checks go first, outside the transaction: they may wait
	// on the network, and the rules stay locked no longer than needed.
	failing := s.failingChecks(ctx)
	err := s.db.Tx(ctx, db.System("alerts: metrics over every tenant's requests, deliveries and runs"), func(ctx context.Context, tx db.Tx) error {
		ev = Evaluation{}
		var rules []Rule
		if err := tx.NewRaw(`SELECT `+ruleColumns+` FROM alert_rules WHERE enabled ORDER BY id FOR UPDATE`).Scan(ctx, &rules); err != nil {
			return err
		}
		now := s.now()
		for _, r := range rules {
			r.For = time.Duration(r.ForSecs) * time.Second
			v, err := value(ctx, tx, r, failing)
			if err != nil {
				return fmt.Errorf("alert %q: %w", r.Name, err)
			}
			next := transition(r, v > r.Threshold, now)
			if _, err := tx.ExecContext(ctx, `UPDATE alert_rules SET state = ?, pending_since = ?, fired_at = ?, last_value = ?, last_evaluated_at = ?
				WHERE id = ?`, next.State, next.PendingSince, next.FiredAt, v, now, r.ID); err != nil {
				return err
			}
			if next.notice == "" {
				continue
			}
			if err := s.notify(ctx, tx, r, next.notice, v); err != nil {
				return err
			}
			if next.notice == Firing {
				ev.Fired = append(ev.Fired, r.Name)
			} else {
				ev.Resolved = append(ev.Resolved, r.Name)
			}
		}
		ev.Rules = len(rules)
		// The per-process loss counts older than any rule reads.
		_, err := tx.ExecContext(ctx, `DELETE FROM request_log_drops WHERE created_at < now() - interval '1 day'`)
		return err
	})
	return ev, err
}

// step is a rule's next state and the notice the move sends, if any.
type step struct {
	State        string
	PendingSince *time.Time
	FiredAt      *time.Time
	notice       string
}

// transition moves r on: breached means the metric is over the threshold
// now. The condition must hold for r.For (since PendingSince) to fire;
// a firing rule resolves the first time it does not hold.
func transition(r Rule, breached bool, now time.Time) step {
	if !breached {
		if r.State == StateFiring {
			return step{State: StateOK, notice: Resolved}
		}
		return step{State: StateOK}
	}
	switch {
	case r.State == StateFiring:
		return step{State: StateFiring, PendingSince: r.PendingSince, FiredAt: r.FiredAt}
	case r.State == StatePending && r.PendingSince != nil:
		if now.Sub(*r.PendingSince) >= r.For {
			return step{State: StateFiring, PendingSince: r.PendingSince, FiredAt: &now, notice: Firing}
		}
		return step{State: StatePending, PendingSince: r.PendingSince}
	case r.For <= 0:
		return step{State: StateFiring, PendingSince: &now, FiredAt: &now, notice: Firing}
	default:
		return step{State: StatePending, PendingSince: &now}
	}
}

// notify records the notice and queues a mail to every platform admin
// and, when there is one, the operator webhook's delivery.
func (s *Service) notify(ctx context.Context, tx db.Tx, r Rule, kind string, v float64) error {
	var id uuid.UUID
	if err := tx.QueryRowContext(ctx, `INSERT INTO alert_notices (rule_id, kind, value) VALUES (?, ?, ?) RETURNING id`, r.ID, kind, v).Scan(&id); err != nil {
		return err
	}
	var admins []string
	if err := tx.NewRaw(`SELECT email FROM users WHERE platform_admin AND locked_at IS NULL ORDER BY email`).Scan(ctx, &admins); err != nil {
		return err
	}
	msg := noticeMail(r, kind, v, s.link("/admin/alerts"))
	for _, to := range admins {
		msg.To = to
		if err := s.mail.Enqueue(ctx, tx.Tx.Tx, msg); err != nil {
			return err
		}
	}
	if s.hook.URL == "" {
		return nil
	}
	_, err := s.mail.Jobs().InsertTx(ctx, tx.Tx.Tx, WebhookArgs{NoticeID: id}, nil)
	return err
}
