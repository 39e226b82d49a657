package lists

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/riverqueue/river"
	"github.com/uptrace/bun/dialect/pgdialect"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/billing"
	"mailvet/db"
	"mailvet/lists/csvin"
	"mailvet/safetext"
	"mailvet/usage"
)

// NewList is an upload: a file (CSV or plain text), or a list of
// addresses sent as JSON.
type NewList struct {
	TenantID uuid.UUID
	// By uploads the list, and decides its mode: a test key's list
	// (By.TestMode) is answered from the local part, touches no network,
	// spends no quota and is seen only by test keys. The list records the
	// user (page uploads) or the key (API uploads) that made it.
	By          actor.Actor
	Name        string
	Dedupe      string
	EmailColumn string

	File   io.Reader
	Emails []string

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

// MaxNameChars is the longest list name, in characters (the column's
// CHECK counts them so).
const MaxNameChars = 200

// validName: 1 to MaxNameChars characters, none of them a control
// character (a CR/LF or NUL in a name breaks every page and mail it is
// shown in).
func validName(name string) bool {
	return name != "" && utf8.RuneCountInString(name) <= MaxNameChars && !safetext.HasControl(name)
}

// errRaced says a concurrent request with the same idempotency key
// committed its list first.
var errRaced = errors.New("idempotency key taken by a concurrent request")

// Create stores a list and its rows and queues its verification, all in
// one transaction: a list is never stored without its work, nor work
// without its list, and a refused file leaves nothing behind. The list row,
// its rows (COPY), its batch jobs and its quota reservation commit
// together. existing is true when an earlier request with the same
// idempotency key made it. Any member may upload.
func (s *Store) Create(ctx context.Context, in NewList) (l List, existing bool, err error) {
	if err := authorize(in.By, in.TenantID, actor.RoleMember); err != nil {
		return l, false, err
	}
	if !validName(in.Name) {
		return l, false, ErrInvalidName
	}
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
	src, err := s.source(in)
	if err != nil {
		return l, false, err
	}
	err = s.db.Tx(ctx, db.Tenant(in.TenantID), func(ctx context.Context, tx db.Tx) error {
		var err error
		l, err = s.insert(ctx, tx, &in, src, hasher)
		return err
	})
	if errors.Is(err, errRaced) {
		prev, _, gerr := s.byIdempotencyKey(ctx, in.TenantID, in.IdempotencyKey)
		if gerr != nil {
			return List{}, false, gerr
		}
		return s.sameRequest(prev, in, nil)
	}
	if err != nil {
		return List{}, false, err
	}
	return l, false, nil
}

// listRowColumns are the columns an upload's rows are copied into.
var listRowColumns = []string{"tenant_id", "list_id", "row_no", "line", "fields", "email", "state", "skip_reason", "duplicate_of",
	"status", "reason", "score", "disposable", "role", "free", "catch_all", "checked_at"}

// insert is Create's transaction. It sets in.RequestHash from hasher once
// the upload is read.
func (s *Store) insert(ctx context.Context, tx db.Tx, in *NewList, src rowSource, hasher hash.Hash) (List, error) {
	var l List
	id := uuid.New()
	var createdBy, keyID uuid.UUID
	switch in.By.Kind {
	case actor.KindUser:
		createdBy = in.By.UserID
	case actor.KindAPIKey:
		keyID = in.By.APIKeyID
	}
	testMode := in.By.TestMode
	if _, err := tx.NewRaw(`INSERT INTO lists (id, tenant_id, name, dedupe, created_by, api_key_id, test_mode) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, in.TenantID, in.Name, in.Dedupe, nullUUID(createdBy), nullUUID(keyID), testMode).Exec(ctx); err != nil {
		return l, err
	}
	ing := newIngest(in.TenantID, id, in.Dedupe, src)
	if _, err := tx.CopyFrom(ctx, "list_rows", listRowColumns, pgx.CopyFromFunc(ing.next)); err != nil {
		if ing.err != nil {
			return l, ing.err // the file's fault, not the database's
		}
		return l, err
	}
	if ing.total == 0 {
		return l, ErrEmpty
	}
	if hasher != nil {
		in.RequestHash = hasher.Sum(nil)
	}
	var key *string
	if in.IdempotencyKey != "" {
		key = &in.IdempotencyKey
	}
	pending := ing.unique - ing.invalid
	status := StatusQueued
	if pending == 0 {
		status = StatusCompleted
	}
	batches := ing.batches(s.opts.BatchRows)
	// The invalid addresses have their verdicts already: they count as
	// verified (and undeliverable) from the start.
	err := tx.NewRaw(`UPDATE lists SET header = ?, email_column = ?, total_rows = ?, unique_rows = ?,
			duplicate_rows = ?, skipped_rows = ?, processed_rows = ?, undeliverable = ?, batches = ?, status = ?,
			idempotency_key = ?, request_hash = ?, completed_at = CASE WHEN ? = 'completed' THEN now() END
		WHERE tenant_id = ? AND id = ? RETURNING *`,
		pgdialect.Array(exportHeader(src.Header(), src.EmailIndex(), ing.widest)), src.EmailIndex(), ing.total, ing.unique,
		ing.duplicates, ing.skipped, ing.invalid, ing.invalid, len(batches), status, key, in.RequestHash, status, in.TenantID, id).Scan(ctx, &l)
	if isUniqueViolation(err) {
		return l, errRaced
	}
	if err != nil {
		return l, err
	}
	if status == StatusCompleted {
		if err := s.recordFinished(ctx, tx, l); err != nil {
			return l, err
		}
	}
	if ing.invalid > 0 {
		if err := usage.Add(ctx, tx, usage.Delta{TenantID: in.TenantID, Day: time.Now(), APIKeyID: keyID, Source: usage.SourceList,
			Counts: usage.Counts{Undeliverable: ing.invalid}}); err != nil {
			return l, err
		}
	}
	if s.quota != nil && !testMode && pending > 0 {
		// Reserve the addresses the engine will verify now: a list that
		// does not fit is refused whole, before any work.
		if _, err := s.quota.ConsumeList(ctx, tx, in.TenantID, keyID, in.KeyLimits, pending); err != nil {
			return l, err
		}
	}
	if err := audit.Record(ctx, tx, in.TenantID, in.By, AuditCreated, auditTarget, id.String(), map[string]any{
		"name": in.Name, "rows": ing.total, "unique": ing.unique, "test_mode": testMode,
	}); err != nil {
		return l, err
	}
	// River inserts its jobs through the transaction's *sql.Tx.
	return l, s.queue(ctx, tx.Tx.Tx, in.TenantID, id, pending, batches)
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
	spread := 0 // batches given a ScheduledAt
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
				spread++
			}
		}
		params[i] = river.InsertManyParams{Args: VerifyBatchArgs{TenantID: tenantID, ListID: listID, FromRow: b[0], ToRow: b[1]}, InsertOpts: opts}
	}
	if _, err := s.jobs.InsertManyFastTx(ctx, tx, params); err != nil {
		return err
	}
	if spread == 0 {
		return nil
	}
	// River holds a job given a ScheduledAt in state scheduled until its
	// scheduler, every 5 s, makes it available: a big list's batches sat
	// idle for up to that long after the upload. Made available now they
	// keep their scheduled_at, and River's fetch takes an available job
	// only once that has come (ordering by priority, scheduled_at, id),
	// which is all the spread is for. This is what River's scheduler
	// itself does to jobs due within its next interval.
	_, err := tx.ExecContext(ctx, `UPDATE river_job SET state = 'available'
		WHERE state = 'scheduled' AND queue = $1 AND priority = 3 AND kind = $2 AND args->>'list_id' = $3
		  AND scheduled_at BETWEEN $4 AND $5`,
		Queue, VerifyBatchArgs{}.Kind(), listID.String(), now, now.Add(time.Duration(len(batches))*20*time.Millisecond))
	return err
}

func (s *Store) byIdempotencyKey(ctx context.Context, tenantID uuid.UUID, key string) (List, bool, error) {
	var l List
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return tx.NewSelect().Model(&l).Where("tenant_id = ? AND idempotency_key = ?", tenantID, key).Scan(ctx)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return l, false, nil
	}
	return l, err == nil, err
}

// sameRequest answers a repeated idempotency key: the earlier list when
// the request is the same, ErrIdempotencyMismatch otherwise (a key of the
// other mode is another request too: a test key never sees a live list).
func (s *Store) sameRequest(prev List, in NewList, hasher hash.Hash) (List, bool, error) {
	if hasher != nil {
		_, _ = io.Copy(io.Discard, in.File) // hash the rest of the upload
		in.RequestHash = hasher.Sum(nil)
	}
	if string(prev.RequestHash) != string(in.RequestHash) || prev.TestMode != in.By.TestMode {
		return List{}, false, ErrIdempotencyMismatch
	}
	return prev, true, nil
}

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
