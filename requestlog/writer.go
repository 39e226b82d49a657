package requestlog

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"mailvet/db"
)

// WriterOptions tune a Writer; zero values pick the defaults.
type WriterOptions struct {
	// Buffer is how many entries may wait for their write (default
	// 10,000: ten seconds at 1,000 requests/s). When it is full, new
	// entries are dropped and counted rather than wait.
	Buffer int
	// Batch is the most entries one COPY writes (default 1,000).
	Batch int
	// Every is the longest an entry waits for its write (default 1 s).
	Every  time.Duration
	Logger *slog.Logger
}

// Writer records API requests off the request path: Record puts an entry
// in a bounded buffer and never waits; one goroutine writes the buffer
// with COPY every Every or Batch entries. Close writes what is left.
type Writer struct {
	db    *db.DB
	log   *slog.Logger
	batch int
	every time.Duration

	queue   chan Entry
	flushes chan chan struct{}
	closing chan struct{}
	done    chan struct{}
	once    sync.Once
	closed  atomic.Bool

	drops    atomic.Uint64 // entries shed because the buffer was full
	failed   atomic.Uint64 // entries lost to a write that failed
	reported uint64        // drops already logged; the loop's own
	lost     uint64        // drops and failures already counted in request_log_drops; the loop's own
}

// writerScope is the writer's path to the table: one COPY holds the
// requests of many tenants, so no one tenant's scope can take it. Each
// row's tenant is the one its API key authenticated as, set by the
// middleware, never read from the request.
var writerScope = db.System("request log writer: one COPY batch holds many tenants' requests")

// NewWriter starts a writer on d; Close stops it.
func NewWriter(d *db.DB, opts WriterOptions) *Writer {
	if opts.Buffer <= 0 {
		opts.Buffer = 10000
	}
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	if opts.Every <= 0 {
		opts.Every = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	w := &Writer{
		db: d, log: opts.Logger, batch: min(opts.Batch, opts.Buffer), every: opts.Every,
		queue: make(chan Entry, opts.Buffer), flushes: make(chan chan struct{}),
		closing: make(chan struct{}), done: make(chan struct{}),
	}
	go w.run()
	return w
}

// Record queues e for writing. It never blocks: with the buffer full (or
// the writer closed) the entry is dropped and counted in Drops.
func (w *Writer) Record(e Entry) {
	if w.closed.Load() {
		w.drops.Add(1)
		return
	}
	select {
	case w.queue <- e:
	default:
		w.drops.Add(1)
	}
}

// Drops is how many entries were shed since the start because the buffer
// was full; a metrics endpoint reads it.
func (w *Writer) Drops() uint64 { return w.drops.Load() }

// Failed is how many entries were lost to writes the database refused.
func (w *Writer) Failed() uint64 { return w.failed.Load() }

// Flush writes every entry recorded before it was called and returns
// when they are written (or ctx ends).
func (w *Writer) Flush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case w.flushes <- ack:
	case <-w.done:
		return nil // closed: Close wrote everything
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops taking entries, writes those waiting and returns when they
// are written, or when ctx ends (the rest are then lost with the process).
func (w *Writer) Close(ctx context.Context) error {
	w.once.Do(func() {
		w.closed.Store(true)
		close(w.closing)
	})
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (w *Writer) run() {
	defer close(w.done)
	tick := time.NewTicker(w.every)
	defer tick.Stop()
	batch := make([]Entry, 0, w.batch)
	for {
		select {
		case e := <-w.queue:
			if batch = append(batch, e); len(batch) >= w.batch {
				batch = w.write(batch)
			}
		case <-tick.C:
			batch = w.write(batch)
		case ack := <-w.flushes:
			batch = w.drain(batch)
			close(ack)
		case <-w.closing:
			w.drain(batch)
			return
		}
	}
}

// drain writes the batch and everything in the buffer now.
func (w *Writer) drain(batch []Entry) []Entry {
	for {
		select {
		case e := <-w.queue:
			if batch = append(batch, e); len(batch) >= w.batch {
				batch = w.write(batch)
			}
		default:
			return w.write(batch)
		}
	}
}

// write copies batch into the table and returns it emptied. A failed
// write is logged and counted, not retried: the buffer behind it keeps
// filling, and a database that refuses one batch likely refuses the next.
func (w *Writer) write(batch []Entry) []Entry {
	w.reportDrops()
	if len(batch) == 0 {
		return batch
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := w.copy(ctx, batch)
	if isNoPartition(err) {
		// A day the upkeep job has not reached yet (a fresh database, a
		// job that has not run): make the days of the batch and go on.
		if err = makePartitions(ctx, w.db, days(batch)); err == nil {
			err = w.copy(ctx, batch)
		}
	}
	if err != nil {
		w.failed.Add(uint64(len(batch)))
		w.log.Error("request log: a batch was not written", "entries", len(batch), "err", err)
	}
	clear(batch) // let the strings go
	return batch[:0]
}

// reportDrops logs the entries shed since the last report, at most once
// per write (every second or batch), so a full buffer does not flood the log.
func (w *Writer) reportDrops() {
	if n := w.drops.Load(); n > w.reported {
		w.log.Warn("request log: buffer full, entries dropped", "dropped", n-w.reported, "dropped_total", n)
		w.reported = n
	}
	w.countLosses()
}

// countLosses adds the entries lost since the last count (dropped or
// refused) to request_log_drops, where the alert on them sums every
// process's. A count that cannot be written is tried again next time.
func (w *Writer) countLosses() {
	lost := w.drops.Load() + w.failed.Load()
	if lost <= w.lost {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := w.db.Exec(ctx, db.Platform(), `INSERT INTO request_log_drops (dropped) VALUES ($1)`, int64(lost-w.lost)); err != nil {
		w.log.Error("request log: the count of lost entries was not written", "err", err)
		return
	}
	w.lost = lost
}

var copyColumns = []string{"id", "tenant_id", "created_at", "api_key_id", "key_prefix", "method", "route", "path",
	"status", "problem_code", "duration_us", "request_id", "client_ip", "user_agent", "bytes_in", "bytes_out"}

func (w *Writer) copy(ctx context.Context, batch []Entry) error {
	return w.db.Tx(ctx, writerScope, func(ctx context.Context, tx db.Tx) error {
		_, err := tx.CopyFrom(ctx, "request_logs", copyColumns, pgx.CopyFromSlice(len(batch), func(i int) ([]any, error) {
			e := batch[i]
			var key any
			if e.KeyID != uuid.Nil {
				key = e.KeyID
			}
			return []any{uuid.Must(uuid.NewV7()), e.TenantID, e.At, key, clean(e.KeyPrefix), e.Method, clean(e.Route), clean(e.Path),
				e.Status, e.Problem, e.Duration.Microseconds(), clean(e.RequestID), clean(e.ClientIP), clean(e.UserAgent), e.BytesIn, e.BytesOut}, nil
		}))
		return err
	})
}

// isNoPartition: PostgreSQL found no partition for a row's day.
func isNoPartition(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23514" && strings.Contains(pgErr.Message, "no partition")
}

// days are the UTC days of batch's entries, each once.
func days(batch []Entry) []time.Time {
	var out []time.Time
	for _, e := range batch {
		if d := day(e.At); !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}
