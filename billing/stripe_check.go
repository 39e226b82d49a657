package billing

import (
	"context"
	"fmt"

	"github.com/stripe/stripe-go/v76"
)

// Check asks Stripe for the account's balance, the cheapest
// authenticated call: it proves the API is reachable and the secret key
// accepted. Billing off is ErrBillingOff (not a failure of Stripe's).
func (s *Stripe) Check(ctx context.Context) (string, error) {
	if !s.Enabled() {
		return "", ErrBillingOff
	}
	params := &stripe.BalanceParams{}
	params.Context = ctx
	if _, err := s.api.Balance.Get(params); err != nil {
		return "", fmt.Errorf("stripe: %w", err)
	}
	return "balance read", nil
}
