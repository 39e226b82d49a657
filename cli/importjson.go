package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"mailvet/actor"
	"mailvet/importjson"
)

const importJSONUsage = `Usage:
  mailvet import-json DIR --tenant SLUG [--dry-run]
      Imports the old service's JSON files in DIR (emails.json, validation_jobs.json,
      api_keys.json, crm_configs.json, crm_uploads.json) into the tenant, one
      transaction per file, and prints what it imported and skipped. Running it
      again imports nothing new. --dry-run writes nothing and prints the same report.
`

func cmdImportJSON(ctx context.Context, args []string, stdout, stderr io.Writer, env Env) error {
	fs := flag.NewFlagSet("import-json", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, importJSONUsage) }
	tenantSlug := fs.String("tenant", "", "slug of the tenant to import into")
	dryRun := fs.Bool("dry-run", false, "write nothing; print the report a real run would")
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	// DIR comes first in the usage; the flags may follow it.
	var dir string
	if fs.NArg() > 0 {
		dir = fs.Arg(0)
		if help, err := parseFlags(fs, fs.Args()[1:]); help || err != nil {
			return err
		}
	}
	if dir == "" || *tenantSlug == "" || fs.NArg() > 0 {
		fmt.Fprint(stderr, "DIR and --tenant are required, and nothing else\n\n"+importJSONUsage)
		return errUsage
	}

	svc, err := openServices(ctx, env, stderr)
	if err != nil {
		return err
	}
	defer svc.Close()
	t, err := tenantBySlug(ctx, svc.Tenants, *tenantSlug)
	if err != nil {
		return err
	}
	by := actor.Operator().From("", "mailvet import-json")
	rep, err := svc.Import.Run(ctx, t.ID, dir, importjson.Options{DryRun: *dryRun, By: by})
	if err != nil {
		return err
	}
	if err := rep.Write(stdout); err != nil {
		return err
	}
	if rep.Failed() {
		return errors.New("some files could not be imported (see above)")
	}
	return nil
}
