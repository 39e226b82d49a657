package listbench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"mailvet/actor"
	"mailvet/billing"
	"mailvet/db"
	"mailvet/lists"
	"mailvet/verify"
	"mailvet/wiring"
)

// Env is what the measurements run on: the services built as the service
// builds them, and one tenant of the bench's own.
type Env struct {
	Services *wiring.Services
	DB       *db.DB
	Log      *slog.Logger
	Store    *lists.Store
	TenantID uuid.UUID
	// By is who uploads and reads the bench's lists: the bench tenant's
	// owner, in live mode, as on the Lists page.
	By actor.Actor

	// ownerURL connects as the tables' owner (no SET ROLE), for the
	// set-up steps the service's role may not do: VACUUM and TRUNCATE.
	ownerURL string
	userID   uuid.UUID
	planID   string
	engine   *verify.Verifier
}

// NewEnv builds the services on d (connected as the service's role) and
// creates a tenant for the bench. ownerURL is the database's URL as the
// tables' owner. maxRows is the store's row limit (0: the service's
// default, 1,000,000). Close releases what NewEnv built.
func NewEnv(ctx context.Context, d *db.DB, ownerURL string, log *slog.Logger, maxRows int) (*Env, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := wiring.Defaults()
	if maxRows > 0 {
		cfg.ListMaxRows = maxRows
	}
	// Ingest and export never verify; the end-to-end run builds an engine
	// of its own, pointed at the simulated world.
	cfg.DNSCanaries = nil // so no canary check asks about real providers either
	engine, err := wiring.NewEngine(cfg)
	if err != nil {
		return nil, err
	}
	svc, err := wiring.Build(cfg, log, d, engine)
	if err != nil {
		engine.Close()
		return nil, err
	}
	e := &Env{Services: svc, DB: d, Log: log, Store: svc.Lists, ownerURL: ownerURL, engine: engine}
	suffix := randomSuffix()
	u, err := svc.Tenants.CreateUser(ctx, "bench-"+suffix+"@mailvet.test", "List bench", "correct horse battery staple", false, actor.Operator())
	if err != nil {
		engine.Close()
		return nil, fmt.Errorf("create bench user: %w", err)
	}
	e.userID = u.ID
	tn, err := svc.Tenants.CreateTenant(ctx, "List bench "+suffix, u.ID, actor.Operator().From("", "mailvet-bench lists"))
	if err != nil {
		engine.Close()
		return nil, fmt.Errorf("create bench tenant: %w", err)
	}
	e.TenantID, e.planID = tn.ID, "bench_"+suffix
	e.By = actor.User(u.ID, u.Email, actor.RoleOwner).In(tn.ID)
	if err := e.givePlan(ctx, max(cfg.ListMaxRows, 1)); err != nil {
		engine.Close()
		return nil, fmt.Errorf("give the bench tenant its plan: %w", err)
	}
	return e, nil
}

// givePlan subscribes the bench tenant to a plan of its own whose quota
// and rate never stop the bench; they are still counted, as in service.
func (e *Env) givePlan(ctx context.Context, maxRows int) error {
	const lots = 1_000_000_000
	err := e.DB.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.NewRaw(`INSERT INTO plans (id, name, price_cents, daily_limit, monthly_included, monthly_limit, rate_per_minute, max_list_rows, sort)
			VALUES (?, 'List bench', 0, ?, ?, ?, ?, ?, 1000)`, e.planID, lots, lots, lots, billing.MaxRatePerMinute, maxRows).Exec(ctx)
		return err
	})
	if err != nil {
		return err
	}
	return e.tenantTx(ctx, func(ctx context.Context, tx db.Tx) error {
		_, err := tx.NewRaw(`INSERT INTO subscriptions (tenant_id, plan_id, status) VALUES (?, ?, 'active')`, e.TenantID, e.planID).Exec(ctx)
		return err
	})
}

// Close stops the engine NewEnv built (the database stays the caller's).
func (e *Env) Close() { e.engine.Close() }

// ForgetJobs deletes the River jobs of the bench tenant's lists, so that
// no worker ever runs them (the ingest and export lists are never meant
// to be verified). River's tables have no tenant: the pool reaches them.
func (e *Env) ForgetJobs(ctx context.Context) error {
	_, err := e.DB.Pool.Exec(ctx, `DELETE FROM river_job WHERE kind = $1 AND args->>'tenant_id' = $2`,
		lists.VerifyBatchArgs{}.Kind(), e.TenantID.String())
	return err
}

// Cleanup removes everything the bench made: its jobs, its tenant (lists,
// rows, cached verdicts and its subscription go with it), its plan and its
// user.
func (e *Env) Cleanup(ctx context.Context) error {
	if err := e.ForgetJobs(ctx); err != nil {
		return err
	}
	return e.DB.Tx(ctx, db.System("list bench: remove the bench's own tenant and user"), func(ctx context.Context, tx db.Tx) error {
		if _, err := tx.NewDelete().TableExpr("tenants").Where("id = ?", e.TenantID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().TableExpr("plans").Where("id = ?", e.planID).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewDelete().TableExpr("users").Where("id = ?", e.userID).Exec(ctx)
		return err
	})
}

// DeleteLists removes the bench tenant's lists and their jobs, quickly:
// only for a database that holds nothing else (a Go benchmark's).
func (e *Env) DeleteLists(ctx context.Context) error {
	if err := e.ForgetJobs(ctx); err != nil {
		return err
	}
	return e.asOwner(ctx, `TRUNCATE list_rows, lists`)
}

// asOwner runs one statement as the tables' owner.
func (e *Env) asOwner(ctx context.Context, stmt string) error {
	conn, err := pgx.Connect(ctx, e.ownerURL)
	if err != nil {
		return fmt.Errorf("connect as the tables' owner: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, stmt)
	return err
}

// tenantTx runs fn in a transaction of the bench tenant: row-level
// security shows it that tenant's rows, as it shows the service.
func (e *Env) tenantTx(ctx context.Context, fn func(ctx context.Context, tx db.Tx) error) error {
	return e.DB.Tx(ctx, db.Tenant(e.TenantID), fn)
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
