// Package backup dumps the database with PostgreSQL's own pg_dump (custom
// format, one consistent snapshot) to a file or an S3-compatible bucket,
// and restores such a dump with pg_restore, for the operator's restore
// drill. It runs the PostgreSQL client programs rather than reading
// tables itself: their format is the one every PostgreSQL tool and
// managed service understands.
package backup

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// Target is where a dump goes or comes from: a local file or an object in
// an S3 bucket.
type Target struct {
	Path   string // local file; empty for S3
	Bucket string // S3 bucket; empty for a file
	Key    string // S3 object key
}

// ParseTarget reads FILE or s3://BUCKET/KEY. A target ending in "/" is a
// directory or key prefix: each backup gets a name of its own there (see
// Named), so a schedule keeps every dump rather than replacing the last.
func ParseTarget(raw string) (Target, error) {
	if raw == "" {
		return Target{}, errors.New("no target: want a file path or s3://bucket/key")
	}
	if !strings.HasPrefix(strings.ToLower(raw), "s3://") {
		return Target{Path: raw}, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Target{}, fmt.Errorf("%q: %v", raw, err)
	}
	key := strings.TrimPrefix(u.Path, "/")
	if u.Host == "" || key == "" {
		return Target{}, fmt.Errorf("%q: want s3://bucket/key (or s3://bucket/prefix/)", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return Target{}, fmt.Errorf("%q: an s3:// target is bucket and key only (the S3 settings carry the rest)", raw)
	}
	return Target{Bucket: u.Host, Key: key}, nil
}

// IsS3 says the target is an S3 object.
func (t Target) IsS3() bool { return t.Bucket != "" }

// IsPrefix says the target names a directory or key prefix, not one dump.
func (t Target) IsPrefix() bool {
	if t.IsS3() {
		return strings.HasSuffix(t.Key, "/")
	}
	return strings.HasSuffix(t.Path, "/") || strings.HasSuffix(t.Path, string(filepath.Separator))
}

// Named is the target of one dump taken at now: a prefix target gets
// mailvet-YYYYMMDDTHHMMSSZ.dump inside it (names sort by time); any
// other target is itself.
func (t Target) Named(now time.Time) Target {
	if !t.IsPrefix() {
		return t
	}
	name := "mailvet-" + now.UTC().Format("20060102T150405Z") + ".dump"
	if t.IsS3() {
		t.Key += name
	} else {
		t.Path = filepath.Join(t.Path, name)
	}
	return t
}

func (t Target) String() string {
	if t.IsS3() {
		return "s3://" + t.Bucket + "/" + t.Key
	}
	return t.Path
}

// libpqConn splits a DATABASE_URL into what the PostgreSQL programs take:
// the URL without its password (which would otherwise show in the process
// list) and without pgx's own pool_* parameters (libpq refuses unknown
// ones), and the password, handed over in PGPASSWORD.
func libpqConn(raw string) (connURL, password string, err error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", "", errors.New("the database URL must be postgres://user@host:port/dbname")
	}
	if u.User != nil {
		password, _ = u.User.Password()
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	for name := range q {
		if strings.HasPrefix(name, "pool_") || pgxOnlyParams[name] {
			q.Del(name)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), password, nil
}

// pgxOnlyParams are the connection parameters pgx reads and libpq does not
// know (the pool_* ones besides).
var pgxOnlyParams = map[string]bool{
	"statement_cache_capacity":   true,
	"description_cache_capacity": true,
	"default_query_exec_mode":    true,
}
