package lists

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"

	"mailvet/billing"
	"mailvet/lists/csvin"
	"mailvet/verify/address"
)

// NewList is an upload: a file (CSV or plain text), or a list of
// addresses sent as JSON.
type NewList struct {
	TenantID    uuid.UUID
	CreatedBy   uuid.UUID // zero for API uploads
	APIKeyID    uuid.UUID // zero for page uploads
	Name        string
	Dedupe      string
	EmailColumn string

	File   io.Reader
	Emails []string

	// TestMode lists (uploaded with a test key) are answered from the
	// local part, touch no network and spend no quota.
	TestMode bool
	// KeyLimits are the uploading key's own limits; MaxRows, when set,
	// lowers the store's row limit (the plan's).
	KeyLimits billing.KeyLimits
	MaxRows   int

	// IdempotencyKey, when set, makes a repeated request return the list
	// the first one made. RequestHash identifies the request; for file
	// uploads it is computed from the stream when nil.
	IdempotencyKey string
	RequestHash    []byte
}

// Create stores a list and its rows and queues its verification, all in
// one transaction: a list is never stored without its work, nor work
// without its list, and a refused file leaves nothing behind. existing is
// true when an earlier request with the same idempotency key made it.
func (s *Store) Create(ctx context.Context, in NewList) (l List, existing bool, err error) {
	if in.Dedupe == "" {
		in.Dedupe = DedupeCaseInsensitive
	}
	var hasher hash.Hash
	if in.File != nil && in.RequestHash == nil {
		hasher = sha256.New()
		fmt.Fprintf(hasher, "%s\x00%s\x00%s\x00", in.Name, in.Dedupe, in.EmailColumn)
		in.File = io.TeeReader(in.File, hasher)
	}
	if in.IdempotencyKey != "" {
		if prev, ok, err := s.byIdempotencyKey(ctx, in.TenantID, in.IdempotencyKey); err != nil || ok {
			if err != nil {
				return l, false, err
			}
			return s.sameRequest(prev, in, hasher)
		}
	}

	conn, err := s.db.SQL.Conn(ctx)
	if err != nil {
		return l, false, err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return l, false, err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op

	src, err := s.source(in)
	if err != nil {
		return l, false, err
	}
	l.ID = uuid.New()
	if _, err := tx.ExecContext(ctx, `INSERT INTO lists (id, tenant_id, name, dedupe, created_by, api_key_id, test_mode) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		l.ID, in.TenantID, in.Name, in.Dedupe, nullUUID(in.CreatedBy), nullUUID(in.APIKeyID), in.TestMode); err != nil {
		return l, false, err
	}
	ing := newIngest(in.TenantID, l.ID, in.Dedupe, src)
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		_, err := pc.CopyFrom(ctx, pgx.Identifier{"list_rows"},
			[]string{"tenant_id", "list_id", "row_no", "line", "fields", "email", "state", "skip_reason", "duplicate_of"},
			pgx.CopyFromFunc(ing.next))
		return err
	})
	if err != nil {
		if ing.err != nil {
			return l, false, ing.err // the file's fault, not the database's
		}
		return l, false, err
	}
	if ing.total == 0 {
		return l, false, ErrEmpty
	}
	if hasher != nil {
		in.RequestHash = hasher.Sum(nil)
	}
	var key *string
	if in.IdempotencyKey != "" {
		key = &in.IdempotencyKey
	}
	status := StatusQueued
	if ing.unique == 0 {
		status = StatusCompleted
	}
	batches := ing.batches()
	if _, err := tx.ExecContext(ctx, `UPDATE lists SET header = $2, email_column = $3, total_rows = $4, unique_rows = $5,
			duplicate_rows = $6, skipped_rows = $7, batches = $8, status = $9, idempotency_key = $10, request_hash = $11,
			completed_at = CASE WHEN $9 = 'completed' THEN now() END
		WHERE id = $1`,
		l.ID, exportHeader(src.Header(), src.EmailIndex(), ing.widest), src.EmailIndex(), ing.total, ing.unique, ing.duplicates, ing.skipped, len(batches), status, key, in.RequestHash); err != nil {
		if isUniqueViolation(err) {
			// A concurrent request with the same key won the race.
			_ = tx.Rollback()
			prev, _, gerr := s.byIdempotencyKey(ctx, in.TenantID, in.IdempotencyKey)
			if gerr != nil {
				return l, false, gerr
			}
			return s.sameRequest(prev, in, nil)
		}
		return l, false, err
	}
	if s.quota != nil && !in.TestMode && ing.unique > 0 {
		// Reserve the list's unique addresses now: a list that does not
		// fit is refused whole, before any work.
		if _, err := s.quota.Consume(ctx, tx, in.TenantID, in.APIKeyID, in.KeyLimits, ing.unique); err != nil {
			return l, false, err
		}
	}
	if err := s.queue(ctx, tx, in.TenantID, l.ID, ing.unique, batches); err != nil {
		return l, false, err
	}
	if err := tx.Commit(); err != nil {
		return l, false, err
	}
	l, err = s.Get(ctx, in.TenantID, l.ID)
	return l, false, err
}

func (s *Store) source(in NewList) (rowSource, error) {
	maxRows := s.opts.MaxRows
	if in.MaxRows > 0 {
		maxRows = min(maxRows, in.MaxRows)
	}
	if in.File == nil {
		if len(in.Emails) > maxRows {
			return nil, &csvin.TooManyRowsError{Limit: maxRows}
		}
		return &sliceSource{emails: in.Emails}, nil
	}
	return csvin.NewReader(in.File, csvin.Options{EmailColumn: in.EmailColumn, MaxRows: maxRows})
}

// queue inserts one River job per batch. Small lists' batches get a higher
// priority so a million-row list never starves a hundred-row one; a big
// list's batches are spread over time so two big lists interleave.
func (s *Store) queue(ctx context.Context, tx *sql.Tx, tenantID, listID uuid.UUID, unique int, batches [][2]int) error {
	if len(batches) == 0 {
		return nil
	}
	now := time.Now()
	params := make([]river.InsertManyParams, len(batches))
	for i, b := range batches {
		opts := &river.InsertOpts{Priority: 1}
		if unique > s.opts.SmallList {
			opts.Priority = 3
			if i < 2 {
				// A first sight of progress, at once: River holds any job
				// given a ScheduledAt for its scheduler, even a past one.
				opts.Priority = 2
			} else {
				opts.ScheduledAt = now.Add(time.Duration(i) * 20 * time.Millisecond)
			}
		}
		params[i] = river.InsertManyParams{Args: VerifyBatchArgs{TenantID: tenantID, ListID: listID, FromRow: b[0], ToRow: b[1]}, InsertOpts: opts}
	}
	_, err := s.jobs.InsertManyFastTx(ctx, tx, params)
	return err
}

func (s *Store) byIdempotencyKey(ctx context.Context, tenantID uuid.UUID, key string) (List, bool, error) {
	var l List
	err := s.db.Bun.NewSelect().Model(&l).Where("tenant_id = ? AND idempotency_key = ?", tenantID, key).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	return l, err == nil, err
}

// sameRequest answers a repeated idempotency key: the earlier list when
// the request is the same, ErrIdempotencyMismatch otherwise.
func (s *Store) sameRequest(prev List, in NewList, hasher hash.Hash) (List, bool, error) {
	if hasher != nil {
		_, _ = io.Copy(io.Discard, in.File) // hash the rest of the upload
		in.RequestHash = hasher.Sum(nil)
	}
	if string(prev.RequestHash) != string(in.RequestHash) {
		return List{}, false, ErrIdempotencyMismatch
	}
	return prev, true, nil
}

// rowSource yields upload rows; csvin.Reader is one.
type rowSource interface {
	Next() (csvin.Row, error)
	Header() []string
	EmailIndex() int
}

// sliceSource serves a JSON upload's addresses as rows.
type sliceSource struct {
	emails []string
	i      int
}

func (s *sliceSource) Next() (csvin.Row, error) {
	if s.i >= len(s.emails) {
		return csvin.Row{}, io.EOF
	}
	s.i++
	e := strings.TrimSpace(s.emails[s.i-1])
	r := csvin.Row{Line: s.i, Number: s.i, Fields: []string{s.emails[s.i-1]}, Email: e}
	switch a, problem := address.Parse(e); {
	case e == "":
		r.Skip = "no_email"
	case problem != nil:
		r.Skip = "invalid_email"
	default:
		r.Address = a
	}
	return r, nil
}

func (s *sliceSource) Header() []string { return []string{"email"} }
func (s *sliceSource) EmailIndex() int  { return 0 }

func nullUUID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// hashKey maps a dedupe key to 64 bits: a set of 1M of them costs tens of
// megabytes where the keys themselves would cost hundreds.
func hashKey(k string) uint64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, k)
	return h.Sum64()
}
