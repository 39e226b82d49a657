package jobs

import (
	"context"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"mailvet/db"
)

// labelJobs names the job kind on every statement a job makes, so a slow
// query says which job sent it.
type labelJobs struct{ river.MiddlewareDefaults }

func (labelJobs) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	label := "job " + job.Kind
	return doInner(db.WithLabel(ctx, func() string { return label }))
}
