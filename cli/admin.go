package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"mailvet/actor"
	"mailvet/tenants"
	"mailvet/wiring"
)

const adminUsage = `Usage:
  mailvet admin create-user --email EMAIL [--name NAME] [--password PW] [--platform-admin]
      Creates a verified user. Without --password one is generated and printed.
  mailvet admin create-tenant --name NAME --owner-email EMAIL
      Creates a tenant owned by an existing user; prints its slug.
  mailvet admin create-key --tenant SLUG [--mode live|test] [--name NAME]
                           [--scopes verify,lists,...] [--expires-in DAYS|never]
      Creates an API key and prints it once, alone on its line. Scopes:
      verify, lists, rules, webhooks, keys (default: all but keys). The
      tenant's key policy may require an expiry.
`

// operator is who the audit log says acted: the operator CLI.
func operator() actor.Actor { return actor.Operator().From("", "mailvet admin") }

func cmdAdmin(ctx context.Context, args []string, stdout, stderr io.Writer, env Env) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, adminUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("admin "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, adminUsage) }
	email := fs.String("email", "", "user email")
	name := fs.String("name", "", "user, tenant or key name")
	password := fs.String("password", "", "password (generated when empty)")
	platformAdmin := fs.Bool("platform-admin", false, "make the user a platform admin")
	ownerEmail := fs.String("owner-email", "", "owner of the new tenant")
	tenantSlug := fs.String("tenant", "", "tenant slug")
	mode := fs.String("mode", "live", "key mode: live or test")
	scopes := fs.String("scopes", "", "key scopes, comma-separated (default: all but keys)")
	expiresIn := fs.String("expires-in", "", "key lifetime in days (e.g. 90 or 90d), or never")
	if help, err := parseFlags(fs, args[1:]); help || err != nil {
		return err
	}
	need := func(flagName, v string) error {
		if strings.TrimSpace(v) == "" {
			fmt.Fprintf(stderr, "--%s is required\n\n%s", flagName, adminUsage)
			return errUsage
		}
		return nil
	}

	cfg, log, err := setup(env, stderr)
	if err != nil {
		return err
	}
	svc, err := wiring.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer svc.Close()
	store := svc.Tenants

	switch args[0] {
	case "create-user":
		if err := need("email", *email); err != nil {
			return err
		}
		pw, generated := *password, false
		if pw == "" {
			b := make([]byte, 18)
			_, _ = rand.Read(b)
			pw, generated = base64.RawURLEncoding.EncodeToString(b), true
		}
		u, err := store.CreateUser(ctx, *email, *name, pw, *platformAdmin, operator())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created user %s (%s)\n", u.Email, u.ID)
		if generated {
			fmt.Fprintf(stdout, "password: %s\n", pw)
		}
	case "create-tenant":
		if err := errors.Join(need("name", *name), need("owner-email", *ownerEmail)); err != nil {
			return errUsage
		}
		owner, err := store.UserByEmail(ctx, *ownerEmail)
		if errors.Is(err, tenants.ErrNotFound) {
			return fmt.Errorf("no user with email %s: create it first with `mailvet admin create-user`", *ownerEmail)
		}
		if err != nil {
			return err
		}
		t, err := store.CreateTenant(ctx, *name, owner.ID, operator())
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\n", t.Slug)
	case "create-key":
		if err := need("tenant", *tenantSlug); err != nil {
			return err
		}
		if *mode != "live" && *mode != "test" {
			fmt.Fprintf(stderr, "--mode must be live or test, not %q\n", *mode)
			return errUsage
		}
		expiry, err := tenants.ParseExpiresIn(*expiresIn)
		if err != nil {
			fmt.Fprintf(stderr, "--expires-in: %v\n", err)
			return errUsage
		}
		t, err := store.TenantBySlug(ctx, *tenantSlug)
		if errors.Is(err, tenants.ErrNotFound) {
			return fmt.Errorf("no tenant with slug %q", *tenantSlug)
		}
		if err != nil {
			return err
		}
		keyName := *name
		if keyName == "" {
			keyName = "CLI " + *mode + " key"
		}
		_, secret, err := store.CreateAPIKey(ctx, t.ID, tenants.NewKeyInput{Name: keyName, Mode: tenants.KeyMode(*mode),
			Scopes: tenants.ParseScopes(*scopes), Expiry: expiry}, operator())
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, secret)
	default:
		fmt.Fprintf(stderr, "unknown admin command %q\n\n%s", args[0], adminUsage)
		return errUsage
	}
	return nil
}
