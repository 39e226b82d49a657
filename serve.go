package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"mailvet/app"
	"mailvet/jobs"
	"mailvet/mail"
	"mailvet/verifications"
)

// cmdServe runs the web server (web=true) or only the workers (web=false)
// until ctx is cancelled, then drains both.
func cmdServe(ctx context.Context, args []string, stderr io.Writer, env func(string) (string, bool), web bool) error {
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
	svc, err := openServices(ctx, env, stderr)
	if err != nil {
		return err
	}
	defer svc.close()
	cfg := svc.cfg
	if pending, err := svc.db.PendingMigrations(ctx); err != nil || pending > 0 {
		return fmt.Errorf("database is not migrated (%d pending, %v): run `mailvet migrate` first", pending, err)
	}

	work := !web || cfg.WebWorkers
	var worker *jobs.Client
	if work {
		mailer, err := mail.NewSender(cfg.MailerURL, cfg.MailerFrom, svc.log)
		if err != nil {
			return err
		}
		worker, err = jobs.NewClient(svc.db, jobs.Deps{Tenants: svc.tenants, Mailer: mailer},
			jobs.Options{Work: true, MaxWorkers: cfg.Workers, Logger: svc.log})
		if err != nil {
			return err
		}
		if err := worker.Start(ctx); err != nil {
			return fmt.Errorf("start workers: %w", err)
		}
		svc.log.Info("workers started", "max_workers", cfg.Workers)
	}

	var srv *http.Server
	errc := make(chan error, 1)
	if web {
		engine, err := newEngine(cfg)
		if err != nil {
			return err
		}
		defer engine.Close()
		server, err := app.New(app.Deps{
			Log: svc.log, DB: svc.db, Tenants: svc.tenants, Jobs: svc.jobs, JobsWork: work,
			Verifications: verifications.NewService(svc.db.Bun, engine, cfg.VerifyTimeout),
			BaseURL:       cfg.BaseURL, SessionTTL: cfg.SessionTTL, MaxBodyBytes: cfg.MaxBodyBytes,
			AuthRatePerMin: cfg.AuthRatePerMin, TrustProxy: cfg.TrustProxyHeader,
		})
		if err != nil {
			return err
		}
		srv = &http.Server{
			Addr:              fmt.Sprintf(":%d", cfg.Port),
			Handler:           server.Handler(),
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       60 * time.Second,
			WriteTimeout:      120 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
		}
		go func() { errc <- srv.ListenAndServe() }()
		svc.log.Info("serving", "addr", srv.Addr, "base_url", cfg.BaseURL.String())
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	svc.log.Info("shutting down", "grace", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if srv != nil {
		_ = srv.Shutdown(shutdownCtx)
	}
	if worker != nil {
		_ = worker.Stop(shutdownCtx)
	}
	return nil
}
