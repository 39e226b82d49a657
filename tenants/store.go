package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"mailvet/mail"
)

// Store is the tenants domain over PostgreSQL.
type Store struct {
	db      *bun.DB
	mail    *mail.Queue
	baseURL *url.URL
	opts    Options
}

// Options tune the store; zero values take defaults.
type Options struct {
	InviteTTL       time.Duration
	VerifyTTL       time.Duration
	ResetTTL        time.Duration
	Argon2          Argon2Params
	KeyTouchEvery   time.Duration // how stale last_used_at may get
	SessionTouchTTL time.Duration // sliding session lifetime
}

// NewStore returns a Store. baseURL is where emailed links point.
func NewStore(db *bun.DB, mailQueue *mail.Queue, baseURL *url.URL, opts Options) *Store {
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
	if opts.SessionTouchTTL == 0 {
		opts.SessionTouchTTL = 14 * 24 * time.Hour
	}
	return &Store{db: db, mail: mailQueue, baseURL: baseURL, opts: opts}
}

// link builds an absolute URL to path on the service.
func (s *Store) link(path string) string {
	return strings.TrimRight(s.baseURL.String(), "/") + path
}

func (s *Store) inTx(ctx context.Context, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.db.RunInTx(ctx, nil, fn)
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

func wrap(op string, err error) error {
	if err == nil || errors.Is(err, ErrNotFound) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
