package billing_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"mailvet/billing"
	"mailvet/billing/stripemock"
	"mailvet/health/healthtest"
)

func TestStripeCheck(t *testing.T) {
	ok := billing.NewStripe(nil, nil, billing.StripeConfig{SecretKey: "sk_test_123", APIBase: stripemock.Start(t)})
	if _, err := ok.Check(t.Context()); err != nil {
		t.Fatalf("stripe-mock: %v", err)
	}
	if _, err := billing.NewStripe(nil, nil, billing.StripeConfig{}).Check(t.Context()); !errors.Is(err, billing.ErrBillingOff) {
		t.Fatalf("billing off: %v", err)
	}
	// An API that accepts the connection and never answers: the deadline
	// ends the wait.
	hung := billing.NewStripe(nil, nil, billing.StripeConfig{SecretKey: "sk_test_123", APIBase: "http://" + healthtest.Hung(t)})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	if _, err := hung.Check(ctx); err == nil {
		t.Fatal("a hung Stripe API passed")
	}
}
