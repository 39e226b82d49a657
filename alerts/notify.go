package alerts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"mailvet/db"
	"mailvet/mail"
	"mailvet/webhooks/transport"
)

// WebhookArgs is the River job that posts one notice to the operator's
// alert webhook, retried like a mail.
type WebhookArgs struct {
	NoticeID uuid.UUID `json:"notice_id"`
}

// Kind names the job.
func (WebhookArgs) Kind() string { return "alerts.webhook" }

// InsertOpts retries a failing receiver for about a day.
func (WebhookArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 12} }

// EvaluateArgs is the periodic job that evaluates the rules.
type EvaluateArgs struct{}

// Kind names the job.
func (EvaluateArgs) Kind() string { return "alerts.evaluate" }

// Payload is what the operator webhook receives.
type Payload struct {
	Type  string    `json:"type"` // alert.firing | alert.resolved
	ID    uuid.UUID `json:"id"`   // the notice's; also the webhook-id
	At    time.Time `json:"at"`
	Value float64   `json:"value"`
	Rule  Rule      `json:"rule"`
}

// PostNotice posts the notice to the operator webhook, signed the
// Standard Webhooks way with the notice's id as webhook-id (a receiver
// sees a retry as the same message). A notice whose rule was deleted since
// is not sent.
func (s *Service) PostNotice(ctx context.Context, id uuid.UUID) error {
	if s.hook.URL == "" {
		return nil
	}
	var rows []struct {
		Kind      string    `bun:"kind"`
		Value     float64   `bun:"value"`
		CreatedAt time.Time `bun:"created_at"`
		Rule
	}
	err := s.db.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw(`SELECT n.kind, n.value, n.created_at, r.id, r.name, r.metric, r.target, r.threshold, r.for_seconds, r.enabled
			FROM alert_notices n JOIN alert_rules r ON r.id = n.rule_id WHERE n.id = ?`, id).Scan(ctx, &rows)
	})
	if err != nil || len(rows) == 0 {
		return err
	}
	n := rows[0]
	body, err := json.Marshal(Payload{Type: "alert." + n.Kind, ID: id, At: n.CreatedAt.UTC(), Value: n.Value, Rule: n.Rule})
	if err != nil {
		return err
	}
	header, err := transport.Headers([]string{s.hook.Secret}, "alert_"+id.String(), s.now(), body)
	if err != nil {
		return err
	}
	res := s.hook.Client.Post(ctx, s.hook.URL, nil, header, body)
	if !res.Success() {
		return errors.Join(fmt.Errorf("alert webhook answered %d", res.Status), res.Err)
	}
	return nil
}

// noticeMail is the platform admins' mail (To is filled per admin).
func noticeMail(r Rule, kind string, v float64, link string) mail.Message {
	what := r.Metric
	if r.Target != "" {
		what += " (" + r.Target + ")"
	}
	figures := fmt.Sprintf("%s is %s; the threshold is %s", what, strconv.FormatFloat(v, 'g', 6, 64), strconv.FormatFloat(r.Threshold, 'g', 6, 64))
	if kind == Firing {
		return mail.Message{Subject: "[mailvet alert] FIRING: " + r.Name,
			Text: fmt.Sprintf("The alert %q is firing: %s", r.Name, figures) + held(r) + ".\n\nRules and their state: " + link + "\n"}
	}
	return mail.Message{Subject: "[mailvet alert] resolved: " + r.Name,
		Text: fmt.Sprintf("The alert %q is resolved: %s.\n\nRules and their state: %s\n", r.Name, figures, link)}
}

func held(r Rule) string {
	if r.For <= 0 {
		return ""
	}
	return ", and has been above it for " + ShortDuration(r.For)
}
