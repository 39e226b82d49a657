// Package perf is the service's view of its own speed: the slow-query
// log, the performance page's figures (from the API request log, River's
// tables and the verifications) read across tenants for platform admins.
package perf

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/safetext"
)

// DefaultSlowQuery is MAILVET_SLOW_QUERY's default.
const DefaultSlowQuery = 200 * time.Millisecond

// slowKeep is how many slow statements the table keeps, newest first.
const slowKeep = 500

// SlowLog is told of every statement (it is the database's observer);
// one slower than its threshold is logged at once and written to the
// slow_queries table off the query's path: a bounded buffer and one
// goroutine, so a burst of slow statements never makes them slower.
type SlowLog struct {
	db        *db.DB
	log       *slog.Logger
	threshold time.Duration
	queue     chan SlowQuery
	done      chan struct{}
	closeOnce sync.Once
	dropped   atomic.Uint64
}

// SlowQuery is one slow statement.
type SlowQuery struct {
	At       time.Time     `bun:"created_at"`
	Template string        `bun:"template"`
	Duration time.Duration `bun:"-"`
	Micros   int64         `bun:"duration_us"`
	Label    string        `bun:"label"`
	Failed   bool          `bun:"failed"`
}

// NewSlowLog starts the writer; Close stops it. threshold ≤ 0 picks
// DefaultSlowQuery.
func NewSlowLog(d *db.DB, threshold time.Duration, log *slog.Logger) *SlowLog {
	if threshold <= 0 {
		threshold = DefaultSlowQuery
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &SlowLog{db: d, log: log, threshold: threshold, queue: make(chan SlowQuery, 256), done: make(chan struct{})}
	go l.run()
	return l
}

// ObserveQuery logs and queues a statement over the threshold.
func (l *SlowLog) ObserveQuery(ctx context.Context, s db.Statement) {
	if s.Duration < l.threshold {
		return
	}
	q := SlowQuery{At: time.Now(), Template: safetext.Truncate(Template(s.SQL), 4000), Duration: s.Duration,
		Micros: s.Duration.Microseconds(), Label: safetext.Truncate(s.Label, 200), Failed: s.Err != nil}
	l.log.WarnContext(ctx, "slow query", "duration_ms", s.Duration.Milliseconds(), "source", q.Label, "query", q.Template, "failed", q.Failed)
	select {
	case l.queue <- q:
	default:
		l.dropped.Add(1) // the writer is behind: the log line above has it
	}
}

func (l *SlowLog) run() {
	defer close(l.done)
	// The writer's statements are not observed: a slow insert of a slow
	// query would queue itself.
	ctx := db.Unobserved(context.Background())
	for q := range l.queue {
		if err := l.write(ctx, q); err != nil {
			l.log.Error("write slow query", "err", err)
		}
	}
}

// write inserts q and trims the table to the newest slowKeep rows.
func (l *SlowLog) write(ctx context.Context, q SlowQuery) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return l.db.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO slow_queries (created_at, template, duration_us, label, failed) VALUES (?, ?, ?, ?, ?)`,
			q.At, q.Template, q.Micros, q.Label, q.Failed); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM slow_queries WHERE id <= (SELECT id FROM slow_queries ORDER BY id DESC OFFSET ? LIMIT 1)`, slowKeep)
		return err
	})
}

// Close writes what is queued and stops the writer.
func (l *SlowLog) Close() {
	l.closeOnce.Do(func() { close(l.queue) })
	<-l.done
}

// Dropped is how many slow statements were not written (the buffer was full).
func (l *SlowLog) Dropped() uint64 { return l.dropped.Load() }

// SlowQueries lists the slowest statements of the last day among those
// kept (at most limit, 1–500), slowest first, for a platform admin.
func (s *Service) SlowQueries(ctx context.Context, limit int, by actor.Actor) ([]SlowQuery, error) {
	if err := by.RequirePlatform(); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > slowKeep {
		limit = 50
	}
	var out []SlowQuery
	err := s.db.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw(`SELECT created_at, template, duration_us, label, failed FROM slow_queries
			WHERE created_at > now() - make_interval(secs => ?) ORDER BY duration_us DESC, id DESC LIMIT ?`, (24*time.Hour).Seconds(), limit).Scan(ctx, &out)
	})
	for i := range out {
		out[i].Duration = time.Duration(out[i].Micros) * time.Microsecond
	}
	return out, err
}
