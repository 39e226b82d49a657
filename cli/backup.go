package cli

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"

	"mailvet/backup"
	"mailvet/wiring"
)

const backupUsage = `Usage:
  mailvet backup [--to FILE|DIR/|s3://BUCKET/KEY|s3://BUCKET/PREFIX/]
      Dumps the database with pg_dump --format=custom, one consistent
      snapshot, as the login of MAILVET_BACKUP_DATABASE_URL (default:
      DATABASE_URL's; never MAILVET_DB_ROLE), which must bypass row-level
      security, to the file or S3 object (settings MAILVET_BACKUP_S3_*,
      AWS_*). A target ending in / gets a timestamped name inside it.
      Without --to: MAILVET_BACKUP_TO. A failed dump leaves no file or
      object. Restore with: mailvet restore --from … --to DATABASE_URL.
`

func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer, env Env) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, backupUsage) }
	to := fs.String("to", "", "where the dump goes")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	raw := cmp.Or(*to, cfg.Backup.To)
	if raw == "" || fs.NArg() > 0 {
		fmt.Fprint(stderr, "--to is required (or set MAILVET_BACKUP_TO), and nothing else\n\n"+backupUsage)
		return errUsage
	}
	target, err := backup.ParseTarget(raw)
	if err != nil {
		fmt.Fprintf(stderr, "--to: %v\n\n%s", err, backupUsage)
		return errUsage
	}
	res, err := wiring.BackupRunner(cfg).Backup(ctx, cmp.Or(cfg.Backup.DatabaseURL, cfg.DatabaseURL), target)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written: %s (%d bytes)\n", res.Target, res.Bytes)
	return nil
}
