package tenants

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/mail"
	"mailvet/webhooks"
)

// Events records the key events (api_key.rotated, .expiring, .expired)
// for the tenant's webhooks (webhooks.Service), in the transaction of
// the change they report.
type Events interface {
	Record(ctx context.Context, tx db.Tx, tenantID uuid.UUID, eventType string, data any) (webhooks.Event, error)
}

// WithEvents makes key notices webhook events too.
func (s *Store) WithEvents(events Events) *Store {
	s.events = events
	return s
}

// The expiry notices, in the order they go out (api_keys.expiry_notice).
const (
	notice7Days = 1
	notice1Day  = 2
	noticeGone  = 3
)

// sweepBatch bounds the keys one sweep handles per step; the next sweep
// takes the rest.
const sweepBatch = 500

// SweepResult counts what a sweep did.
type SweepResult struct {
	Rotated, Notices int
}

// SweepAPIKeys rolls the keys automatic rotation has made due and sends
// the expiry notices that are due: 7 days and 1 day before a key stops
// working, and when it has. A periodic job calls it. Each key is claimed
// in its own tenant's transaction by a conditional UPDATE (or a row lock
// for rotation), so that with several workers each roll and each notice
// happens once; the candidates are found through the system path.
func (s *Store) SweepAPIKeys(ctx context.Context) (SweepResult, error) {
	var r SweepResult
	now := s.now()
	due, err := s.sweepCandidates(ctx, `SELECT k.tenant_id, k.id FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
		WHERE t.status = 'active' AND coalesce((t.settings->>'key_rotate_after_days')::int, 0) > 0
		AND k.revoked_at IS NULL AND k.rolled_at IS NULL AND k.key_hash IS NOT NULL
		AND k.created_at <= ?0::timestamptz - make_interval(days => (t.settings->>'key_rotate_after_days')::int)
		AND (k.expires_at IS NULL OR k.expires_at > ?0)
		ORDER BY k.created_at LIMIT ?1`, now)
	if err != nil {
		return r, err
	}
	if r.Rotated, err = each(ctx, due, s.rotate); err != nil {
		return r, err
	}
	// Expired keys are told about for a week at most: one that expired
	// long before this sweep existed is old news.
	due, err = s.sweepCandidates(ctx, `SELECT tenant_id, id FROM api_keys
		WHERE revoked_at IS NULL AND expires_at IS NOT NULL AND expiry_notice < 3
		AND expires_at <= ?0::timestamptz + interval '7 days' AND expires_at > ?0::timestamptz - interval '7 days'
		ORDER BY expires_at LIMIT ?1`, now)
	if err != nil {
		return r, err
	}
	r.Notices, err = each(ctx, due, s.notify)
	return r, err
}

// each acts on every candidate and counts those it acted on (not skipped).
func each(ctx context.Context, due []candidate, act func(ctx context.Context, tenantID, keyID uuid.UUID) error) (int, error) {
	n := 0
	for _, c := range due {
		switch err := act(ctx, c.tenantID, c.keyID); {
		case err == nil:
			n++
		case !errors.Is(err, errSkip):
			return n, err
		}
	}
	return n, nil
}

// errSkip: another worker took the key, or it no longer qualifies.
var errSkip = errors.New("skip")

type candidate struct{ tenantID, keyID uuid.UUID }

func (s *Store) sweepCandidates(ctx context.Context, query string, now time.Time) ([]candidate, error) {
	var rows []struct {
		TenantID uuid.UUID `bun:"tenant_id,type:uuid"`
		ID       uuid.UUID `bun:"id,type:uuid"`
	}
	err := s.db.Tx(ctx, db.System("sweep: API keys of every tenant due for rotation or an expiry notice"), func(ctx context.Context, tx db.Tx) error {
		return tx.NewRaw(query, now, sweepBatch).Scan(ctx, &rows)
	})
	out := make([]candidate, len(rows))
	for i, r := range rows {
		out[i] = candidate{tenantID: r.TenantID, keyID: r.ID}
	}
	return out, wrap("sweep api keys", err)
}

// rotate rolls one due key without a secret for its successor, tells the
// owners and admins where to reveal it and records api_key.rotated.
func (s *Store) rotate(ctx context.Context, tenantID, keyID uuid.UUID) error {
	by := actor.System("api_keys.rotate").In(tenantID)
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		settings, err := settingsOf(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		old, err := keyOf(ctx, tx, tenantID, keyID, true) // the lock makes a second worker wait, then see rolled_at
		if err != nil {
			return notFoundSkip(err)
		}
		age := time.Duration(settings.RotateAfterDays) * 24 * time.Hour
		if settings.RotateAfterDays <= 0 || old.CreatedAt.After(s.now().Add(-age)) {
			return errSkip
		}
		rolled, err := s.rollTx(ctx, tx, old, settings.RotationGrace(), settings.MaxLifetimeDays, false, by)
		if errors.Is(err, ErrKeyRolled) || errors.Is(err, ErrKeyInactive) {
			return errSkip
		}
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, tenantID, by, audit.APIKeyRotated, "api_key", old.ID.String(), map[string]any{
			"prefix": old.Prefix, "successor_id": rolled.New.ID.String(), "grace": settings.RotationGrace().String(), "expires_at": rolled.Old.ExpiresAt,
		}); err != nil {
			return err
		}
		data := s.keyData(rolled.Old)
		data.SuccessorID, data.RevealURL = rolled.New.ID.String(), s.link("/keys#key-"+rolled.New.ID.String())
		return s.tell(ctx, tx, tenantID, webhooks.APIKeyRotated, data,
			fmt.Sprintf("API key “%s” was rotated", oneLine(old.Name)),
			fmt.Sprintf("The API key “%s” (%s) of %%s is older than %d days, so it was rolled automatically.\n\n"+
				"Its successor has the same name, scopes and limits. Reveal it once, and put it where the old one is used:\n%s\n\n"+
				"The old key keeps working until %s; after that it is refused.\n",
				oneLine(old.Name), old.Prefix, settings.RotateAfterDays, data.RevealURL, data.ExpiresAt.Format(time.RFC1123)))
	})
	return wrapSkip("rotate api key", err)
}

