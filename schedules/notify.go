package schedules

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/lists"
	"mailvet/mail"
	"mailvet/webhooks"
)

// english formats numbers as the pages do: 12,000.
func english() *message.Printer { return message.NewPrinter(language.English) }

// insertChanges stores a chunk's status changes in one statement.
func insertChanges(ctx context.Context, tx db.Tx, tenantID, runID uuid.UUID, changes []lists.StatusChange) error {
	if len(changes) == 0 {
		return nil
	}
	type rec struct {
		RowNo int    `json:"row_no"`
		Old   string `json:"old"`
		New   string `json:"new"`
		Why   string `json:"why"`
	}
	recs := make([]rec, len(changes))
	for i, c := range changes {
		recs[i] = rec{c.RowNo, c.OldStatus, c.NewStatus, c.NewReason}
	}
	payload, err := json.Marshal(recs)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO list_run_changes (tenant_id, run_id, row_no, old_status, new_status, new_reason)
		SELECT ?, ?, v.row_no, v.old, v.new, v.why FROM jsonb_to_recordset(?::jsonb) AS v(row_no int, old text, new text, why text)
		ON CONFLICT DO NOTHING`, tenantID, runID, string(payload))
	return err
}

// stop ends a queued or running run as failed or cancelled, in tx: the
// quota of the addresses it did not check goes back, and the failure
// notice goes out with it. A finished run is ErrRunFinished.
func (s *Service) stop(ctx context.Context, tx db.Tx, tenantID, runID uuid.UUID, status, code, reason string) (Run, error) {
	run, err := scanRun(tx.QueryRowContext(ctx, `UPDATE list_runs SET status = ?, failure_code = ?, failure_reason = ?, completed_at = now()
		WHERE tenant_id = ? AND id = ? AND status IN ('queued', 'running') RETURNING `+runColumns, status, code, reason, tenantID, runID))
	if errors.Is(err, ErrRunNotFound) {
		if _, err := lockRun(ctx, tx, tenantID, runID); err != nil {
			return Run{}, err
		}
		return Run{}, ErrRunFinished
	}
	if err != nil {
		return Run{}, err
	}
	if unchecked := run.Total - run.Checked; run.Charged > 0 && unchecked > 0 && s.quota != nil {
		if err := s.quota.Refund(ctx, tx, tenantID, unchecked); err != nil {
			return Run{}, err
		}
	}
	return run, s.notify(ctx, tx, run)
}

// notify records schedule.completed or schedule.failed for a finished
// run and, for a failure, mails the workspace's owners and admins.
func (s *Service) notify(ctx context.Context, tx db.Tx, run Run) error {
	l, err := lists.GetAnyModeInTx(ctx, tx, run.tenantID, run.ListID)
	if err != nil {
		return err
	}
	eventType := webhooks.ScheduleCompleted
	if run.Status != RunCompleted {
		eventType = webhooks.ScheduleFailed
	}
	if s.events != nil {
		if _, err := s.events.Record(ctx, tx, run.tenantID, eventType, eventData(run, l, s.link)); err != nil {
			return err
		}
	}
	if run.Status == RunCompleted || s.mail == nil {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT u.email, t.name FROM memberships m JOIN users u ON u.id = m.user_id JOIN tenants t ON t.id = m.tenant_id
		WHERE m.tenant_id = ? AND m.role IN (?, ?) ORDER BY u.email`, run.tenantID, string(actor.RoleOwner), string(actor.RoleAdmin))
	if err != nil {
		return err
	}
	type person struct{ email, tenant string }
	var people []person
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.email, &p.tenant); err != nil {
			rows.Close()
			return err
		}
		people = append(people, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	reason := ""
	if run.FailureReason != nil {
		reason = *run.FailureReason
	}
	for _, p := range people {
		msg := mail.Message{To: p.email, Subject: fmt.Sprintf("Re-validation of “%s” %s", l.Name, run.Status),
			Text: fmt.Sprintf("The %s re-validation of the list “%s” in %s %s.\n\n%s\n\nSee the list and its runs: %s\n",
				run.Trigger, l.Name, p.tenant, run.Status, reason, s.link("/lists/"+l.ID.String()))}
		if err := s.mail.Enqueue(ctx, tx.Tx.Tx, msg); err != nil {
			return err
		}
	}
	return nil
}

// eventData is a run's webhook payload.
func eventData(run Run, l lists.List, link func(string) string) webhooks.ScheduleRunData {
	d := webhooks.ScheduleRunData{ListID: l.ID.String(), ListName: l.Name, RunID: run.ID.String(), Trigger: run.Trigger, Status: run.Status,
		Period: run.Period, TestMode: l.TestMode, Total: run.Total, Checked: run.Checked, Unconfirmed: run.Unconfirmed, Changed: run.Changed,
		Counts:      webhooks.ListCounts{Deliverable: run.Counts.Deliverable, Undeliverable: run.Counts.Undeliverable, Risky: run.Counts.Risky, Unknown: run.Counts.Unknown},
		Transitions: []webhooks.RunTransition{},
		ChangesURL:  link("/v1/lists/" + l.ID.String() + "/runs/" + run.ID.String() + "/changes")}
	if run.ScheduleID != nil {
		id := run.ScheduleID.String()
		d.ScheduleID = &id
	}
	for _, t := range run.Transitions {
		d.Transitions = append(d.Transitions, webhooks.RunTransition{From: t.From, To: t.To, Count: t.Count})
	}
	if run.Status == RunCompleted {
		d.DeliverableShare = run.Counts.DeliverableShare()
	}
	if run.FailureCode != nil {
		d.FailureCode = *run.FailureCode
	}
	if run.FailureReason != nil {
		d.FailureReason = *run.FailureReason
	}
	return d
}
