package tenants

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"mailvet/db"
	"mailvet/mail"
)

// Store is the tenants domain over PostgreSQL. Every statement runs in a
// transaction of the db helper: in the tenant's scope when the tenant is
// known, through db.System (each use says why) when it is what is being
// found (key hash, link token, session cookie, a user's memberships) or
// when the data belongs to no tenant (users and their emailed tokens).
type Store struct {
	db        *db.DB
	mail      *mail.Queue
	baseURL   *url.URL
	opts      Options
	dummyHash string // see Authenticate
	events    Events // nil: key notices are mailed but make no webhook event
}

// Options tune the store; zero values take defaults.
type Options struct {
	InviteTTL     time.Duration
	VerifyTTL     time.Duration
	ResetTTL      time.Duration
	Argon2        Argon2Params
	KeyTouchEvery time.Duration // how stale last_used_at may get
	// Now is the clock of key expiry, rolls and their sweep (time.Now by
	// default), so that tests can move it instead of waiting.
	Now func() time.Time
}

// NewStore returns a Store. baseURL is where emailed links point.
func NewStore(d *db.DB, mailQueue *mail.Queue, baseURL *url.URL, opts Options) *Store {
	if opts.InviteTTL == 0 {
		opts.InviteTTL = 7 * 24 * time.Hour
	}
	if opts.VerifyTTL == 0 {
		opts.VerifyTTL = 48 * time.Hour
	}
	if opts.ResetTTL == 0 {
		opts.ResetTTL = time.Hour
	}
	if opts.Argon2.Memory == 0 {
		opts.Argon2 = DefaultArgon2()
	}
	if opts.KeyTouchEvery == 0 {
		opts.KeyTouchEvery = time.Minute
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Store{db: d, mail: mailQueue, baseURL: baseURL, opts: opts, dummyHash: newDummyHash(opts.Argon2)}
}

// now is the store's clock.
func (s *Store) now() time.Time { return s.opts.Now() }

// link builds an absolute URL to path on the service.
func (s *Store) link(path string) string {
	return strings.TrimRight(s.baseURL.String(), "/") + path
}

// notFound maps "no rows" to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && (constraint == "" || pgErr.ConstraintName == constraint)
}

// NormalizeEmail trims an address and lower-cases its domain; the local
// part keeps its case (uniqueness is case-insensitive in the database).
func NormalizeEmail(email string) string {
	email = strings.TrimSpace(email)
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return email
	}
	return email[:at+1] + strings.ToLower(email[at+1:])
}

// wrap names the operation of an unexpected error; domain errors pass as
// they are. A nil tenant is nobody's, so its records are not found.
func wrap(op string, err error) error {
	switch {
	case err == nil, errors.Is(err, ErrNotFound):
		return err
	case errors.Is(err, db.ErrNoTenant):
		return ErrNotFound
	}
	return fmt.Errorf("%s: %w", op, err)
}
