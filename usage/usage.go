// Package usage keeps per-tenant verification rollups (table usage_daily:
// counts per UTC day, API key and source) and reads them back as series,
// totals and per-key breakdowns. Writers add to the rollups in the same
// statement or transaction as the work they count (verifications, lists);
// readers never touch the raw verifications table.
package usage

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/verify"
)

// Sources of usage.
const (
	SourceAPI       = "api"
	SourceList      = "list"
	SourceDashboard = "dashboard"
	// SourceInbound is addresses a CRM pushed in (POST /v1/inbound/…).
	SourceInbound = "inbound"
)

// Sources lists every usage source, in the order reports show them.
func Sources() []string {
	return []string{SourceAPI, SourceList, SourceDashboard, SourceInbound}
}

// NoKey is the api_key_id of usage made without an API key (the
// dashboard, lists uploaded on the page): the all-zero uuid, so that it
// can be part of the primary key.
const NoKey = "00000000-0000-0000-0000-000000000000"

// Columns are the columns writers insert, in this order.
const Columns = "tenant_id, day, api_key_id, source, shard, deliverable, undeliverable, risky, unknown, cache_hits, billable"

// Shards is how many rows one (tenant, day, source, key) rollup spreads
// its writes over, so that concurrent writers of a busy key seldom wait
// on one row's lock. Readers sum over shards.
const Shards = 16

// Shard picks the shard row for one write.
func Shard() int { return rand.IntN(Shards) }

// OnConflict ends an `INSERT INTO usage_daily (` + Columns + `) …`: rows
// of an existing day, key, source and shard add to its counters.
const OnConflict = `ON CONFLICT (tenant_id, day, source, api_key_id, shard) DO UPDATE SET
	deliverable = usage_daily.deliverable + EXCLUDED.deliverable,
	undeliverable = usage_daily.undeliverable + EXCLUDED.undeliverable,
	risky = usage_daily.risky + EXCLUDED.risky,
	unknown = usage_daily.unknown + EXCLUDED.unknown,
	cache_hits = usage_daily.cache_hits + EXCLUDED.cache_hits,
	billable = usage_daily.billable + EXCLUDED.billable`

// Billable reports whether a verification's answer cost the engine work:
// live (not test mode), not from the cache, not by one of the tenant's
// rules, not an address that does not even parse.
func Billable(r verify.Result, testMode bool) bool {
	return !testMode && !r.Cached && r.Reason != verify.ReasonAllowedByRule && r.Reason != verify.ReasonBlockedByRule &&
		r.Reason != verify.ReasonInvalidSyntax
}

// Counts are verification counters.
type Counts struct {
	Deliverable   int
	Undeliverable int
	Risky         int
	Unknown       int
	CacheHits     int
	Billable      int
}

// Total is the number of verifications.
func (c Counts) Total() int { return c.Deliverable + c.Undeliverable + c.Risky + c.Unknown }

// SuccessRate is the share of deliverable verdicts, 0–1 (0 without any).
func (c Counts) SuccessRate() float64 { return ratio(c.Deliverable, c.Total()) }

// CacheHitRate is the share answered from the cache, 0–1.
func (c Counts) CacheHitRate() float64 { return ratio(c.CacheHits, c.Total()) }

// Add returns the sum of c and o.
func (c Counts) Add(o Counts) Counts {
	return Counts{
		Deliverable: c.Deliverable + o.Deliverable, Undeliverable: c.Undeliverable + o.Undeliverable,
		Risky: c.Risky + o.Risky, Unknown: c.Unknown + o.Unknown,
		CacheHits: c.CacheHits + o.CacheHits, Billable: c.Billable + o.Billable,
	}
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Store reads a tenant's rollups, each call in that tenant's transaction.
// Its statements are bun raw SQL with ? placeholders.
type Store struct {
	db *db.DB
}

// NewStore returns a Store.
func NewStore(d *db.DB) *Store { return &Store{db: d} }

// Delta is usage to add to one rollup row.
type Delta struct {
	TenantID uuid.UUID
	Day      time.Time // its UTC date is used
	APIKeyID uuid.UUID // uuid.Nil: no key
	Source   string
	Counts
}

// Add adds d to the rollups in tx, a transaction of d's tenant (row-level
// security refuses another tenant's row). The busy write paths fold their
// rollup into their own statements; Add is for the rest (a list's invalid
// addresses, judged once at upload), imports, corrections and tests.
func Add(ctx context.Context, tx db.Tx, d Delta) error {
	_, err := tx.NewRaw(`INSERT INTO usage_daily (`+Columns+`) VALUES (?, ?::date, ?, ?, 0, ?, ?, ?, ?, ?, ?) `+OnConflict,
		d.TenantID, d.Day.UTC().Format(time.DateOnly), d.APIKeyID, d.Source,
		d.Deliverable, d.Undeliverable, d.Risky, d.Unknown, d.CacheHits, d.Billable).Exec(ctx)
	return err
}
