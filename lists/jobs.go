package lists

import (
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
)

// Queue is the River queue list batches run on, apart from the service's
// other jobs so that a big list never holds up mail.
const Queue = "lists"

// VerifyBatchArgs is one River job: verify the pending rows of a list
// between two row numbers.
type VerifyBatchArgs struct {
	TenantID uuid.UUID `json:"tenant_id"`
	ListID   uuid.UUID `json:"list_id"`
	FromRow  int       `json:"from_row"`
	ToRow    int       `json:"to_row"`
}

// Kind names the job.
func (VerifyBatchArgs) Kind() string { return "lists.verify_batch" }

// InsertOpts puts batches on the lists queue. Retries after errors are
// River's; greylisting waits are snoozes and do not count.
func (VerifyBatchArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 10}
}

// BatchTimeout bounds one batch run. A run that needs longer writes what it
// answered and goes on in its next run (Process), so the bound costs no
// work; it is short because a worker killed mid-batch leaves the job to
// River's rescuer, which can only take it back once the timeout has passed
// (jobs.Options.RescueAfter), and a list should resume within about two
// minutes of its worker's death.
const BatchTimeout = time.Minute
