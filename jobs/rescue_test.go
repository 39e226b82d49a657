package jobs

import (
	"testing"
	"time"

	"mailvet/lists"
)

// riverRescuerInterval is how often River's rescuer looks for stuck jobs
// (its maintenance.JobRescuerIntervalDefault, which is internal to River).
const riverRescuerInterval = 30 * time.Second

// With the default settings a list whose worker died resumes within about
// two minutes, and a batch still running is never taken for dead.
func TestDefaultRescueIsWithinTwoMinutes(t *testing.T) {
	after := rescueAfter(lists.BatchTimeout)
	if after <= lists.BatchTimeout {
		t.Fatalf("rescue after %s is not past the batch timeout %s: a running batch would be run twice", after, lists.BatchTimeout)
	}
	// River's scheduler makes a rescued job available within 5 s, after a
	// first retry of about a second.
	if worst := after + riverRescuerInterval + 6*time.Second; worst > 2*time.Minute {
		t.Fatalf("a dead worker's batch waits up to %s", worst)
	}
	// Short timeouts (tests, crash drills) keep a rescue of 1.5 times theirs.
	if got := rescueAfter(4 * time.Second); got != 6*time.Second {
		t.Fatalf("rescue after a 4s timeout: %s", got)
	}
}
