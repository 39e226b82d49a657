// Package jobs adapts River to the domain packages: it registers one worker
// per job kind and builds the client. Workers hold no business rules; they
// call the domain.
package jobs

import (
	"cmp"
	"database/sql"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"

	"mailvet/alerts"
	"mailvet/audit"
	"mailvet/billing"
	"mailvet/db"
	"mailvet/inbound"
	"mailvet/lists"
	"mailvet/mail"
	"mailvet/requestlog"
	"mailvet/schedules"
	"mailvet/tenants"
	"mailvet/webhooks"
)

// Deps are what the workers call into.
type Deps struct {
	Tenants *tenants.Store
	Mailer  mail.Sender
	Lists   *lists.Processor // nil: this process does not verify lists
	Stripe  *billing.Stripe  // nil: no usage reports (keyless: the job does nothing)
	// Webhooks delivers events; nil: this process delivers none.
	Webhooks *webhooks.Deliverer
	// WebhookSchedule is the retry schedule of deliveries.
	WebhookSchedule *webhooks.Service
	// Inbound's old pushes are purged with the rest; nil: none.
	Inbound *inbound.Service
	// RequestLogs' partitions are kept by a periodic job, dropping those
	// older than RequestLogRetention (default 30 days); nil: no upkeep.
	RequestLogs         *requestlog.Store
	RequestLogRetention time.Duration
	// Audit's events older than AuditRetention are purged hourly (by
	// PurgeEvery); nil: never.
	Audit          *audit.Store
	AuditRetention time.Duration
	// Schedules ticks the list schedules and Runs works their runs; nil:
	// this process does neither (Runs needs Lists' queue, so both come
	// with it).
	Schedules *schedules.Service
	Runs      *schedules.Runner
	// Backup is the scheduled backup, which the leader enqueues; nil:
	// none (MAILVET_BACKUP_TO is empty).
	Backup *ScheduledBackup
	// Alerts' rules are evaluated every AlertEvery (default a minute)
	// and their notices posted; nil: neither.
	Alerts *alerts.Service
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
	// KeySweepEvery is how often API keys are rotated and told about
	// their expiry (default every 10 minutes: a notice is at most that
	// late).
	KeySweepEvery time.Duration
	// UsageEvery is how often metered overage is reported to Stripe
	// (default hourly).
	UsageEvery time.Duration
	// FetchPollInterval overrides River's fallback polling (tests use a
	// short one); LISTEN/NOTIFY wakes workers sooner anyway.
	FetchPollInterval time.Duration
	// ListWorkers is how many list batches run at once in this process.
	ListWorkers int
	// WebhookWorkers is how many deliveries run at once in this process
	// (default 100), on their own queue.
	WebhookWorkers int
	// ScheduleTickEvery is how often the leader looks for due list
	// schedules (default a minute).
	ScheduleTickEvery time.Duration
	// BatchTimeout bounds one list batch run (default lists.BatchTimeout);
	// RescueAfter is when River's leader gives a job whose worker died to
	// another worker. It must be longer than BatchTimeout, so that a batch
	// still running is never run twice at once; by default it is
	// BatchTimeout plus half of it, at most plus rescueMargin.
	BatchTimeout time.Duration
	RescueAfter  time.Duration
	// AlertEvery is how often the alert rules are evaluated (default a
	// minute).
	AlertEvery time.Duration
}

// NewClient builds the River client on the service's one pool: database/sql
// for queries and transactions, pgx for LISTEN.
func NewClient(d *db.DB, deps Deps, opts Options) (*Client, error) {
	return river.NewClient(riverdatabasesql.NewWithPgxListener(d.SQL, d.Pool), riverConfig(deps, opts))
}

