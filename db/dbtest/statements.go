package dbtest

import (
	"context"
	"slices"
	"sync"

	"mailvet/db"
)

// Statements records the statements a database observes
// (db.DB.ObserveQueries), for tests of what they carry.
type Statements struct {
	mu  sync.Mutex
	all []db.Statement
}

// ObserveQuery records s.
func (o *Statements) ObserveQuery(_ context.Context, s db.Statement) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.all = append(o.all, s)
}

// Labels are the recorded statements' labels, in order.
func (o *Statements) Labels() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]string, len(o.all))
	for i, s := range o.all {
		out[i] = s.Label
	}
	return out
}

// HasLabel says whether a recorded statement carries label.
func (o *Statements) HasLabel(label string) bool { return slices.Contains(o.Labels(), label) }
