package schedules

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"mailvet/actor"
	"mailvet/billing"
	"mailvet/db"
	"mailvet/lists"
	"mailvet/mail"
	"mailvet/webhooks"
)

// JobInserter inserts River jobs inside a database/sql transaction.
type JobInserter interface {
	InsertManyFastTx(ctx context.Context, tx *sql.Tx, params []river.InsertManyParams) (int, error)
}

// Quota charges a run's addresses to the month like an upload
// (billing.Service) and gives back what it did not verify.
type Quota interface {
	ConsumeList(ctx context.Context, tx db.Tx, tenantID, keyID uuid.UUID, lim billing.KeyLimits, n int) (billing.Quota, error)
	Refund(ctx context.Context, tx db.Tx, tenantID uuid.UUID, n int) error
}

// Plans tells a tenant's plan: how often its schedules may run.
type Plans interface {
	PlanFor(ctx context.Context, tenantID uuid.UUID) (billing.Plan, error)
}

// Events records schedule.completed and schedule.failed (webhooks.Service)
// in the transaction that finishes the run.
type Events interface {
	Record(ctx context.Context, tx db.Tx, tenantID uuid.UUID, eventType string, data any) (webhooks.Event, error)
}

// Service keeps schedules and runs. Every method but Tick works in one
// tenant's scope and in the actor's mode, as lists do: a schedule or run
// of a list of the other mode, or of another tenant, is not found.
type Service struct {
	db     *db.DB
	jobs   JobInserter
	quota  Quota
	plans  Plans
	events Events
	mail   *mail.Queue
	link   func(path string) string
	now    func() time.Time
}

// Deps are what a Service is built from; Now defaults to time.Now (tests
// move the clock the tick reads).
type Deps struct {
	DB     *db.DB
	Jobs   JobInserter
	Quota  Quota
	Plans  Plans
	Events Events
	Mail   *mail.Queue
	Link   func(path string) string
	Now    func() time.Time
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{db: d.DB, jobs: d.Jobs, quota: d.Quota, plans: d.Plans, events: d.Events, mail: d.Mail, link: d.Link, now: d.Now}
}

// authorize checks by's role in the tenant; another tenant's user or key
// finds no list there.
func authorize(by actor.Actor, tenantID uuid.UUID, min actor.Role) error {
	err := by.RequireIn(tenantID, min)
	if errors.Is(err, actor.ErrOtherTenant) {
		return lists.ErrNotFound
	}
	return err
}

// Audit actions.
const (
	AuditSet          = "schedule.set"
	AuditDeleted      = "schedule.deleted"
	AuditRunRequested = "schedule.run_requested"
	AuditRunCancelled = "schedule.run_cancelled"
	auditTarget       = "list"
)
