package app

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"mailvet/billing"
	"mailvet/views"
)

// handleBilling shows the plan, this month's usage, the next invoice
// estimate, the plans and the invoices. Members see it read-only.
func (s *Server) handleBilling(w http.ResponseWriter, r *http.Request) {
	pc := pageFrom(r.Context())
	b := views.Billing{Enabled: s.Stripe.Enabled(), CanManage: pc.role.CanManage(), PlanName: "Free"}
	if c := r.URL.Query().Get("checkout"); c == "success" || c == "canceled" {
		b.Checkout = c
	}
	p := s.page(w, r, "Billing", "billing")
	if s.Billing == nil {
		b.Enabled = false
		s.render(w, r, http.StatusOK, views.BillingPage(p, b))
		return
	}
	ctx := r.Context()
	acct, err := s.Billing.Account(ctx, pc.tenant.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	plans, err := s.Billing.Plans(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.BillingNotice = s.billingNotice(r, pc.tenant.ID)
	b.PlanName = acct.Plan.Name
	if sub := acct.Subscription; sub.Live() {
		b.Status = sub.Status
		b.HasSubscription = sub.StripeSubscriptionID != ""
		if sub.CurrentPeriodStart != nil && sub.CurrentPeriodEnd != nil {
			b.Period = billingDate(*sub.CurrentPeriodStart) + " – " + billingDate(*sub.CurrentPeriodEnd)
		}
	}
	b.HasCustomer = acct.Subscription != nil && acct.Subscription.StripeCustomerID != ""
	if acct.GraceEnds != nil {
		b.GraceEnds = billingDate(*acct.GraceEnds)
	}
	if acct.Subscribed != nil && acct.Subscribed.ID != acct.Plan.ID {
		b.SubscribedPlan = acct.Subscribed.Name
	}
	b.MonthUsed = views.Thousands(acct.Usage.MonthUsed)
	b.MonthIncluded = views.Thousands(acct.Usage.MonthIncluded)
	b.MonthLimit = views.Thousands(acct.Usage.MonthLimit)
	b.Overage = views.Thousands(acct.Usage.OverageThisMonth)
	b.Estimate = billingDollars(acct.EstimateCents)
	for _, pl := range plans {
		row := views.BillingPlan{
			ID: pl.ID, Name: pl.Name, Price: "Free", Overage: "—",
			Included: views.Thousands(pl.MonthlyIncluded), Limit: views.Thousands(pl.MonthlyLimit),
			RatePerMinute: views.Thousands(pl.RatePerMinute), MaxListRows: views.Thousands(pl.MaxListRows),
			Current: pl.ID == acct.Plan.ID, ForSale: s.Stripe.ForSale(pl.ID),
		}
		if pl.PriceCents > 0 {
			row.Price = billingDollars(pl.PriceCents) + " / month"
		}
		if pl.OverageCentsPer1000 > 0 && pl.MonthlyLimit > pl.MonthlyIncluded {
			row.Overage = billingDollars(pl.OverageCentsPer1000) + " per 1,000"
		}
		b.Plans = append(b.Plans, row)
	}
	for _, in := range acct.Invoices {
		row := views.InvoiceRow{
			Number: in.Number, Status: in.Status, Created: billingDate(in.Created),
			HostedURL: in.HostedInvoiceURL, PDFURL: in.InvoicePDF,
		}
		amount := in.AmountDue
		if in.Status == "paid" {
			amount = in.AmountPaid
		}
		row.Amount = billingMoney(amount, in.Currency)
		if in.PeriodStart != nil && in.PeriodEnd != nil {
			row.Period = billingDate(*in.PeriodStart) + " – " + billingDate(*in.PeriodEnd)
		}
		if row.Number == "" {
			row.Number = "—"
		}
		b.Invoices = append(b.Invoices, row)
	}
	s.render(w, r, http.StatusOK, views.BillingPage(p, b))
}

func billingDate(t time.Time) string { return t.UTC().Format("2 Jan 2006") }

// billingDollars formats plan prices, which the plans table keeps in US cents.
func billingDollars(cents int) string { return fmt.Sprintf("$%d.%02d", cents/100, cents%100) }

// billingZeroDecimal are the currencies Stripe counts in whole units.
var billingZeroDecimal = map[string]bool{"bif": true, "clp": true, "djf": true, "gnf": true, "jpy": true, "kmf": true, "krw": true,
	"mga": true, "pyg": true, "rwf": true, "ugx": true, "vnd": true, "vuv": true, "xaf": true, "xof": true, "xpf": true}

// billingMoney formats an invoice amount given in the currency's smallest unit.
func billingMoney(amount int64, currency string) string {
	code := strings.ToUpper(currency)
	if billingZeroDecimal[strings.ToLower(currency)] {
		return fmt.Sprintf("%d %s", amount, code)
	}
	return strings.TrimSpace(fmt.Sprintf("%d.%02d %s", amount/100, amount%100, code))
}

// billingActionFailed answers a billing action that could not start.
func (s *Server) billingActionFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, billing.ErrBillingOff):
		s.flash(w, r, "Billing is not configured on this server.")
		s.redirect(w, r, "/billing")
	case errors.Is(err, billing.ErrNoCustomer):
		s.flash(w, r, "There is no billing account yet: choose a plan first.")
		s.redirect(w, r, "/billing")
	default:
		if _, known := s.classify(err); known {
			s.fail(w, r, err)
			return
		}
		s.Log.Error("stripe request failed", "request_id", infoFrom(r.Context()).ID, "err", err)
		s.renderError(w, r, http.StatusBadGateway, "Payments are unavailable",
			"We could not reach our payment provider. Please try again in a few minutes.")
	}
}

// billingNotice is the failed-payment banner for a tenant, or "". It is
// meant for every signed-in page (views.Page.BillingNotice); an error only
// loses the banner.
func (s *Server) billingNotice(r *http.Request, tenantID uuid.UUID) string {
	if s.Billing == nil || !s.Stripe.Enabled() || tenantID == uuid.Nil {
		return ""
	}
	notice, err := s.Billing.Notice(r.Context(), tenantID)
	if err != nil {
		s.Log.Warn("billing notice", "request_id", infoFrom(r.Context()).ID, "err", err)
	}
	return notice
}
