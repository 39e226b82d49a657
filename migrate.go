package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) (string, bool)) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = settingsHelp(fs)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	svc, err := openServices(ctx, env, stderr)
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
