package importjson

import (
	"context"
	"time"

	"github.com/google/uuid"

	"mailvet/db"
	"mailvet/verifications"
	"mailvet/verify"
)

// emailsFile is the email tracker's emails.json: one past verification
// per record, which becomes verification history and, when definite, a
// cache entry. Written 500 at a time: the file may hold millions.
func emailsFile() file {
	return file{
		name: "emails.json", target: "verification", batch: 500,
		parse: func(rec Record) (any, error) {
			return verdict(rec.Fields, time.Time{})
		},
		write: func(ctx context.Context, tx db.Tx, tenantID uuid.UUID, items []item, _ *FileReport) ([]outcome, error) {
			results := make([]verify.Result, len(items))
			for i, it := range items {
				results[i] = it.value.(verify.Result)
			}
			if err := verifications.ImportHistory(ctx, tx, tenantID, results); err != nil {
				return nil, err
			}
			return make([]outcome, len(items)), nil
		},
	}
}
