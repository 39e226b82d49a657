package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = settingsHelp(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	svc, err := openServices(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer svc.close()
	res, err := svc.db.Migrate(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrations applied: river %v, mailvet %v\n", res.RiverApplied, res.Applied)
	return nil
}
