package listbench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/google/uuid"

	"mailvet/audit"
	"mailvet/db"
	"mailvet/jobs"
	"mailvet/lists"
	"mailvet/mail"
	"mailvet/tenants"
)

// Env is what the measurements run on: the list store wired as the
// service wires it (serve.go), with an insert-only River client, and one
// tenant of its own.
type Env struct {
	DB       *db.DB
	Log      *slog.Logger
	Jobs     *jobs.Client // insert-only
	Tenants  *tenants.Store
	Store    *lists.Store
	TenantID uuid.UUID
	userID   uuid.UUID
}

// NewEnv builds the stores on d and creates a tenant for the bench.
// maxRows is the store's row limit (0: the service's default, 1,000,000).
func NewEnv(ctx context.Context, d *db.DB, log *slog.Logger, maxRows int) (*Env, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	base, _ := url.Parse("http://mailvet.test")
	ts := tenants.NewStore(d.Bun, mail.NewQueue(inserter), base, tenants.Options{})
	e := &Env{DB: d, Log: log, Jobs: inserter, Tenants: ts, Store: lists.NewStore(d, inserter, lists.Options{MaxRows: maxRows})}
	suffix := randomSuffix()
	u, err := ts.CreateUser(ctx, "bench-"+suffix+"@mailvet.test", "List bench", "correct horse battery staple", false)
	if err != nil {
		return nil, fmt.Errorf("create bench user: %w", err)
	}
	e.userID = u.ID
	tn, err := ts.CreateTenant(ctx, "List bench "+suffix, u.ID, audit.Actor{Email: "bench", UserAgent: "mailvet bench lists"})
	if err != nil {
		return nil, fmt.Errorf("create bench tenant: %w", err)
	}
	e.TenantID = tn.ID
	return e, nil
}

// ForgetJobs deletes the River jobs of the bench tenant's lists, so that
// no worker ever runs them (the ingest and export lists are never meant
// to be verified).
func (e *Env) ForgetJobs(ctx context.Context) error {
	_, err := e.DB.Pool.Exec(ctx, `DELETE FROM river_job WHERE kind = $1 AND args->>'tenant_id' = $2`,
		lists.VerifyBatchArgs{}.Kind(), e.TenantID.String())
	return err
}

// Cleanup removes everything the bench made: its jobs, its tenant (lists,
// rows and cached verdicts go with it) and its user.
func (e *Env) Cleanup(ctx context.Context) error {
	if err := e.ForgetJobs(ctx); err != nil {
		return err
	}
	if _, err := e.DB.Pool.Exec(ctx, `DELETE FROM tenants WHERE id = $1`, e.TenantID); err != nil {
		return err
	}
	_, err := e.DB.Pool.Exec(ctx, `DELETE FROM users WHERE id = $1`, e.userID)
	return err
}

// DeleteLists removes the bench tenant's lists and their jobs, quickly:
// only for a database that holds nothing else (a Go benchmark's).
func (e *Env) DeleteLists(ctx context.Context) error {
	if err := e.ForgetJobs(ctx); err != nil {
		return err
	}
	_, err := e.DB.Pool.Exec(ctx, `TRUNCATE list_rows, lists`)
	return err
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
