package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/getsentry/sentry-go"

	"mailvet/config"
	"mailvet/db"
	"mailvet/jobs"
	"mailvet/mail"
	"mailvet/tenants"
)

// errUsage means the flags were wrong; the flag package already said so.
var errUsage = errors.New("usage")

// services are the parts every subcommand builds from the settings.
type services struct {
	cfg     config.Config
	log     *slog.Logger
	db      *db.DB
	jobs    *jobs.Client // insert-only: used by stores to queue work
	tenants *tenants.Store
}

func loadConfig(env func(string) (string, bool)) (config.Config, error) {
	cfg, err := config.Load(env)
	if err != nil {
		return cfg, fmt.Errorf("invalid settings:\n%w", err)
	}
	return cfg, nil
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// parseFlags parses a subcommand's flags; help=true means --help was
// answered and the command should stop without error.
func parseFlags(fs *flag.FlagSet, args []string) (help bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, errUsage
	}
	return false, nil
}

// openServices reads the settings, connects to the database and builds the
// stores.
func openServices(ctx context.Context, env func(string) (string, bool), logw io.Writer) (*services, error) {
	cfg, err := loadConfig(env)
	if err != nil {
		return nil, err
	}
	log := newLogger(cfg, logw)
	if cfg.SentryDSN != "" {
		if err := sentry.Init(sentry.ClientOptions{Dsn: cfg.SentryDSN, Environment: cfg.Env}); err != nil {
			return nil, fmt.Errorf("SENTRY_DSN: %w", err)
		}
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, db.Options{MaxConns: int32(cfg.DBMaxConns)})
	if err != nil {
		return nil, err
	}
	inserter, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{Logger: log})
	if err != nil {
		d.Close()
		return nil, err
	}
	store := tenants.NewStore(d.Bun, mail.NewQueue(inserter), cfg.BaseURL, tenants.Options{InviteTTL: cfg.InviteTTL})
	return &services{cfg: cfg, log: log, db: d, jobs: inserter, tenants: store}, nil
}

func (s *services) close() { s.db.Close() }

// link is an absolute URL to path on the service, for mails.
func (s *services) link(path string) string {
	return strings.TrimRight(s.cfg.BaseURL.String(), "/") + path
}

// settingsHelp prints every setting, for --help.
func settingsHelp(fs *flag.FlagSet) func() {
	return func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: mailvet %s\n\nSettings (environment variables):\n", fs.Name())
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, s := range config.Settings() {
			fmt.Fprintf(tw, "  %s\t%s\tdefault: %s\n", s.Name, s.Help, s.Default)
		}
		tw.Flush()
	}
}
