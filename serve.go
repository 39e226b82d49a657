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
	"mailvet/billing"
	"mailvet/jobs"
	"mailvet/lists"
	"mailvet/mail"
	"mailvet/rules"
	rollups "mailvet/usage" // main has a const named usage
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

	engine, err := newEngine(cfg)
	if err != nil {
		return err
	}
	defer engine.Close()
	ruleStore := rules.NewStore(svc.db.Bun)
	billingSvc := billing.NewService(svc.db.SQL, mail.NewQueue(svc.jobs), cfg.BillingGrace, svc.link)
	stripeBilling := billing.NewStripe(svc.db.SQL, billingSvc, billing.StripeConfig{
		SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret, APIBase: cfg.StripeAPIBase, Logger: svc.log,
		Prices:        map[string]string{"basic": cfg.StripePriceBasic, "premium": cfg.StripePricePremium},
		MeteredPrices: map[string]string{"basic": cfg.StripeMeteredPriceBasic, "premium": cfg.StripeMeteredPricePremium},
	})
	if !stripeBilling.Enabled() {
		svc.log.Info("billing is off (no STRIPE_SECRET_KEY): every workspace is on the free plan")
	}
	verifs := verifications.NewService(svc.db.Bun, engine, ruleStore, cfg.VerifyTimeout).WithQuota(billingSvc)
	listStore := lists.NewStore(svc.db, svc.jobs, lists.Options{
		MaxRows: cfg.ListMaxRows, RetryDelay: cfg.ListRetryDelay, MaxAttempts: cfg.ListMaxAttempts,
	}).WithQuota(billingSvc)

	work := !web || cfg.WebWorkers
	var worker *jobs.Client
	if work {
		mailer, err := mail.NewSender(cfg.MailerURL, cfg.MailerFrom, svc.log)
		if err != nil {
			return err
		}
		processor := lists.NewProcessor(listStore, engine, ruleStore, verifs, svc.tenants.CacheTTL)
		worker, err = jobs.NewClient(svc.db, jobs.Deps{Tenants: svc.tenants, Mailer: mailer, Lists: processor, Stripe: stripeBilling},
			jobs.Options{Work: true, MaxWorkers: cfg.Workers, ListWorkers: cfg.ListWorkers, BatchTimeout: cfg.ListBatchTimeout, Logger: svc.log})
		if err != nil {
			return err
		}
		if err := worker.Start(ctx); err != nil {
			return fmt.Errorf("start workers: %w", err)
		}
		svc.log.Info("workers started", "max_workers", cfg.Workers, "list_workers", cfg.ListWorkers)
	}

	var srv *http.Server
	errc := make(chan error, 1)
	if web {
		server, err := app.New(app.Deps{
			Log: svc.log, DB: svc.db, Tenants: svc.tenants, Jobs: svc.jobs, JobsWork: work, Rules: ruleStore,
			Verifications: verifs, Lists: listStore, UploadMaxBytes: cfg.UploadMaxBytes, Billing: billingSvc, Stripe: stripeBilling,
			BaseURL: cfg.BaseURL, SessionTTL: cfg.SessionTTL, MaxBodyBytes: cfg.MaxBodyBytes,
			AuthRatePerMin: cfg.AuthRatePerMin, TrustedProxies: cfg.TrustedProxies, MetricsToken: cfg.MetricsToken, Usage: rollups.NewStore(svc.db.Bun),
		})
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
