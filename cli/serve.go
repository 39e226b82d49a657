package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"mailvet/jobs"
	"mailvet/wiring"
)

// cmdServe runs the web server (web=true) or only the workers (web=false)
// until ctx is cancelled, then drains both.
func cmdServe(ctx context.Context, args []string, stderr io.Writer, env Env, web bool) error {
	name := "serve"
	if !web {
		name = "work"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = settingsHelp(fs)
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
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
	if pending, err := svc.DB.PendingMigrations(ctx); err != nil || pending > 0 {
		return fmt.Errorf("database is not migrated (%d pending, %v): run `mailvet migrate` first", pending, err)
	}
	// Row-level security is the tenant guard: a role that skips it must
	// not serve anyone.
	if err := svc.DB.CheckGuard(ctx); err != nil {
		return fmt.Errorf("refusing to start: %w (MAILVET_DB_ROLE=%q)", err, cfg.DBRole)
	}
	if !svc.Stripe.Enabled() {
		log.Info("billing is off (no STRIPE_SECRET_KEY): every workspace is on the free plan")
	}

	// Before the workers: a taken address stops the process before it
	// has started anything.
	stopMetrics, err := serveMetrics(svc, log, web)
	if err != nil {
		return err
	}
	defer stopMetrics()
	work := !web || cfg.WebWorkers
	var worker *jobs.Client
	if work {
		mailer, err := svc.Mailer()
		if err != nil {
			return err
		}
		if worker, err = svc.Worker(mailer, svc.Processor()); err != nil {
			return err
		}
		if err := worker.Start(ctx); err != nil {
			return fmt.Errorf("start workers: %w", err)
		}
		svc.Metrics.WatchJobs(ctx, worker)
		log.Info("workers started", "max_workers", cfg.Workers, "list_workers", cfg.ListWorkers)
	}

	var srv *http.Server
	errc := make(chan error, 1)
	if web {
		server, err := svc.App(ctx, work)
		if err != nil {
			return err
		}
		srv = &http.Server{
			Addr:              fmt.Sprintf(":%d", cfg.Port),
			Handler:           server.Handler(),
			ReadHeaderTimeout: 10 * time.Second,
			// Long enough for a 100 MB upload or a million-row export on a
			// slow link; slow clients are cut off by ReadHeaderTimeout.
			ReadTimeout:    15 * time.Minute,
			WriteTimeout:   15 * time.Minute,
			IdleTimeout:    120 * time.Second,
			MaxHeaderBytes: 64 << 10,
		}
		go func() { errc <- srv.ListenAndServe() }()
		log.Info("serving", "addr", srv.Addr, "base_url", cfg.BaseURL.String())
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	log.Info("shutting down", "grace", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if srv != nil {
		_ = srv.Shutdown(shutdownCtx)
		// After the server: no request is left to record, and those
		// recorded are written before the database closes.
		if err := svc.RequestLog.Close(shutdownCtx); err != nil {
			log.Warn("request log not fully written at shutdown", "err", err)
		}
	}
	if worker != nil {
		_ = worker.Stop(shutdownCtx)
	}
	return nil
}
