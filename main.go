// Command mailvet is the whole service in one binary: the web server, the
// background workers, migrations and the operator CLI.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `mailvet — email validation for teams

Usage:
  mailvet serve     serve pages, the JSON API and (unless MAILVET_WEB_WORKERS=false) background workers
  mailvet work      run background workers only
  mailvet migrate   apply database migrations (safe to run concurrently)
  mailvet admin     operator commands: create-user, create-tenant, create-key
  mailvet bench     benchmarks: mailvet bench smtp (the simulated reference farm),
                    mailvet bench lists (million-row ingest and export, a list end to end)
  mailvet check     verify addresses: mailvet check [--json] EMAIL… (or one per line on stdin)

Run "mailvet serve --help" for the settings (environment variables).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}

// run dispatches a subcommand; it returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, env func(string) (string, bool)) int {
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
	case "bench":
		err = cmdBench(ctx, rest, stdout, stderr, env)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "mailvet: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err == errUsage {
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "mailvet %s: %v\n", cmd, err)
		return 1
	}
	return 0
}
