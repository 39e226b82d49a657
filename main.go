// Command mailvet is the service in one binary: the web server, the
// background workers, migrations and the operator CLI (package cli).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"mailvet/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}
