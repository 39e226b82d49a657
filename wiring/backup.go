package wiring

import (
	"cmp"
	"time"

	"github.com/robfig/cron/v3"

	"mailvet/backup"
	"mailvet/config"
	"mailvet/jobs"
)

// BackupRunner takes and restores dumps as the settings say.
func BackupRunner(cfg config.Config) backup.Runner {
	s3 := cfg.Backup.S3
	return backup.Runner{S3: backup.S3Config{
		Endpoint: s3.Endpoint, Region: s3.Region,
		AccessKeyID: s3.AccessKeyID, SecretAccessKey: s3.SecretAccessKey, SessionToken: s3.SessionToken,
		PathStyle: s3.PathStyle,
	}}
}

// scheduledBackup is the backup the leader runs; nil without
// MAILVET_BACKUP_TO. config.Load has refused a target or schedule that
// does not parse, so the errors here cannot happen.
func (s *Services) scheduledBackup() *jobs.ScheduledBackup {
	cfg := s.Config
	if cfg.Backup.To == "" {
		return nil
	}
	to, err := backup.ParseTarget(cfg.Backup.To)
	schedule, cerr := cron.ParseStandard(cfg.Backup.Schedule)
	if err != nil || cerr != nil {
		return nil
	}
	return &jobs.ScheduledBackup{
		Runner:      BackupRunner(cfg),
		DatabaseURL: cmp.Or(cfg.Backup.DatabaseURL, cfg.DatabaseURL),
		To:          to,
		Schedule:    utc{schedule},
		Lock:        s.DB,
	}
}

// utc reads a cron schedule in UTC, whatever the machine's zone.
type utc struct{ cron.Schedule }

func (u utc) Next(t time.Time) time.Time { return u.Schedule.Next(t.UTC()) }