// notify claims and sends the expiry notice a key is due.
func (s *Store) notify(ctx context.Context, tenantID, keyID uuid.UUID) error {
	now := s.now()
	err := s.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		// The claim: the stage the key is due, raised only by the worker
		// that finds it lower (READ COMMITTED re-checks the condition after
		// waiting for another worker's lock).
		var k APIKey
		err := tx.NewUpdate().Model(&k).
			Set(`expiry_notice = CASE WHEN expires_at <= ?0 THEN 3 WHEN expires_at <= ?0::timestamptz + interval '1 day' THEN 2 ELSE 1 END`, now).
			Where("tenant_id = ? AND id = ? AND revoked_at IS NULL AND expires_at IS NOT NULL", tenantID, keyID).
			Where(`expiry_notice < CASE WHEN expires_at <= ?0 THEN 3 WHEN expires_at <= ?0::timestamptz + interval '1 day' THEN 2
				WHEN expires_at <= ?0::timestamptz + interval '7 days' THEN 1 ELSE 0 END`, now).
			Returning("*").Scan(ctx)
		if err != nil {
			return notFoundSkip(err)
		}
		data := s.keyData(k)
		name := oneLine(k.Name)
		if k.ExpiryNotice == noticeGone {
			if err := audit.Record(ctx, tx, tenantID, actor.System("api_keys.expire").In(tenantID), audit.APIKeyExpired, "api_key", k.ID.String(),
				map[string]any{"prefix": k.Prefix, "expires_at": k.ExpiresAt}); err != nil {
				return err
			}
			return s.tell(ctx, tx, tenantID, webhooks.APIKeyExpired, data, fmt.Sprintf("API key “%s” has expired", name),
				fmt.Sprintf("The API key “%s” (%s) of %%s expired at %s and is now refused.\n\nCreate or roll keys here: %s\n",
					name, k.Prefix, k.ExpiresAt.Format(time.RFC1123), s.link("/keys")))
		}
		when := "in 7 days"
		if k.ExpiryNotice == notice1Day {
			when = "within a day"
		}
		return s.tell(ctx, tx, tenantID, webhooks.APIKeyExpiring, data, fmt.Sprintf("API key “%s” expires %s", name, when),
			fmt.Sprintf("The API key “%s” (%s) of %%s stops working %s, at %s.\n\nRoll it to get a successor with the same settings: %s\n",
				name, k.Prefix, when, k.ExpiresAt.Format(time.RFC1123), s.link("/keys#key-"+k.ID.String())))
	})
	return wrapSkip("notify api key expiry", err)
}

// keyData describes a key for its webhook event.
func (s *Store) keyData(k APIKey) webhooks.APIKeyData {
	d := webhooks.APIKeyData{KeyID: k.ID.String(), Name: k.Name, Mode: string(k.Mode), Prefix: k.Prefix}
	if k.ExpiresAt != nil {
		d.ExpiresAt = k.ExpiresAt.UTC()
		if left := k.ExpiresAt.Sub(s.now()); left > 0 {
			d.DaysLeft = int((left + 24*time.Hour - 1) / (24 * time.Hour))
		}
	}
	return d
}

// tell records the event for the tenant's webhooks and mails the owners
// and admins (and the technical contact); text has one %s, the tenant's
// name.
func (s *Store) tell(ctx context.Context, tx db.Tx, tenantID uuid.UUID, eventType string, data webhooks.APIKeyData, subject, text string) error {
	if s.events != nil {
		if _, err := s.events.Record(ctx, tx, tenantID, eventType, data); err != nil {
			return err
		}
	}
	var t Tenant
	if err := tx.NewSelect().Model(&t).Where("id = ?", tenantID).Scan(ctx); err != nil {
		return err
	}
	var to []string
	if err := tx.NewSelect().TableExpr("memberships AS m").ColumnExpr("u.email").Join("JOIN users AS u ON u.id = m.user_id").
		Where("m.tenant_id = ? AND m.role IN (?, ?)", tenantID, actor.RoleOwner, actor.RoleAdmin).OrderExpr("u.email").Scan(ctx, &to); err != nil {
		return err
	}
	if e := t.Settings.TechnicalEmail; e != "" && !containsFold(to, e) {
		to = append(to, e)
	}
	for _, addr := range to {
		msg := mail.Message{To: addr, Subject: subject, Text: fmt.Sprintf(text, oneLine(t.Name))}
		if err := s.mail.Enqueue(ctx, tx.Tx.Tx, msg); err != nil {
			return err
		}
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if NormalizeEmail(v) == NormalizeEmail(s) {
			return true
		}
	}
	return false
}

func notFoundSkip(err error) error {
	if errors.Is(notFound(err), ErrNotFound) {
		return errSkip
	}
	return err
}

func wrapSkip(op string, err error) error {
	if errors.Is(err, errSkip) {
		return err
	}
	return wrap(op, err)
}
