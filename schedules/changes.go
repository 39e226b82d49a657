package schedules

import (
	"context"
	"io"
	"strconv"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/lists"
)

// ChangePage is a page of a run's changed addresses, in row order.
type ChangePage struct {
	Changes []Change `json:"changes"`
	Next    string   `json:"next_cursor,omitempty"`
}

// changesSQL reads a run's changes with their addresses after a row; its
// arguments are the tenant, the run, the list, the row and the limit.
const changesSQL = `SELECT c.row_no, r.email, c.old_status, c.new_status, c.new_reason
	FROM list_run_changes c JOIN list_rows r ON r.tenant_id = c.tenant_id AND r.list_id = ? AND r.row_no = c.row_no
	WHERE c.tenant_id = ? AND c.run_id = ? AND c.row_no > ? AND (? = '' OR c.new_status = ?)
	ORDER BY c.row_no LIMIT ?`

// Changes returns the addresses whose status a run changed (optionally
// only those that became status), limit at a time.
func (s *Service) Changes(ctx context.Context, tenantID, listID, runID uuid.UUID, status, cursor string, limit int, by actor.Actor) (ChangePage, error) {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return ChangePage{}, err
	}
	after, err := lists.DecodeRowCursor(cursor)
	if err != nil {
		return ChangePage{}, err
	}
	limit = min(max(limit, 1), 1000)
	page := ChangePage{Changes: []Change{}}
	err = s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		if _, err := getRun(ctx, tx, tenantID, listID, runID, by.TestMode); err != nil {
			return err
		}
		return eachChange(ctx, tx, tenantID, listID, runID, status, after, limit+1, func(c Change) error {
			page.Changes = append(page.Changes, c)
			return nil
		})
	})
	if err != nil {
		return ChangePage{}, err
	}
	if len(page.Changes) > limit {
		page.Changes = page.Changes[:limit]
		page.Next = lists.EncodeRowCursor(page.Changes[limit-1].Row)
	}
	return page, nil
}

// eachChange calls fn for each change after row, at most limit.
func eachChange(ctx context.Context, tx db.Tx, tenantID, listID, runID uuid.UUID, status string, after, limit int, fn func(Change) error) error {
	rows, err := tx.QueryContext(ctx, changesSQL, listID, tenantID, runID, after, status, status, limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.Row, &c.Email, &c.OldStatus, &c.NewStatus, &c.NewReason); err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// changesCSVPage is how many changes the CSV reads at a time, so that
// memory stays flat however many changed.
const changesCSVPage = 5000

// ChangesCSV writes a run's changed addresses to w as CSV: row, email,
// previous status, new status, new reason.
func (s *Service) ChangesCSV(ctx context.Context, tenantID, listID, runID uuid.UUID, by actor.Actor, w io.Writer) error {
	if err := authorize(by, tenantID, actor.RoleMember); err != nil {
		return err
	}
	out := lists.NewCSVOut(w)
	if err := out.Write([]string{"row", "email", "previous_status", "status", "reason"}); err != nil {
		return err
	}
	after := 0
	for {
		n := 0
		err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
			if _, err := getRun(ctx, tx, tenantID, listID, runID, by.TestMode); err != nil {
				return err
			}
			return eachChange(ctx, tx, tenantID, listID, runID, "", after, changesCSVPage, func(c Change) error {
				n, after = n+1, c.Row
				return out.Write([]string{strconv.Itoa(c.Row), c.Email, c.OldStatus, c.NewStatus, c.NewReason})
			})
		})
		if err != nil {
			return err
		}
		if n < changesCSVPage {
			return out.Flush()
		}
	}
}
