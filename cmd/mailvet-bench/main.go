// Command mailvet-bench measures the engine and bulk lists on the
// simulated reference farm. It is a command of its own so that the
// production binary links neither the simulation nor the harnesses.
//
//	mailvet-bench smtp    the engine against the farm (go tool task bench:smtp)
//	mailvet-bench lists   million-row ingest and export, a list end to end (go tool task bench:lists)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"mailvet/cli"
)

const usage = `Usage: mailvet-bench smtp [--seed N] [--naive-sample N]
       mailvet-bench lists [--rows N] [--addresses N] [--phases ingest,export,e2e]
(mailvet-bench smtp --help, mailvet-bench lists --help)
`

// errUsage means the arguments were wrong and the command already said
// so: exit status 2.
var errUsage = errors.New("usage")

// env looks a setting up (os.LookupEnv).
type env func(string) (string, bool)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, lookup env) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "smtp":
		err = cmdSMTP(ctx, args[1:], stdout, stderr)
	case "lists":
		err = cmdLists(ctx, args[1:], stdout, stderr, lookup)
	case serveChild:
		// `mailvet serve` or `mailvet work` itself, as the lists bench's
		// serve phase runs it: the production code in a process of its own.
		// MAILVET_BENCH_PPROF=host:port serves its profiles
		// (net/http/pprof), which the production binary does not link.
		if addr, ok := lookup("MAILVET_BENCH_PPROF"); ok && args[1] == "serve" {
			go servePprof(addr, stderr)
		}
		return cli.Run(ctx, args[1:], os.Stdin, stdout, stderr, cli.Env(lookup))
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "mailvet-bench: unknown benchmark %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, errUsage) {
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "mailvet-bench %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// parseFlags parses a benchmark's flags; help=true means --help was
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
