package jobs

import "testing"

// The service's role owns no table, so River's nightly REINDEX of its own
// indexes would fail: every client turns the reindexer off, in the way
// River reads it (an empty list, not nil, which means its default list).
func TestReindexerIsOff(t *testing.T) {
	for _, work := range []bool{false, true} {
		cfg := riverConfig(Deps{}, Options{Work: work})
		if cfg.ReindexerIndexNames == nil {
			t.Fatalf("work=%v: ReindexerIndexNames is nil, which River reads as its default list", work)
		}
		if names := cfg.WithDefaults().ReindexerIndexNames; len(names) != 0 {
			t.Fatalf("work=%v: River would reindex %v", work, names)
		}
	}
}
