// Package alerts keeps the platform's alert rules, evaluates them
// periodically and notifies the platform admins (mail) and the operator
// (a signed webhook) once when a rule fires and once when it resolves.
package alerts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/safetext"
)

// The metrics a rule can watch.
const (
	ErrorRate       = "error_rate"        // % of API answers that were 5xx, last 5 minutes (target: a route, or all)
	RouteP95        = "route_p95"         // p95 latency in ms of a route (or all), last 5 minutes
	QueueLag        = "queue_lag"         // seconds the oldest due job of a queue (or any) has waited
	DeadLetters     = "dead_letters"      // webhook deliveries that became dead letters in the last hour
	FailedRuns      = "failed_runs"       // scheduled list runs that failed in the last hour
	RequestLogDrops = "request_log_drops" // API request log entries lost in the last hour, every process
	HealthCheck     = "health_check"      // failing health checks (target: one check, or any)
)

// Metrics lists them, as the console offers them.
func Metrics() []string {
	return []string{ErrorRate, RouteP95, QueueLag, DeadLetters, FailedRuns, RequestLogDrops, HealthCheck}
}

// States of a rule.
const (
	StateOK      = "ok"
	StatePending = "pending" // the condition holds, not yet for long enough
	StateFiring  = "firing"
)

// Audit actions of the console's rule changes.
const (
	AuditRuleCreated = "alert_rule.created"
	AuditRuleChanged = "alert_rule.changed"
	AuditRuleDeleted = "alert_rule.deleted"
)

// Rule is an alert rule and its state. It fires when the metric is above
// the threshold for For.
type Rule struct {
	ID        uuid.UUID     `bun:"id" json:"id"`
	Name      string        `bun:"name" json:"name"`
	Metric    string        `bun:"metric" json:"metric"`
	Target    string        `bun:"target" json:"target,omitempty"`
	Threshold float64       `bun:"threshold" json:"threshold"`
	For       time.Duration `bun:"-" json:"-"`
	ForSecs   int           `bun:"for_seconds" json:"for_seconds"`
	Enabled   bool          `bun:"enabled" json:"enabled"`

	State           string     `bun:"state" json:"-"`
	PendingSince    *time.Time `bun:"pending_since" json:"-"`
	FiredAt         *time.Time `bun:"fired_at" json:"-"`
	LastValue       *float64   `bun:"last_value" json:"-"`
	LastEvaluatedAt *time.Time `bun:"last_evaluated_at" json:"-"`
}

// RuleError refuses a rule's field.
type RuleError struct{ Field, Reason string }

func (e *RuleError) Error() string { return e.Field + ": " + e.Reason }

// ErrRuleInput matches every *RuleError.
var ErrRuleInput = errors.New("invalid alert rule")

// Is makes errors.Is(err, ErrRuleInput) true.
func (e *RuleError) Is(target error) bool { return target == ErrRuleInput }

// ErrNotFound: no such rule.
var ErrNotFound = errors.New("alert rule not found")

// check normalises and validates r's fields.
func check(r *Rule) error {
	r.Name, r.Target = strings.TrimSpace(r.Name), strings.TrimSpace(r.Target)
	r.ForSecs = int(r.For / time.Second)
	switch {
	case r.Name == "" || utf8.RuneCountInString(r.Name) > 100 || safetext.HasControl(r.Name):
		return &RuleError{"name", "use 1 to 100 characters and no control characters"}
	case !validMetric(r.Metric):
		return &RuleError{"metric", "choose one of " + strings.Join(Metrics(), ", ")}
	case utf8.RuneCountInString(r.Target) > 200 || safetext.HasControl(r.Target):
		return &RuleError{"target", "use at most 200 characters and no control characters"}
	case r.Threshold < 0 || r.Threshold > 1e12:
		return &RuleError{"threshold", "must be between 0 and 10¹²"}
	case r.Metric == ErrorRate && r.Threshold > 100:
		return &RuleError{"threshold", "an error rate is a percentage: at most 100"}
	case r.For < 0 || r.For > 24*time.Hour:
		return &RuleError{"for", "must be between 0 and 24 hours"}
	}
	return nil
}

func validMetric(m string) bool {
	for _, v := range Metrics() {
		if v == m {
			return true
		}
	}
	return false
}

const ruleColumns = `id, name, metric, target, threshold, for_seconds, enabled, state, pending_since, fired_at, last_value, last_evaluated_at`

// scope is the console's path to the rules and the platform's audit
// events (which have no tenant).
var scope = db.System("platform admin: alert rules and their audit events")

// Rules lists the rules by name, for a platform admin.
func (s *Service) Rules(ctx context.Context, by actor.Actor) ([]Rule, error) {
	if err := by.RequirePlatform(); err != nil {
		return nil, err
	}
	var out []Rule
	err := s.db.Tx(ctx, scope, func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw(`SELECT `+ruleColumns+` FROM alert_rules ORDER BY name`).Scan(ctx, &out)
	})
	for i := range out {
		out[i].For = time.Duration(out[i].ForSecs) * time.Second
	}
	return out, err
}

// Rule reads one rule, for a platform admin.
func (s *Service) Rule(ctx context.Context, id uuid.UUID, by actor.Actor) (Rule, error) {
	if err := by.RequirePlatform(); err != nil {
		return Rule{}, err
	}
	var r Rule
	err := s.db.Tx(ctx, scope, func(ctx context.Context, tx db.Tx) error {
		var err error
		r, err = readRule(ctx, tx, id, false)
		return err
	})
	return r, err
}

