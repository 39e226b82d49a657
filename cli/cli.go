// Package cli is the mailvet command: one file per subcommand (serve and
// work, migrate, check, admin, import-json, backup, restore). It parses
// arguments and settings and builds what a subcommand needs through
// package wiring.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/getsentry/sentry-go"

	"mailvet/config"
	"mailvet/tenants"
	"mailvet/wiring"
)

const usage = `mailvet — email validation for teams

Usage:
  mailvet serve     serve pages, the JSON API and (unless MAILVET_WEB_WORKERS=false) background workers
  mailvet work      run background workers only
  mailvet migrate   apply database migrations (safe to run concurrently); grant MAILVET_DB_ROLE the tables
  mailvet admin     operator commands: create-user, create-tenant, create-key
  mailvet check     verify addresses: mailvet check [--json] EMAIL… (or one per line on stdin)
  mailvet import-json  import the old service's JSON files: mailvet import-json DIR --tenant SLUG [--dry-run]
  mailvet backup    pg_dump the database to a file or S3: mailvet backup --to FILE|s3://BUCKET/KEY
  mailvet restore   load a backup into an empty database: mailvet restore --from FILE|s3://… --to URL

Run "mailvet serve --help" for the settings (environment variables).
Benchmarks are a separate command: go run ./cmd/mailvet-bench.
`

// Env looks a setting up (os.LookupEnv in production).
type Env func(string) (string, bool)

// errUsage means the arguments were wrong and the command already said
// so: exit status 2.
var errUsage = errors.New("usage")

// Run runs the subcommand args[0] and returns the process's exit status:
// 0 done, 1 failed, 2 wrong usage.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env Env) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(ctx, rest, stderr, env, true)
	case "work":
		err = cmdServe(ctx, rest, stderr, env, false)
	case "migrate":
		err = cmdMigrate(ctx, rest, stdout, stderr, env)
	case "admin":
		err = cmdAdmin(ctx, rest, stdout, stderr, env)
	case "check":
		err = cmdCheck(ctx, rest, stdin, stdout, stderr, env)
	case "import-json":
		err = cmdImportJSON(ctx, rest, stdout, stderr, env)
	case "backup":
		err = cmdBackup(ctx, rest, stdout, stderr, env)
	case "restore":
		err = cmdRestore(ctx, rest, stdout, stderr, env)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "mailvet: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if errors.Is(err, errUsage) {
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "mailvet %s: %v\n", cmd, err)
		return 1
	}
	return 0
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

func loadConfig(env Env) (config.Config, error) {
	cfg, err := config.Load(env)
	if err != nil {
		return cfg, fmt.Errorf("invalid settings:\n%w", err)
	}
	return cfg, nil
}

// setup reads the settings and starts the log (and Sentry, when
// configured) for a subcommand that talks to the database.
func setup(env Env, logw io.Writer) (config.Config, *slog.Logger, error) {
	cfg, err := loadConfig(env)
	if err != nil {
		return cfg, nil, err
	}
	if cfg.SentryDSN != "" {
		if err := sentry.Init(sentry.ClientOptions{Dsn: cfg.SentryDSN, Environment: cfg.Env}); err != nil {
			return cfg, nil, fmt.Errorf("SENTRY_DSN: %w", err)
		}
	}
	return cfg, wiring.Logger(cfg, logw), nil
}

// openServices reads the settings, starts the log and builds every
// service, for a subcommand that works on the database; the caller
// closes them.
func openServices(ctx context.Context, env Env, logw io.Writer) (*wiring.Services, error) {
	cfg, log, err := setup(env, logw)
	if err != nil {
		return nil, err
	}
	return wiring.Open(ctx, cfg, log)
}

// tenantBySlug finds the tenant an operator command names.
func tenantBySlug(ctx context.Context, store *tenants.Store, slug string) (tenants.Tenant, error) {
	t, err := store.TenantBySlug(ctx, slug)
	if errors.Is(err, tenants.ErrNotFound) {
		return t, fmt.Errorf("no tenant with slug %q", slug)
	}
	return t, err
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
