package cli

import (
	"context"
	"flag"
	"fmt"
	"io"

	"mailvet/backup"
	"mailvet/db"
	"mailvet/wiring"
)

const restoreUsage = `Usage:
  mailvet restore --from FILE|s3://BUCKET/KEY --to DATABASE_URL [--clean]
      Restores a dump of mailvet backup into the database at --to, in one
      transaction, as that URL's login (who then owns the tables), and grants
      MAILVET_DB_ROLE the tables as mailvet migrate does. The database must
      have no tables: create a fresh one (createdb) for a restore drill.
      --clean drops and replaces the dump's objects in a database that has them
      (objects the dump lacks stay). --to is required, never DATABASE_URL's
      default: a restore must name the database it overwrites.
`

func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer, env Env) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, restoreUsage) }
	from := fs.String("from", "", "the dump")
	to := fs.String("to", "", "URL of the database to restore into")
	clean := fs.Bool("clean", false, "drop and replace the dump's objects in a database that has them")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		fmt.Fprint(stderr, "--from and --to are required, and nothing else\n\n"+restoreUsage)
		return errUsage
	}
	source, err := backup.ParseTarget(*from)
	if err != nil {
		fmt.Fprintf(stderr, "--from: %v\n\n%s", err, restoreUsage)
		return errUsage
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	if err := wiring.BackupRunner(cfg).Restore(ctx, source, *to, *clean); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s\n", source)
	if cfg.DBRole == "" {
		return nil
	}
	d, err := db.Open(ctx, *to, db.Options{MaxConns: 2})
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.GrantTo(ctx, cfg.DBRole); err != nil {
		return fmt.Errorf("MAILVET_DB_ROLE=%s: %w", cfg.DBRole, err)
	}
	fmt.Fprintf(stdout, "role %s may read and write every table (and nothing more)\n", cfg.DBRole)
	return nil
}
