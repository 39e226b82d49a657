package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/billing/stripemock"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/jobs"
)

// usageCounter counts usage records sent to Stripe.
type usageCounter struct{ n atomic.Int32 }

func (c *usageCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "/usage_records") {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(req)
}

func startUsageWorker(t *testing.T, d *db.DB, stripe *billing.Stripe) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	worker, err := jobs.NewClient(d, jobs.Deps{Mailer: discardSender{}, Stripe: stripe},
		jobs.Options{Work: true, Logger: log, UsageEvery: 500 * time.Millisecond, FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = worker.Stop(context.Background()) })
}

func completedUsageJobs(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	if err := d.SQL.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'billing.report_usage' AND state = 'completed'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The periodic job reports a paid tenant's overage on a real River worker,
// once per change however often it runs.
func TestPeriodicUsageReportSendsOncePerChange(t *testing.T) {
	base := stripemock.Start(t)
	d := dbtest.New(t)
	ctx := context.Background()
	counter := &usageCounter{}
	svc := billing.NewService(d, nil, 0, func(p string) string { return p })
	stripe := billing.NewStripe(d, svc, billing.StripeConfig{
		SecretKey: "sk_test_123", WebhookSecret: "whsec_x", APIBase: base,
		Prices: map[string]string{"basic": "price_basic"}, MeteredPrices: map[string]string{"basic": "price_basic_over"},
		HTTPClient: &http.Client{Transport: counter},
	})
	var tenant uuid.UUID
	month := time.Now().UTC()
	month = time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, time.UTC)
	if err := d.Tx(ctx, db.System("test: seed a paying tenant"), func(ctx context.Context, tx db.Tx) error {
		if err := tx.NewRaw(`INSERT INTO tenants (name, slug) VALUES ('Acme', 'acme') RETURNING id`).Scan(ctx, &tenant); err != nil {
			return err
		}
		if _, err := tx.NewRaw(`INSERT INTO subscriptions (tenant_id, plan_id, status, stripe_customer_id, stripe_subscription_id, stripe_metered_item_id, current_period_start)
			VALUES (?, 'basic', 'active', 'cus_1', 'sub_1', 'si_over', ?)`, tenant, month).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewRaw(`INSERT INTO quota_usage (tenant_id, day, month, month_used) VALUES (?, now()::date, ?, 50500)`, tenant, month).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	startUsageWorker(t, d, stripe)
	deadline := time.Now().Add(30 * time.Second)
	for completedUsageJobs(t, d) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("after 30s: %d usage jobs completed", completedUsageJobs(t, d))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if q, ok, err := svc.ReportedUsage(ctx, tenant, month); err != nil || !ok || q != 500 {
		t.Fatalf("reported %d %v %v, want 500", q, ok, err)
	}
	if n := counter.n.Load(); n != 1 {
		t.Fatalf("%d usage records sent over 3 runs, want 1", n)
	}
}

// Without a Stripe key the job runs and does nothing.
func TestPeriodicUsageReportWithBillingOff(t *testing.T) {
	d := dbtest.New(t)
	svc := billing.NewService(d, nil, 0, func(p string) string { return p })
	startUsageWorker(t, d, billing.NewStripe(d, svc, billing.StripeConfig{}))
	deadline := time.Now().Add(30 * time.Second)
	for completedUsageJobs(t, d) < 1 {
		if time.Now().After(deadline) {
			t.Fatal("usage job did not complete within 30s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
