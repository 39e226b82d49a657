package wiring

import (
	"mailvet/backup"
	"mailvet/config"
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
