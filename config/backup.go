package config

import (
	"errors"
	"net/url"
	"strings"

	"github.com/robfig/cron/v3"
)

// Backup is where `mailvet backup` and the scheduled backup put dumps, and
// how they reach an S3-compatible store.
type Backup struct {
	// DatabaseURL is the login pg_dump uses; empty: DATABASE_URL's.
	DatabaseURL string
	To          string // file, directory/ or s3://bucket/key (or prefix/); empty: no scheduled backup
	Schedule    string // standard cron expression, UTC
	S3          BackupS3
}

// BackupS3 reaches the object store of s3:// targets.
type BackupS3 struct {
	Endpoint, Region                           string
	AccessKeyID, SecretAccessKey, SessionToken string
	PathStyle                                  bool
}

// DefaultBackupSchedule is MAILVET_BACKUP_SCHEDULE's default: daily at 03:00 UTC.
const DefaultBackupSchedule = "0 3 * * *"

func (r *reader) backup() Backup {
	b := Backup{
		DatabaseURL: r.str("MAILVET_BACKUP_DATABASE_URL", ""),
		To:          r.str("MAILVET_BACKUP_TO", ""),
		Schedule:    r.str("MAILVET_BACKUP_SCHEDULE", DefaultBackupSchedule),
		S3: BackupS3{
			Region:          r.str("MAILVET_BACKUP_S3_REGION", "us-east-1"),
			AccessKeyID:     r.str("AWS_ACCESS_KEY_ID", ""),
			SecretAccessKey: r.str("AWS_SECRET_ACCESS_KEY", ""),
			SessionToken:    r.str("AWS_SESSION_TOKEN", ""),
			PathStyle:       r.boolean("MAILVET_BACKUP_S3_PATH_STYLE", false),
		},
	}
	if u := r.url("MAILVET_BACKUP_S3_ENDPOINT", "https://s3.amazonaws.com", "http", "https"); u != nil {
		b.S3.Endpoint = u.String()
	}
	if b.DatabaseURL != "" {
		r.url("MAILVET_BACKUP_DATABASE_URL", b.DatabaseURL, "postgres", "postgresql")
	}
	if strings.HasPrefix(strings.ToLower(b.To), "s3://") {
		if u, err := url.Parse(b.To); err != nil || u.Host == "" || strings.Trim(u.Path, "/") == "" || u.RawQuery != "" {
			r.fail("MAILVET_BACKUP_TO", b.To, "want s3://bucket/key or s3://bucket/prefix/")
		}
	}
	if _, err := cron.ParseStandard(b.Schedule); err != nil {
		r.fail("MAILVET_BACKUP_SCHEDULE", b.Schedule, "must be a cron expression such as \"0 3 * * *\" (daily at 03:00 UTC): "+err.Error())
	}
	// Never echo a secret.
	if b.S3.AccessKeyID != "" && b.S3.SecretAccessKey == "" {
		r.errs = append(r.errs, errors.New("AWS_SECRET_ACCESS_KEY: required with AWS_ACCESS_KEY_ID"))
	}
	if b.S3.AccessKeyID == "" && b.S3.SecretAccessKey != "" {
		r.errs = append(r.errs, errors.New("AWS_ACCESS_KEY_ID: required with AWS_SECRET_ACCESS_KEY"))
	}
	return b
}
