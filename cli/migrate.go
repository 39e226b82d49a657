package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"mailvet/db"
)

// cmdMigrate applies the migrations as the login of DATABASE_URL (the
// tables' owner; MAILVET_DB_ROLE is not SET for this), then, when
// MAILVET_DB_ROLE is set, makes that role the one the service runs as.
func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, env Env) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = settingsHelp(fs)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	cfg, _, err := setup(env, stderr)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, cfg.DatabaseURL, db.Options{MaxConns: 4})
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrations applied: river %v, mailvet %v\n", res.RiverApplied, res.Applied)
	if cfg.DBRole == "" {
		return nil
	}
	if err := d.GrantTo(ctx, cfg.DBRole); err != nil {
		return fmt.Errorf("MAILVET_DB_ROLE=%s: %w", cfg.DBRole, err)
	}
	fmt.Fprintf(stdout, "role %s may read and write every table (and nothing more)\n", cfg.DBRole)
	return nil
}
