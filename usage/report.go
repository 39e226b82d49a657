package usage

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
)

// Period is one period of a series.
type Period struct {
	Start time.Time
	Counts
}

// KeyUsage is the use of one API key; KeyID is uuid.Nil for use without a
// key (the dashboard, lists uploaded on the page).
type KeyUsage struct {
	KeyID   uuid.UUID
	Name    string // "" for no key, or a key that no longer exists
	Prefix  string
	Mode    string // live or test
	Revoked bool
	Counts
}

// Report is a tenant's use over a range.
type Report struct {
	Range
	Series   []Period // every period of the range, empty ones included
	Totals   Counts
	ByKey    []KeyUsage        // busiest first
	BySource map[string]Counts // by SourceAPI, SourceList, SourceDashboard
}

const sums = `sum(deliverable)::bigint, sum(undeliverable)::bigint, sum(risky)::bigint, sum(unknown)::bigint,
	sum(cache_hits)::bigint, sum(billable)::bigint`

func (c *Counts) scanArgs() []any {
	return []any{&c.Deliverable, &c.Undeliverable, &c.Risky, &c.Unknown, &c.CacheHits, &c.Billable}
}

// Report reads the tenant's rollups over r: one snapshot, so the series,
// the totals and the breakdowns agree.
func (s *Store) Report(ctx context.Context, tenantID uuid.UUID, r Range) (Report, error) {
	rep := Report{Range: r, BySource: map[string]Counts{}}
	starts := r.Periods()
	index := make(map[time.Time]int, len(starts))
	rep.Series = make([]Period, len(starts))
	for i, p := range starts {
		rep.Series[i].Start, index[p] = p, i
	}
	from, to := r.From.Format(time.DateOnly), r.To.Format(time.DateOnly)
	err := s.db.Tx(ctx, db.Tenant(tenantID).Snapshot(), func(ctx context.Context, tx db.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT day, `+sums+` FROM usage_daily
			WHERE tenant_id = ? AND day BETWEEN ?::date AND ?::date GROUP BY day`, tenantID, from, to)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var day time.Time
			var c Counts
			if err := rows.Scan(append([]any{&day}, c.scanArgs()...)...); err != nil {
				return err
			}
			i := index[PeriodStart(day, r.Granularity)]
			rep.Series[i].Counts = rep.Series[i].Counts.Add(c)
			rep.Totals = rep.Totals.Add(c)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rep.ByKey, err = byKey(ctx, tx, tenantID, from, to, rep.BySource)
		return err
	})
	return rep, err
}

// byKey sums the range per key, and per source into bySource.
func byKey(ctx context.Context, tx db.Tx, tenantID uuid.UUID, from, to string, bySource map[string]Counts) ([]KeyUsage, error) {
	rows, err := tx.QueryContext(ctx, `SELECT a.api_key_id, a.source, a.d, a.ud, a.r, a.u, a.ch, a.b,
			coalesce(k.name, ''), coalesce(k.prefix, ''), coalesce(k.mode, ''), k.revoked_at IS NOT NULL
		FROM (SELECT api_key_id, source, `+sums+` FROM usage_daily
			WHERE tenant_id = ? AND day BETWEEN ?::date AND ?::date GROUP BY api_key_id, source) AS a (api_key_id, source, d, ud, r, u, ch, b)
		LEFT JOIN api_keys k ON k.tenant_id = ? AND k.id = a.api_key_id`, tenantID, from, to, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	keys := map[uuid.UUID]*KeyUsage{}
	for rows.Next() {
		var k KeyUsage
		var source string
		var c Counts
		args := append([]any{&k.KeyID, &source}, c.scanArgs()...)
		if err := rows.Scan(append(args, &k.Name, &k.Prefix, &k.Mode, &k.Revoked)...); err != nil {
			return nil, err
		}
		bySource[source] = bySource[source].Add(c)
		if have, ok := keys[k.KeyID]; ok {
			have.Counts = have.Counts.Add(c)
			continue
		}
		k.Counts = c
		keys[k.KeyID] = &k
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]KeyUsage, 0, len(keys))
	for _, k := range keys {
		out = append(out, *k)
	}
	slices.SortFunc(out, func(a, b KeyUsage) int {
		return cmp.Or(cmp.Compare(b.Total(), a.Total()), cmp.Compare(a.Name, b.Name), cmp.Compare(a.KeyID.String(), b.KeyID.String()))
	})
	return out, nil
}

// Totals sums the tenant's use from one UTC day to another, both included.
func (s *Store) Totals(ctx context.Context, tenantID uuid.UUID, from, to time.Time) (Counts, error) {
	var c Counts
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT `+coalesced+` FROM usage_daily WHERE tenant_id = ? AND day BETWEEN ?::date AND ?::date`,
			tenantID, DateOf(from).Format(time.DateOnly), DateOf(to).Format(time.DateOnly)).Scan(c.scanArgs()...)
	})
	return c, err
}

const coalesced = `coalesce(sum(deliverable), 0)::bigint, coalesce(sum(undeliverable), 0)::bigint, coalesce(sum(risky), 0)::bigint,
	coalesce(sum(unknown), 0)::bigint, coalesce(sum(cache_hits), 0)::bigint, coalesce(sum(billable), 0)::bigint`
