package backup

import (
	"strings"
	"testing"
	"time"
)

func TestParseTarget(t *testing.T) {
	at := time.Date(2026, 12, 3, 3, 0, 5, 0, time.UTC)
	for _, c := range []struct{ raw, named string }{
		{"/var/backups/mailvet.dump", "/var/backups/mailvet.dump"},
		{"/var/backups/", "/var/backups/mailvet-20261203T030005Z.dump"},
		{"s3://bucket/mailvet.dump", "s3://bucket/mailvet.dump"},
		{"s3://bucket/nightly/", "s3://bucket/nightly/mailvet-20261203T030005Z.dump"},
	} {
		target, err := ParseTarget(c.raw)
		if err != nil {
			t.Errorf("%s: %v", c.raw, err)
			continue
		}
		if got := target.Named(at).String(); got != c.named {
			t.Errorf("%s names %s, want %s", c.raw, got, c.named)
		}
	}
	for _, bad := range []string{"", "s3://bucket", "s3://bucket/", "s3:///key", "s3://bucket/key?region=x", "s3://user:secret@bucket/key"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

// The PostgreSQL programs get no password on their command line and none
// of pgx's own parameters, which libpq refuses.
func TestLibpqConn(t *testing.T) {
	conn, password, err := libpqConn("postgres://mailvet:s3cret@db:5432/mailvet?sslmode=require&pool_max_conns=20&statement_cache_capacity=0")
	if err != nil {
		t.Fatal(err)
	}
	if conn != "postgres://mailvet@db:5432/mailvet?sslmode=require" || password != "s3cret" {
		t.Fatalf("got %q and %q", conn, password)
	}
	if _, _, err := libpqConn("mysql://x@y/z"); err == nil || strings.Contains(err.Error(), "x@y") {
		t.Fatalf("a foreign URL: %v", err)
	}
}
