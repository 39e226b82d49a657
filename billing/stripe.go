package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/stripe/stripe-go/v76"
	"github.com/stripe/stripe-go/v76/client"

	"mailvet/actor"
	"mailvet/db"
)

// StripeConfig is how the service talks to Stripe. Without SecretKey
// billing is off: every tenant is on the free plan, the billing page says
// so, webhooks are refused and the usage job does nothing.
type StripeConfig struct {
	SecretKey     string
	WebhookSecret string
	// Prices maps a plan id to the Stripe price of its monthly fee; plans
	// without one cannot be bought.
	Prices map[string]string
	// MeteredPrices maps a plan id to the metered Stripe price its use
	// above monthly_included is billed with (optional per plan).
	MeteredPrices map[string]string
	// APIBase replaces https://api.stripe.com (stripe-mock in tests).
	APIBase    string
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Stripe connects plans and subscriptions to Stripe: Checkout, the
// Customer Portal, webhooks and metered usage. Each instance has its own
// API client; stripe-go's package-level key and backends are never used.
type Stripe struct {
	db  *db.DB
	svc *Service
	api *client.API // nil: billing is off
	cfg StripeConfig
	log *slog.Logger
	now func() time.Time
}

// Errors of the billing actions, for handlers to map to pages.
var (
	ErrBillingOff      = errors.New("billing is not configured on this server")
	ErrPlanNotForSale  = errors.New("this plan cannot be bought")
	ErrHasSubscription = errors.New("the workspace already has a subscription; change it in the billing portal")
	ErrNoCustomer      = errors.New("the workspace has no billing account yet")
	ErrBadSignature    = errors.New("invalid Stripe signature")
)

// NewStripe returns the Stripe side of billing for svc's plans.
func NewStripe(d *db.DB, svc *Service, cfg StripeConfig) *Stripe {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Stripe{db: d, svc: svc, cfg: cfg, log: log, now: time.Now}
	if cfg.SecretKey == "" {
		return s
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	backend := func(kind stripe.SupportedBackend) stripe.Backend {
		bc := &stripe.BackendConfig{HTTPClient: httpClient, LeveledLogger: stripeLogger{log}}
		if cfg.APIBase != "" {
			bc.URL = stripe.String(cfg.APIBase)
		}
		return stripe.GetBackendWithConfig(kind, bc)
	}
	s.api = &client.API{}
	s.api.Init(cfg.SecretKey, &stripe.Backends{
		API: backend(stripe.APIBackend), Connect: backend(stripe.ConnectBackend), Uploads: backend(stripe.UploadsBackend),
	})
	return s
}

// Enabled reports whether Stripe is configured (false on a nil Stripe).
func (s *Stripe) Enabled() bool { return s != nil && s.api != nil }

// ForSale reports whether a plan has a Stripe price.
func (s *Stripe) ForSale(planID string) bool {
	return s.Enabled() && s.cfg.Prices[planID] != ""
}

// planForPrice maps a Stripe price id back to a plan: metered says it is
// the plan's overage price.
func (s *Stripe) planForPrice(priceID string) (planID string, metered bool) {
	for plan, p := range s.cfg.Prices {
		if p != "" && p == priceID {
			return plan, false
		}
	}
	for plan, p := range s.cfg.MeteredPrices {
		if p != "" && p == priceID {
			return plan, true
		}
	}
	return "", false
}

// ErrNotFound says the tenant is not the actor's: another tenant's
// billing is not found, not forbidden.
var ErrNotFound = errors.New("billing: not found")

// authorize lets owners and admins of the tenant (and the operator) manage
// its billing: changing plans spends the workspace's money.
func authorize(by actor.Actor, tenantID uuid.UUID) error {
	err := by.RequireIn(tenantID, actor.RoleAdmin)
	if errors.Is(err, actor.ErrOtherTenant) {
		return ErrNotFound
	}
	return err
}

// Checkout starts a Stripe Checkout Session that subscribes the tenant to
// planID and returns the URL to send the browser to. baseURL is where
// Stripe sends the customer back (to /billing). Owners and admins only.
func (s *Stripe) Checkout(ctx context.Context, tenantID uuid.UUID, planID, email, baseURL string, by actor.Actor) (string, error) {
	if err := authorize(by, tenantID); err != nil {
		return "", err
	}
	if !s.Enabled() {
		return "", ErrBillingOff
	}
	price := s.cfg.Prices[planID]
	if price == "" {
		return "", ErrPlanNotForSale
	}
	sub, err := s.svc.Subscription(ctx, tenantID)
	if err != nil {
		return "", err
	}
	if sub != nil && sub.Live() && sub.StripeSubscriptionID != "" {
		// A second Checkout would start a second subscription and bill
		// twice: plan changes go through the portal.
		return "", ErrHasSubscription
	}
	base := strings.TrimRight(baseURL, "/")
	params := &stripe.CheckoutSessionParams{
		Mode:              stripe.String(string(stripe.CheckoutSessionModeSubscription)),
		ClientReferenceID: stripe.String(tenantID.String()),
		SuccessURL:        stripe.String(base + "/billing?checkout=success"),
		CancelURL:         stripe.String(base + "/billing?checkout=canceled"),
		LineItems:         []*stripe.CheckoutSessionLineItemParams{{Price: stripe.String(price), Quantity: stripe.Int64(1)}},
		SubscriptionData: &stripe.CheckoutSessionSubscriptionDataParams{
			// Every subscription event then names its tenant, whatever
			// order the webhooks arrive in.
			Metadata: map[string]string{"tenant_id": tenantID.String(), "plan": planID},
			// Periods follow the calendar months quotas are counted in;
			// the first, partial month is prorated.
			BillingCycleAnchor: stripe.Int64(nextMonth(s.now()).Unix()),
		},
	}
	params.Context = ctx
	params.AddMetadata("tenant_id", tenantID.String())
	if metered := s.cfg.MeteredPrices[planID]; metered != "" {
		// Metered prices take no quantity: usage records set it.
		params.LineItems = append(params.LineItems, &stripe.CheckoutSessionLineItemParams{Price: stripe.String(metered)})
	}
	if sub != nil && sub.StripeCustomerID != "" {
		params.Customer = stripe.String(sub.StripeCustomerID)
	} else if email != "" {
		params.CustomerEmail = stripe.String(email)
	}
	cs, err := s.api.CheckoutSessions.New(params)
	if err != nil {
		return "", fmt.Errorf("create checkout session: %w", err)
	}
	if cs.URL == "" {
		return "", errors.New("create checkout session: Stripe returned no URL")
	}
	return cs.URL, nil
}

// Portal opens a Customer Portal session for the tenant's Stripe customer
// and returns its URL; returnURL is where the portal's back link goes.
// Owners and admins only.
func (s *Stripe) Portal(ctx context.Context, tenantID uuid.UUID, returnURL string, by actor.Actor) (string, error) {
	if err := authorize(by, tenantID); err != nil {
		return "", err
	}
	if !s.Enabled() {
		return "", ErrBillingOff
	}
	sub, err := s.svc.Subscription(ctx, tenantID)
	if err != nil {
		return "", err
	}
	if sub == nil || sub.StripeCustomerID == "" {
		return "", ErrNoCustomer
	}
	params := &stripe.BillingPortalSessionParams{Customer: stripe.String(sub.StripeCustomerID), ReturnURL: stripe.String(returnURL)}
	params.Context = ctx
	ps, err := s.api.BillingPortalSessions.New(params)
	if err != nil {
		return "", fmt.Errorf("create portal session: %w", err)
	}
	return ps.URL, nil
}

// nextMonth is the start of the calendar month (UTC) after t's.
func nextMonth(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}

// stripeLogger sends stripe-go's messages to slog; request-level chatter
// stays at debug.
type stripeLogger struct{ log *slog.Logger }

func (l stripeLogger) Debugf(format string, v ...any) {
	l.log.Debug("stripe: " + fmt.Sprintf(format, v...))
}
func (l stripeLogger) Infof(format string, v ...any) {
	l.log.Debug("stripe: " + fmt.Sprintf(format, v...))
}
func (l stripeLogger) Warnf(format string, v ...any) {
	l.log.Warn("stripe: " + fmt.Sprintf(format, v...))
}
func (l stripeLogger) Errorf(format string, v ...any) {
	l.log.Warn("stripe: " + fmt.Sprintf(format, v...))
}
