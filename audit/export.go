package audit

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/safetext"
)

// Format is an export's file format.
type Format string

const (
	CSV        Format = "csv"
	JSONLines  Format = "jsonl"
	exportRows        = 1000 // events read per round trip of an export
)

// ErrBadFormat: an export was asked for in a format other than CSV and
// JSON Lines.
var ErrBadFormat = errors.New("unknown audit export format")

// Export writes tenantID's own log, filtered by f (its Cursor and Limit
// are ignored), to w as CSV or JSON Lines, newest first.
func (s *Store) Export(ctx context.Context, tenantID uuid.UUID, f Filter, format Format, w io.Writer, by actor.Actor) error {
	v, err := tenantView(tenantID, by)
	if err != nil {
		return err
	}
	return v.export(ctx, s.db, f, format, w)
}

// PlatformExport writes the platform's log, filtered by f, to w.
func (s *Store) PlatformExport(ctx context.Context, f Filter, format Format, w io.Writer, by actor.Actor) error {
	v, err := platformView(by)
	if err != nil {
		return err
	}
	return v.export(ctx, s.db, f, format, w)
}

// export streams the events through a server-side cursor, one query
// whose rows are fetched exportRows at a time, in one read-only snapshot
// (a consistent file however long it takes), writing each chunk before it
// fetches the next: at most one chunk is in memory, whatever the size of
// the log, and each fetch goes on where the last stopped (keyed pages
// would each walk down the index again).
func (v view) export(ctx context.Context, d *db.DB, f Filter, format Format, w io.Writer) error {
	var out rowWriter
	switch format {
	case CSV:
		out = newCSVWriter(w, v.platform)
	case JSONLines:
		out = &jsonlWriter{buf: bufio.NewWriterSize(w, 64<<10)}
	default:
		return ErrBadFormat
	}
	return d.Tx(ctx, v.scope(), func(ctx context.Context, tx db.Tx) error {
		if _, err := tx.ExecContext(ctx, "DECLARE audit_export NO SCROLL CURSOR FOR "+v.query(tx, f, nil).String()); err != nil {
			return err
		}
		events := make([]Event, 0, exportRows)
		for {
			events = events[:0]
			if err := tx.NewRaw("FETCH FORWARD ? FROM audit_export", exportRows).Scan(ctx, &events); err != nil {
				return err
			}
			for _, e := range events {
				if err := out.write(v.present(e)); err != nil {
					return err
				}
			}
			if err := out.flush(); err != nil {
				return err
			}
			if len(events) < exportRows {
				return nil
			}
		}
	})
}

type rowWriter interface {
	write(Event) error
	flush() error
}

type jsonlWriter struct{ buf *bufio.Writer }

func (j *jsonlWriter) write(e Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := j.buf.Write(b); err != nil {
		return err
	}
	return j.buf.WriteByte('\n')
}

func (j *jsonlWriter) flush() error { return j.buf.Flush() }

// csvWriter writes one row per event; metadata and changes are JSON in
// their cells, and every cell is made safe from spreadsheet formulas.
type csvWriter struct {
	w        *csv.Writer
	platform bool
	row      []string
}

// csvHeader is the CSV export's columns; the platform's adds the tenant.
var csvHeader = []string{"id", "created_at", "actor_kind", "actor_email", "actor_id", "actor_key_id", "by_support",
	"action", "target_type", "target_id", "ip", "user_agent", "request_id", "metadata", "changes"}

func newCSVWriter(w io.Writer, platform bool) *csvWriter {
	c := &csvWriter{w: csv.NewWriter(w), platform: platform}
	header := csvHeader
	if platform {
		header = append([]string{"tenant_id", "tenant_slug"}, csvHeader...)
	}
	c.row = make([]string, 0, len(header))
	_ = c.w.Write(header) // a failed write shows in the next flush
	return c
}

func (c *csvWriter) write(e Event) error {
	meta, err := json.Marshal(e.Metadata)
	if err != nil {
		return err
	}
	changes := []byte{}
	if len(e.Changes) > 0 {
		if changes, err = json.Marshal(e.Changes); err != nil {
			return err
		}
	}
	row := c.row[:0]
	if c.platform {
		row = append(row, uuidCell(e.TenantID), e.TenantSlug)
	}
	row = append(row, strconv.FormatInt(e.ID, 10), e.CreatedAt.UTC().Format(time.RFC3339Nano), string(e.ActorKind),
		e.ActorEmail, uuidCell(e.ActorID), uuidCell(e.ActorKey), strconv.FormatBool(e.BySupport),
		e.Action, e.TargetType, e.TargetID, e.IP, e.UserAgent, e.RequestID, string(meta), string(changes))
	for i := range row {
		row[i] = safetext.CSVCell(row[i])
	}
	return c.w.Write(row)
}

func (c *csvWriter) flush() error {
	c.w.Flush()
	return c.w.Error()
}

func uuidCell(id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return id.String()
}
