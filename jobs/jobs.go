// Package jobs adapts River to the domain packages: it registers one worker
// per job kind and builds the client. Workers hold no business rules; they
// call the domain.
package jobs

import (
	"database/sql"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"mailvet/db"
	"mailvet/mail"
	"mailvet/tenants"
)

// Deps are what the workers call into.
type Deps struct {
	Tenants *tenants.Store
	Mailer  mail.Sender
}

// Client is the River client type of the service: jobs are inserted
// inside database/sql (bun) transactions.
type Client = river.Client[*sql.Tx]

// Options configure a client.
type Options struct {
	// Work runs workers in this process; without it the client only
	// inserts jobs.
	Work       bool
	MaxWorkers int
	Logger     *slog.Logger
	// PurgeEvery is how often expired sessions and links are deleted.
	PurgeEvery time.Duration
	// FetchPollInterval overrides River's fallback polling (tests use a
	// short one); LISTEN/NOTIFY wakes workers sooner anyway.
	FetchPollInterval time.Duration
}

// NewClient builds the River client on the service's one pool: database/sql
// for queries and transactions, pgx for LISTEN.
func NewClient(d *db.DB, deps Deps, opts Options) (*Client, error) {
	cfg := &river.Config{Logger: opts.Logger, FetchPollInterval: opts.FetchPollInterval}
	if opts.Work {
		workers := river.NewWorkers()
		river.AddWorker(workers, &SendMailWorker{Mailer: deps.Mailer})
		river.AddWorker(workers, &PurgeExpiredWorker{Tenants: deps.Tenants})
		cfg.Workers = workers
		maxWorkers := opts.MaxWorkers
		if maxWorkers <= 0 {
			maxWorkers = 10
		}
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: maxWorkers}}
		every := opts.PurgeEvery
		if every <= 0 {
			every = time.Hour
		}
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(every),
				func() (river.JobArgs, *river.InsertOpts) { return PurgeExpiredArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "purge_expired"}),
		}
	}
	return river.NewClient(riverdatabasesql.NewWithPgxListener(d.SQL, d.Pool), cfg)
}
