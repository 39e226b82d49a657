package lists

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"mailvet/db"
	"mailvet/safetext"
	"mailvet/usage"
	"mailvet/verify"
)

// ImportedList is a finished list of an old service: a validation job
// or a CRM upload, with whatever verdicts it had.
type ImportedList struct {
	Name        string
	CreatedAt   time.Time
	CompletedAt time.Time // zero: CreatedAt
	Rows        []ImportedRow
}

// ImportedRow is one address of an imported list. A row without a
// Result is kept, in its order, as skipped with SkipReason: the export
// gives it back with that reason, as it does an upload's row without an
// address.
type ImportedRow struct {
	Email      string
	Result     *verify.Result
	SkipReason string
}

// Import stores an old service's list as completed, in tx (the
// importer's transaction of the tenant): its rows and their verdicts,
// with no batch job (nothing is verified again, so no quota is reserved
// and no list event is sent) and its verdicts in the usage rollups as
// unbillable history of their own days.
func Import(ctx context.Context, tx db.Tx, tenantID uuid.UUID, in ImportedList) (List, error) {
	if len(in.Rows) == 0 {
		return List{}, ErrEmpty
	}
	name := strings.TrimSpace(in.Name)
	if !validName(name) {
		name = safetext.Truncate(strings.Map(dropControl, name), MaxNameChars)
	}
	if name == "" {
		name = "Imported list"
	}
	done := in.CompletedAt
	if done.IsZero() {
		done = in.CreatedAt
	}
	id := uuid.New()
	days := map[string]usage.Counts{}
	var counts Counts
	rows := make([][]any, 0, len(in.Rows))
	tid, lid := pgtype.UUID{Bytes: tenantID, Valid: true}, pgtype.UUID{Bytes: id, Valid: true}
	for i, r := range in.Rows {
		email := safetext.Truncate(r.Email, 512)
		row := []any{tid, lid, int32(i + 1), int32(i + 1), []string{email}, email}
		if r.Result == nil {
			rows = append(rows, append(row, "skipped", r.SkipReason, nil, nil, nil, nil, nil, nil, nil, nil, nil))
			continue
		}
		v := r.Result
		rows = append(rows, append(row, "done", nil, nil, string(v.Status), string(v.Reason), int16(v.Score),
			v.Flags.Disposable, v.Flags.Role, v.Flags.Free, v.Flags.CatchAll, v.CheckedAt))
		day := v.CheckedAt.UTC().Format(time.DateOnly)
		c := days[day]
		switch v.Status {
		case verify.Deliverable:
			c.Deliverable++
			counts.Deliverable++
		case verify.Undeliverable:
			c.Undeliverable++
			counts.Undeliverable++
		case verify.Risky:
			c.Risky++
			counts.Risky++
		default:
			c.Unknown++
			counts.Unknown++
		}
		days[day] = c
	}
	verified := counts.Deliverable + counts.Undeliverable + counts.Risky + counts.Unknown
	var l List
	err := tx.NewRaw(`INSERT INTO lists (id, tenant_id, name, status, dedupe, email_column, header, total_rows, unique_rows, skipped_rows,
			processed_rows, deliverable, undeliverable, risky, unknown, created_at, started_at, completed_at)
		VALUES (?, ?, ?, ?, ?, 0, ARRAY['email'], ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
		id, tenantID, name, StatusCompleted, DedupeNone, len(in.Rows), verified, len(in.Rows)-verified, verified,
		counts.Deliverable, counts.Undeliverable, counts.Risky, counts.Unknown, in.CreatedAt, in.CreatedAt, done).Scan(ctx, &l)
	if err != nil {
		return l, fmt.Errorf("import list: %w", err)
	}
	if _, err := tx.CopyFrom(ctx, "list_rows", listRowColumns, pgx.CopyFromRows(rows)); err != nil {
		return l, fmt.Errorf("import list rows: %w", err)
	}
	for day, c := range days {
		at, _ := time.Parse(time.DateOnly, day)
		if err := usage.Add(ctx, tx, usage.Delta{TenantID: tenantID, Day: at, Source: usage.SourceList, Counts: c}); err != nil {
			return l, err
		}
	}
	return l, nil
}

// dropControl drops the control characters a name may not hold.
func dropControl(r rune) rune {
	if r < ' ' || r == 0x7f {
		return -1
	}
	return r
}
