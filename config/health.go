package config

import (
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Health tunes /health's optional checks (see package health).
type Health struct {
	// ProbeMX is host:port of an MX host the smtp_egress check opens;
	// empty: the check is not configured.
	ProbeMX string
	// QueueLag is the longest a due River job may wait before the river
	// check fails.
	QueueLag time.Duration
	// DiskDir is the directory whose file system the disk check watches;
	// empty: not configured (uploads stream into PostgreSQL, no spool).
	DiskDir     string
	DiskMinFree int64 // bytes
}

// health reads the MAILVET_HEALTH_* settings; smtpPort is the probe MX's
// port when the setting names none.
func (r *reader) health(smtpPort int) Health {
	return Health{
		ProbeMX:     r.probeMX("MAILVET_HEALTH_PROBE_MX", smtpPort),
		QueueLag:    r.duration("MAILVET_HEALTH_QUEUE_LAG", 5*time.Minute, time.Second),
		DiskDir:     r.directory("MAILVET_HEALTH_DISK_DIR"),
		DiskMinFree: int64(r.intRange("MAILVET_HEALTH_DISK_MIN_FREE", 1<<30, 0, 1<<50)),
	}
}

// probeMX reads host or host:port, and returns host:port.
func (r *reader) probeMX(name string, defaultPort int) string {
	v, ok := r.raw(name)
	if !ok {
		return ""
	}
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		host, port = strings.Trim(v, "[]"), strconv.Itoa(defaultPort)
	}
	n, err := strconv.Atoi(port)
	badHost := host == "" || strings.ContainsAny(host, " /@,[]") || strings.Contains(host, ":") && net.ParseIP(host) == nil
	if badHost || err != nil || n < 1 || n > 65535 {
		r.fail(name, v, "must be host or host:port of an MX host, such as gmail-smtp-in.l.google.com or 192.0.2.25:25")
		return ""
	}
	return net.JoinHostPort(host, port)
}

// directory reads the path of an existing directory.
func (r *reader) directory(name string) string {
	v, ok := r.raw(name)
	if !ok {
		return ""
	}
	if st, err := os.Stat(v); err != nil || !st.IsDir() {
		r.fail(name, v, "must be an existing directory")
		return ""
	}
	return v
}
