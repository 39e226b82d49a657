// Command crm-receiver is an example receiver of mailvet's CRM webhooks, to
// copy into a CRM. It verifies each delivery's Standard Webhooks signature,
// drops repeats of the same event and prints what it accepted.
//
// Usage:
//
//	crm-receiver [-addr :8090] [-secret whsec_…[,whsec_…]]
//
// Flags:
//
//	-addr    address to listen on (default ":8090"); deliveries go to
//	         POST http://<addr>/webhooks/mailvet
//	-secret  the endpoint's signing secret; several, comma-separated, are
//	         accepted while a secret is rotated. Without the flag the
//	         environment variable MAILVET_WEBHOOK_SECRET is read instead.
//
// Answers: 200 for an event accepted (also for a duplicate, so mailvet stops
// retrying it), 401 for a bad or missing signature or a timestamp more than
// five minutes off, 400 for a body that is not a JSON event, 413 for a body
// over 1 MB.
//
// Output: one JSON object a line on stdout for every accepted delivery:
//
//	{"id":"evt_…","type":"list.completed","created_at":"2026-…Z","duplicate":false,"data":{…}}
//
// with "duplicate":true when the webhook-id was seen in the last 24 hours
// (the last 100,000 ids). Logs, including "listening" with the address once
// the port is open, go to stderr.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const webhookPath = "/webhooks/mailvet"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "crm-receiver:", err)
		os.Exit(1)
	}
}

// run parses the flags, listens and serves until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("crm-receiver", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", ":8090", "address to listen on")
	secret := fs.String("secret", "", "signing secret(s), comma-separated (default $MAILVET_WEBHOOK_SECRET)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *secret == "" {
		*secret = getenv("MAILVET_WEBHOOK_SECRET")
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	rc, err := newReceiver(splitSecrets(*secret), stdout, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           routes(rc),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second, // mailvet gives up on an attempt after 15 s
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
	log.Info("listening", "addr", ln.Addr().String(), "path", webhookPath)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// routes serves the receiver at its one path.
func routes(receiver http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+webhookPath, receiver)
	return mux
}

// splitSecrets reads "whsec_a, whsec_b" as two secrets.
func splitSecrets(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
