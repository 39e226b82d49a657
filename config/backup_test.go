package config

import (
	"strings"
	"testing"
)

func TestBackupSettings(t *testing.T) {
	c, err := Load(env(map[string]string{
		"MAILVET_BACKUP_TO":            "s3://mailvet-backups/nightly/",
		"MAILVET_BACKUP_S3_ENDPOINT":   "http://minio.internal:9000",
		"MAILVET_BACKUP_S3_PATH_STYLE": "true",
		"AWS_ACCESS_KEY_ID":            "AKIA",
		"AWS_SECRET_ACCESS_KEY":        "shh",
	}))
	if err != nil {
		t.Fatal(err)
	}
	b := c.Backup
	if b.To != "s3://mailvet-backups/nightly/" || b.Schedule != DefaultBackupSchedule || b.S3.Region != "us-east-1" ||
		b.S3.Endpoint != "http://minio.internal:9000" || !b.S3.PathStyle || b.S3.AccessKeyID != "AKIA" {
		t.Fatalf("got %+v", b)
	}

	_, err = Load(env(map[string]string{
		"MAILVET_BACKUP_TO":          "s3://bucket-only",
		"MAILVET_BACKUP_SCHEDULE":    "every night",
		"MAILVET_BACKUP_S3_ENDPOINT": "minio:9000",
		"AWS_ACCESS_KEY_ID":          "AKIA",
	}))
	for _, name := range []string{"MAILVET_BACKUP_TO", "MAILVET_BACKUP_SCHEDULE", "MAILVET_BACKUP_S3_ENDPOINT", "AWS_SECRET_ACCESS_KEY"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s is not named in %v", name, err)
		}
	}
	if _, err := Load(env(map[string]string{"AWS_SECRET_ACCESS_KEY": "never-shown"})); err == nil ||
		!strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") || strings.Contains(err.Error(), "never-shown") {
		t.Errorf("a secret without its key: %v", err)
	}
}