func readRule(ctx context.Context, tx db.Tx, id uuid.UUID, lock bool) (Rule, error) {
	q := `SELECT ` + ruleColumns + ` FROM alert_rules WHERE id = ?`
	if lock {
		q += ` FOR UPDATE`
	}
	var rows []Rule
	if err := tx.NewRaw(q, id).Scan(ctx, &rows); err != nil {
		return Rule{}, err
	}
	if len(rows) == 0 {
		return Rule{}, ErrNotFound
	}
	rows[0].For = time.Duration(rows[0].ForSecs) * time.Second
	return rows[0], nil
}

// Create adds a rule (state ok), audited.
func (s *Service) Create(ctx context.Context, r Rule, by actor.Actor) (Rule, error) {
	if err := by.RequirePlatform(); err != nil {
		return Rule{}, err
	}
	if err := check(&r); err != nil {
		return Rule{}, err
	}
	err := s.db.Tx(ctx, scope, func(ctx context.Context, tx db.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO alert_rules (name, metric, target, threshold, for_seconds, enabled)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, r.Name, r.Metric, r.Target, r.Threshold, r.ForSecs, r.Enabled).Scan(&r.ID)
		if err != nil {
			return nameTaken(err)
		}
		return audit.Record(ctx, tx, uuid.Nil, by, AuditRuleCreated, "alert_rule", r.ID.String(), map[string]any{"rule": r})
	})
	r.State = StateOK
	return r, err
}

// Update changes a rule's definition, audited with before and after. A
// rule turned off is ok again at once (no notice: nobody watches it).
func (s *Service) Update(ctx context.Context, r Rule, by actor.Actor) error {
	if err := by.RequirePlatform(); err != nil {
		return err
	}
	if err := check(&r); err != nil {
		return err
	}
	return s.db.Tx(ctx, scope, func(ctx context.Context, tx db.Tx) error {
		before, err := readRule(ctx, tx, r.ID, true)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE alert_rules SET name = ?, metric = ?, target = ?, threshold = ?, for_seconds = ?, enabled = ?,
				state = CASE WHEN ? THEN state ELSE 'ok' END, pending_since = CASE WHEN ? THEN pending_since END,
				fired_at = CASE WHEN ? THEN fired_at END, updated_at = now()
			WHERE id = ?`, r.Name, r.Metric, r.Target, r.Threshold, r.ForSecs, r.Enabled, r.Enabled, r.Enabled, r.Enabled, r.ID)
		if err != nil {
			return nameTaken(err)
		}
		return audit.RecordChanges(ctx, tx, uuid.Nil, by, AuditRuleChanged, "alert_rule", r.ID.String(), nil, map[string]audit.Change{
			"name": {Before: before.Name, After: r.Name}, "metric": {Before: before.Metric, After: r.Metric},
			"target": {Before: before.Target, After: r.Target}, "threshold": {Before: before.Threshold, After: r.Threshold},
			"for_seconds": {Before: before.ForSecs, After: r.ForSecs}, "enabled": {Before: before.Enabled, After: r.Enabled},
		})
	})
}

// Delete removes a rule and its notices, audited.
func (s *Service) Delete(ctx context.Context, id uuid.UUID, by actor.Actor) (Rule, error) {
	if err := by.RequirePlatform(); err != nil {
		return Rule{}, err
	}
	var r Rule
	err := s.db.Tx(ctx, scope, func(ctx context.Context, tx db.Tx) error {
		var err error
		if r, err = readRule(ctx, tx, id, true); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM alert_rules WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, uuid.Nil, by, AuditRuleDeleted, "alert_rule", id.String(), map[string]any{"rule": r})
	})
	return r, err
}

// nameTaken turns the unique name's violation into a field error.
func nameTaken(err error) error {
	if err != nil && strings.Contains(err.Error(), "alert_rules_name_key") {
		return &RuleError{"name", "another rule has this name"}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("save alert rule: %w", err)
	}
	return nil
}

// Condition says what r watches, as the console shows it:
// "route_p95(POST /v1/verify) > 1000 for 10m0s".
func Condition(r Rule) string {
	c := r.Metric
	if r.Target != "" {
		c += "(" + r.Target + ")"
	}
	c += " > " + strconv.FormatFloat(r.Threshold, 'g', -1, 64)
	if r.For > 0 {
		c += " for " + ShortDuration(r.For)
	}
	return c
}

// ShortDuration writes d without its zero units: 5m, 1h, 1m30s.
func ShortDuration(d time.Duration) string {
	s := d.String()
	if d >= time.Minute && d%time.Minute == 0 {
		s = strings.TrimSuffix(s, "0s")
	}
	if d >= time.Hour && d%time.Hour == 0 {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// WebhookNote says where notices go besides the admins' mail.
func (s *Service) WebhookNote() string {
	if s.hook.URL == "" {
		return "Notices are mailed to every platform admin; no operator webhook is set (MAILVET_ALERT_WEBHOOK_URL)."
	}
	return "Notices are mailed to every platform admin and posted to the operator webhook set by MAILVET_ALERT_WEBHOOK_URL."
}
