package importjson

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/lists"
)

// The names of a job's or upload's rows.
var rowsFields = []string{"results", "emails", "rows", "items", "records", "contacts", "addresses"}

// jobsFile is validation_jobs.json: each job becomes a completed list of
// its addresses with their verdicts.
func jobsFile() file {
	return listFile("validation_jobs.json", "Imported job", []string{"name", "filename", "file_name", "list_name", "title"})
}

// crmUploadsFile is crm_uploads.json: an upload that carries addresses
// becomes a completed list like a job (rows without a verdict kept as
// skipped rows, nothing verified again); one that holds only its
// metadata (a file name, a count) has nothing verifiable and is skipped
// with that reason.
func crmUploadsFile() file {
	return listFile("crm_uploads.json", "Imported CRM upload", []string{"name", "filename", "file_name", "crm", "crm_type", "source"})
}

func listFile(name, defaultName string, nameFields []string) file {
	return file{
		name: name, target: "list", batch: 1,
		parse: func(rec Record) (any, error) {
			return parseList(rec, defaultName, nameFields)
		},
		write: func(ctx context.Context, tx db.Tx, tenantID uuid.UUID, items []item, fr *FileReport) ([]outcome, error) {
			out := make([]outcome, len(items))
			for i, it := range items {
				p := it.value.(parsedList)
				l, err := lists.Import(ctx, tx, tenantID, p.list)
				if err != nil {
					return nil, err
				}
				for _, n := range p.notes {
					fr.note(Line{Index: it.rec.Index, SourceID: it.id, Reason: n})
				}
				out[i].target = l.ID.String()
			}
			return out, nil
		},
	}
}

// parsedList is a list to import and what was left out of its rows.
type parsedList struct {
	list  lists.ImportedList
	notes []string
}

func parseList(rec Record, defaultName string, nameFields []string) (parsedList, error) {
	f := rec.Fields
	var p parsedList
	created, err := f.Time("created_at", "submitted_at", "uploaded_at", "started_at", "timestamp", "date")
	switch {
	case errors.Is(err, errNoTime):
		return p, errors.New("missing time (no created_at, uploaded_at or timestamp field)")
	case err != nil:
		return p, err
	}
	done, err := f.Time("completed_at", "finished_at", "updated_at")
	if err != nil && !errors.Is(err, errNoTime) {
		return p, err
	}
	rows, field, ok := f.Array(rowsFields...)
	if !ok || len(rows) == 0 {
		if field != "" {
			return p, fmt.Errorf("nothing verifiable: %q is not a list of addresses", field)
		}
		return p, errors.New("nothing verifiable: no addresses in it (no results, emails, rows or contacts field)")
	}
	p.list = lists.ImportedList{CreatedAt: created, CompletedAt: done}
	p.list.Name, _ = f.String(nameFields...)
	if p.list.Name == "" {
		p.list.Name = defaultName + " " + rec.SourceID()
	}
	verdicts, unverified := 0, 0
	for i, raw := range rows {
		row := parseRow(raw, created)
		switch {
		case row.Result != nil:
			verdicts++
		case row.SkipReason == noVerdict:
			unverified++ // summed up below: an upload may hold thousands
		default:
			p.notes = append(p.notes, fmt.Sprintf("row %d kept without a verdict: %s", i+1, row.SkipReason))
		}
		p.list.Rows = append(p.list.Rows, row)
	}
	if unverified > 0 {
		p.notes = append(p.notes, fmt.Sprintf("%d rows kept without a verdict: the old service had not verified them", unverified))
	}
	if verdicts == 0 && !anyEmail(p.list.Rows) {
		return p, errors.New("nothing verifiable: none of its rows has an address")
	}
	return p, nil
}

// noVerdict is the skip reason of an upload's row the old service never
// verified.
const noVerdict = "no verdict in the old service"

// parseRow reads one row: an address alone, or an object with an
// address and, perhaps, its verdict. A row's problem (no address, an
// unknown status) keeps it as a skipped row with the reason, in order.
func parseRow(raw json.RawMessage, at time.Time) lists.ImportedRow {
	var email string
	if json.Unmarshal(raw, &email) == nil {
		return lists.ImportedRow{Email: email, SkipReason: noVerdict}
	}
	var f Fields
	if json.Unmarshal(raw, &f) != nil {
		return lists.ImportedRow{SkipReason: "not an address or an object"}
	}
	email, _ = f.String(emailFields...)
	if _, _, hasStatus := f.raw(append(statusFields, "valid", "is_valid")); !hasStatus {
		if email == "" {
			return lists.ImportedRow{SkipReason: errNoEmail.Error()}
		}
		return lists.ImportedRow{Email: email, SkipReason: noVerdict}
	}
	r, err := verdict(f, at)
	if err != nil {
		return lists.ImportedRow{Email: email, SkipReason: err.Error()}
	}
	return lists.ImportedRow{Email: email, Result: &r}
}

func anyEmail(rows []lists.ImportedRow) bool {
	for _, r := range rows {
		if r.Email != "" {
			return true
		}
	}
	return false
}
