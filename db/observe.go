package db

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// Statement is one statement the database answered, as an observer sees
// it: its SQL as sent (bun's with the values formatted in, pgx's with $n
// placeholders), how long it took, and the label of the work that sent it.
type Statement struct {
	SQL      string
	Duration time.Duration
	Label    string // "GET /v1/lists/{id}", "job mail.send", or empty
	Err      error
}

// QueryObserver is told of every statement (the slow-query log). It is
// called on the query's goroutine and must not block.
type QueryObserver interface {
	ObserveQuery(ctx context.Context, s Statement)
}

// ObserveQueries sends every statement from now on to o (nil: to no one).
func (d *DB) ObserveQueries(o QueryObserver) {
	if o == nil {
		d.observer.watch.Store(nil)
		return
	}
	d.observer.watch.Store(&o)
}

type labelKey struct{}

// WithLabel names the work ctx's statements belong to (a route, a job
// kind). label is called when a statement is observed, not now: the
// router learns a request's pattern after its middleware ran.
func WithLabel(ctx context.Context, label func() string) context.Context {
	return context.WithValue(ctx, labelKey{}, label)
}

func labelOf(ctx context.Context) string {
	if f, ok := ctx.Value(labelKey{}).(func() string); ok {
		return f()
	}
	return ""
}

type unobservedKey struct{}

// Unobserved marks ctx's statements as not to be observed: the observer's
// own writes, which would otherwise feed themselves.
func Unobserved(ctx context.Context) context.Context {
	return context.WithValue(ctx, unobservedKey{}, true)
}

// observer measures statements twice over: bun's query hook sees what
// goes through bun, the pgx tracer everything else (River, QueryRow,
// Exec, COPY). A statement bun sent is marked in its context, so the
// tracer under it does not count it again.
type observer struct {
	watch atomic.Pointer[QueryObserver]
}

type bunMeasured struct{}

func (o *observer) report(ctx context.Context, sql string, took time.Duration, err error) {
	w := o.watch.Load()
	if w == nil || ctx.Value(unobservedKey{}) != nil {
		return
	}
	(*w).ObserveQuery(ctx, Statement{SQL: sql, Duration: took, Label: labelOf(ctx), Err: err})
}

// BeforeQuery is bun's hook: it marks the statement as bun's.
func (o *observer) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	if o.watch.Load() == nil {
		return ctx
	}
	return context.WithValue(ctx, bunMeasured{}, true)
}

// AfterQuery is bun's hook: the statement is done.
func (o *observer) AfterQuery(ctx context.Context, e *bun.QueryEvent) {
	sql := e.Query
	if e.QueryTemplate != "" {
		// Raw statements with arguments: the text before formatting, with
		// ? where the values went.
		sql = e.QueryTemplate
	}
	o.report(ctx, sql, time.Since(e.StartTime), e.Err)
}

type traceStart struct{}

type traceSpan struct {
	sql   string
	start time.Time
}

// TraceQueryStart is pgx's tracer: it notes when a statement bun did
// not send starts.
func (o *observer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	if ctx.Value(bunMeasured{}) != nil || o.watch.Load() == nil {
		return ctx
	}
	return context.WithValue(ctx, traceStart{}, traceSpan{sql: data.SQL, start: time.Now()})
}

// TraceQueryEnd is pgx's tracer: the statement is done.
func (o *observer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if span, ok := ctx.Value(traceStart{}).(traceSpan); ok {
		o.report(ctx, span.sql, time.Since(span.start), data.Err)
	}
}

type batchStart struct{}

type batchSpan struct {
	sql   *string
	start time.Time
}

// TraceBatchStart is pgx's tracer for batches (a tenant's QueryRow and
// Exec: the tenant's setting and the statement in one round trip).
func (o *observer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	if o.watch.Load() == nil {
		return ctx
	}
	return context.WithValue(ctx, batchStart{}, batchSpan{sql: new(string), start: time.Now()})
}

// TraceBatchQuery keeps the batch's last statement: the one it was for.
func (o *observer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	if span, ok := ctx.Value(batchStart{}).(batchSpan); ok {
		*span.sql = data.SQL
	}
}

// TraceBatchEnd reports the batch as its statement.
func (o *observer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchEndData) {
	if span, ok := ctx.Value(batchStart{}).(batchSpan); ok {
		o.report(ctx, *span.sql, time.Since(span.start), data.Err)
	}
}
