package jobs

import (
	"context"
	"time"

	"github.com/riverqueue/river"

	"mailvet/requestlog"
)

// RequestLogUpkeepArgs is the periodic upkeep of the API request log's
// day partitions: a week made ahead, those past the retention dropped.
type RequestLogUpkeepArgs struct{}

// Kind names the job.
func (RequestLogUpkeepArgs) Kind() string { return "maintenance.request_log_partitions" }

// RequestLogUpkeepWorker runs the upkeep.
type RequestLogUpkeepWorker struct {
	river.WorkerDefaults[RequestLogUpkeepArgs]
	Logs      *requestlog.Store
	Retention time.Duration
}

// Work makes and drops partitions and records what it did on the job.
func (w *RequestLogUpkeepWorker) Work(ctx context.Context, job *river.Job[RequestLogUpkeepArgs]) error {
	up, err := w.Logs.Maintain(ctx, time.Now(), w.Retention)
	if err != nil {
		return err
	}
	return river.RecordOutput(ctx, up)
}