// riverConfig is the client's configuration: its workers, queues and
// periodic jobs when it works, and River's maintenance.
func riverConfig(deps Deps, opts Options) *river.Config {
	cfg := &river.Config{
		Logger:            opts.Logger,
		FetchPollInterval: opts.FetchPollInterval,
		// River's reindexer rebuilds its own indexes every night (midnight
		// UTC) with REINDEX INDEX CONCURRENTLY, which needs the owner of
		// the tables (or, from PostgreSQL 17, the MAINTAIN privilege). The
		// service runs as a role that owns no table (mailvet_app), so it
		// would fail every night: an empty, non-nil list turns it off (nil
		// means River's default list). An operator can reindex River's
		// tables as their owner when they bloat.
		ReindexerIndexNames: []string{},
		Middleware:          []rivertype.Middleware{&labelJobs{}},
	}
	if opts.Work {
		workers := river.NewWorkers()
		river.AddWorker(workers, &SendMailWorker{Mailer: deps.Mailer})
		river.AddWorker(workers, &PasswordResetWorker{Tenants: deps.Tenants})
		river.AddWorker(workers, &PurgeExpiredWorker{Tenants: deps.Tenants, Stripe: deps.Stripe, Inbound: deps.Inbound})
		river.AddWorker(workers, &SweepAPIKeysWorker{Tenants: deps.Tenants})
		cfg.Workers = workers
		maxWorkers := opts.MaxWorkers
		if maxWorkers <= 0 {
			maxWorkers = 10
		}
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: maxWorkers}}
		if deps.Lists != nil {
			timeout := cmp.Or(opts.BatchTimeout, lists.BatchTimeout)
			river.AddWorker(workers, &VerifyBatchWorker{Lists: deps.Lists, timeout: timeout})
			cfg.Queues[lists.Queue] = river.QueueConfig{MaxWorkers: cmp.Or(opts.ListWorkers, 4)}
			cfg.RescueStuckJobsAfter = cmp.Or(opts.RescueAfter, rescueAfter(timeout))
			if cfg.RescueStuckJobsAfter <= river.JobTimeoutDefault {
				// River wants the rescue delay above every job's timeout.
				cfg.JobTimeout = timeout
			}
		}
		if deps.Webhooks != nil {
			river.AddWorker(workers, &DeliverWorker{Deliverer: deps.Webhooks, Schedule: deps.WebhookSchedule})
			// A delivery mostly waits on a receiver, up to its timeout: many
			// workers, so that a few slow endpoints (each capped at
			// webhooks.Options.PerEndpoint) leave room for everyone else's,
			// and a short cooldown, since River's default 100 ms between
			// fetches held a busy queue to a fetch's worth of deliveries
			// (20 then) per 100 ms.
			cfg.Queues[webhooks.Queue] = river.QueueConfig{MaxWorkers: cmp.Or(opts.WebhookWorkers, 100), FetchCooldown: 10 * time.Millisecond}
		}
		every := opts.PurgeEvery
		if every <= 0 {
			every = time.Hour
		}
		cfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(every),
				func() (river.JobArgs, *river.InsertOpts) { return PurgeExpiredArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "purge_expired"}),
			river.NewPeriodicJob(river.PeriodicInterval(cmp.Or(opts.KeySweepEvery, 10*time.Minute)),
				func() (river.JobArgs, *river.InsertOpts) { return SweepAPIKeysArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "sweep_api_keys"}),
		}
		if deps.Lists != nil && deps.Schedules != nil && deps.Runs != nil {
			river.AddWorker(workers, &ScheduleTickWorker{Schedules: deps.Schedules})
			river.AddWorker(workers, &ScheduleRunWorker{Runs: deps.Runs, timeout: cmp.Or(opts.BatchTimeout, lists.BatchTimeout)})
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(cmp.Or(opts.ScheduleTickEvery, time.Minute)),
				func() (river.JobArgs, *river.InsertOpts) { return ScheduleTickArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "schedules_tick"}))
		}
		if deps.RequestLogs != nil {
			river.AddWorker(workers, &RequestLogUpkeepWorker{Logs: deps.RequestLogs, Retention: deps.RequestLogRetention})
			// Hourly, so a missed run or a new day never leaves the writer
			// without a partition for long (it makes its own then anyway).
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) { return RequestLogUpkeepArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "request_log_partitions"}))
		}
		if deps.Audit != nil {
			river.AddWorker(workers, &PurgeAuditWorker{Audit: deps.Audit, Retention: cmp.Or(deps.AuditRetention, audit.DefaultRetention)})
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(every),
				func() (river.JobArgs, *river.InsertOpts) { return PurgeAuditArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "purge_audit"}))
		}
		if deps.Backup != nil {
			river.AddWorker(workers, &BackupWorker{Backup: deps.Backup})
			// Not on start: every deploy would take a dump.
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(deps.Backup.Schedule,
				func() (river.JobArgs, *river.InsertOpts) { return BackupArgs{}, nil },
				&river.PeriodicJobOpts{ID: "backup"}))
		}
		if deps.Alerts != nil {
			river.AddWorker(workers, &AlertEvaluateWorker{Alerts: deps.Alerts})
			river.AddWorker(workers, &AlertWebhookWorker{Alerts: deps.Alerts})
			alertEvery := cmp.Or(opts.AlertEvery, time.Minute)
			// Only the leader inserts periodic jobs; unique by period as
			// well, so a leader that changes mid-period adds no second one.
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(alertEvery),
				func() (river.JobArgs, *river.InsertOpts) {
					return alerts.EvaluateArgs{}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: alertEvery}}
				},
				&river.PeriodicJobOpts{RunOnStart: true, ID: "alerts_evaluate"}))
		}
		if deps.Stripe != nil {
			river.AddWorker(workers, &ReportUsageWorker{Stripe: deps.Stripe})
			cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(cmp.Or(opts.UsageEvery, time.Hour)),
				func() (river.JobArgs, *river.InsertOpts) { return ReportUsageArgs{}, nil },
				&river.PeriodicJobOpts{RunOnStart: true, ID: "billing_report_usage"}))
		}
	}
	return cfg
}

// rescueMargin is how long after a batch's timeout its job may still be
// winding down (writing what it answered, returning to River) before the
// rescuer may take it for dead.
const rescueMargin = 20 * time.Second

// rescueAfter is the default rescue delay for a batch timeout. River's
// rescuer looks every 30 s, so with the default one-minute timeout a list
// whose worker died resumes within about 80 s + 30 s + River's first retry
// (about a second): under two minutes.
func rescueAfter(timeout time.Duration) time.Duration {
	return timeout + min(timeout/2, rescueMargin)
}
