package tenants

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/audit"
	"mailvet/mail"
)

// SignUpInput is what a company gives to open an account.
type SignUpInput struct {
	Company  string
	Name     string
	Email    string
	Password string
}

// SignUp creates the user, their tenant and the owner membership, and mails
// a verification link, all in one transaction.
func (s *Store) SignUp(ctx context.Context, in SignUpInput, actor audit.Actor) (User, Tenant, error) {
	in.Email = NormalizeEmail(in.Email)
	if err := CheckPassword(in.Password, in.Email); err != nil {
		return User{}, Tenant{}, err
	}
	hash, err := hashPassword(in.Password, s.opts.Argon2)
	if err != nil {
		return User{}, Tenant{}, err
	}
	var user User
	var tenant Tenant
	err = s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		user = User{Email: in.Email, Name: strings.TrimSpace(in.Name), PasswordHash: hash}
		if err := insertUser(ctx, tx, &user); err != nil {
			return err
		}
		actor.UserID, actor.Email = user.ID, user.Email
		tenant, err = createTenant(ctx, tx, in.Company, user.ID, actor)
		if err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, tenant.ID, actor, audit.SignUp, "user", user.ID.String(), nil); err != nil {
			return err
		}
		return s.sendVerification(ctx, tx, user)
	})
	return user, tenant, wrap("sign up", err)
}

func insertUser(ctx context.Context, tx bun.IDB, u *User) error {
	_, err := tx.NewInsert().Model(u).Returning("*").Exec(ctx)
	if isUniqueViolation(err, "users_email_key") {
		return ErrEmailTaken
	}
	return err
}

// createTenant makes a tenant with a unique slug and its first owner.
func createTenant(ctx context.Context, tx bun.IDB, name string, ownerID uuid.UUID, actor audit.Actor) (Tenant, error) {
	name = strings.TrimSpace(name)
	base := Slugify(name)
	t := Tenant{Name: name, Status: "active"}
	for attempt := 0; ; attempt++ {
		t.Slug = base
		if attempt > 0 {
			t.Slug = fmt.Sprintf("%s-%d", base, attempt+1)
		}
		// A savepoint lets us retry after a slug clash without aborting
		// the caller's transaction.
		if _, err := tx.ExecContext(ctx, "SAVEPOINT tenant_slug"); err != nil {
			return t, err
		}
		_, err := tx.NewInsert().Model(&t).Returning("*").Exec(ctx)
		if err == nil {
			break
		}
		if _, rbErr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT tenant_slug"); rbErr != nil {
			return t, rbErr
		}
		if !isUniqueViolation(err, "tenants_slug_key") || attempt > 50 {
			return t, err
		}
	}
	m := Membership{TenantID: t.ID, UserID: ownerID, Role: RoleOwner}
	if _, err := tx.NewInsert().Model(&m).Exec(ctx); err != nil {
		return t, err
	}
	return t, audit.Record(ctx, tx, t.ID, actor, audit.TenantCreated, "tenant", t.ID.String(), map[string]any{"name": t.Name, "slug": t.Slug})
}

var slugJunk = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify turns a company name into a URL-safe identifier.
func Slugify(name string) string {
	s := strings.Trim(slugJunk.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if len(s) > 40 {
		s = strings.TrimRight(s[:40], "-")
	}
	if s == "" {
		s = "team"
	}
	return s
}

// ResendVerification mails a fresh verification link to an unverified user.
func (s *Store) ResendVerification(ctx context.Context, userID uuid.UUID) error {
	return s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var u User
		if err := tx.NewSelect().Model(&u).Where("id = ?", userID).Scan(ctx); err != nil {
			return notFound(err)
		}
		if u.Verified() {
			return nil
		}
		return s.sendVerification(ctx, tx, u)
	})
}

func (s *Store) sendVerification(ctx context.Context, tx bun.Tx, u User) error {
	raw, err := createUserToken(ctx, tx, u.ID, "verify_email", s.opts.VerifyTTL)
	if err != nil {
		return err
	}
	return s.mail.Enqueue(ctx, tx.Tx, mail.Message{
		To:      u.Email,
		Subject: "Verify your email for mailvet",
		Text: fmt.Sprintf("Hello %s,\n\nConfirm this address to finish setting up mailvet:\n\n%s\n\nThe link expires in %s. If you did not sign up, ignore this message.\n",
			displayName(u), s.link("/verify-email?token="+raw), humanDuration(s.opts.VerifyTTL)),
	})
}

// VerifyEmail consumes a verification link.
func (s *Store) VerifyEmail(ctx context.Context, raw string) (User, error) {
	var u User
	err := s.inTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		userID, err := consumeUserToken(ctx, tx, raw, "verify_email")
		if err != nil {
			return err
		}
		if err := tx.NewUpdate().Model(&u).
			Set("email_verified_at = coalesce(email_verified_at, now())").Set("updated_at = now()").
			Where("id = ?", userID).Returning("*").Scan(ctx); err != nil {
			return notFound(err)
		}
		return audit.Record(ctx, tx, uuid.Nil, audit.Actor{UserID: u.ID, Email: u.Email}, audit.EmailVerified, "user", u.ID.String(), nil)
	})
	return u, wrap("verify email", err)
}

func createUserToken(ctx context.Context, tx bun.IDB, userID uuid.UUID, purpose string, ttl time.Duration) (string, error) {
	raw, hash := NewToken()
	_, err := tx.NewRaw(`INSERT INTO user_tokens (token_hash, user_id, purpose, expires_at) VALUES (?, ?, ?, now() + ?::interval)`,
		hash, userID, purpose, fmt.Sprintf("%d seconds", int(ttl.Seconds()))).Exec(ctx)
	return raw, err
}

// consumeUserToken deletes a live token and returns its user. Used,
// expired and unknown tokens all give ErrInvalidLink.
func consumeUserToken(ctx context.Context, tx bun.IDB, raw, purpose string) (uuid.UUID, error) {
	var userID uuid.UUID
	var live bool
	err := tx.NewRaw(`DELETE FROM user_tokens WHERE token_hash = ? AND purpose = ? RETURNING user_id, expires_at > now()`,
		HashToken(raw), purpose).Scan(ctx, &userID, &live)
	if err != nil || !live {
		return uuid.Nil, ErrInvalidLink
	}
	return userID, nil
}

func displayName(u User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	default:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
}
