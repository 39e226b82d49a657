package tenants

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
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
// a verification link, all in one transaction. Nobody is signed in yet:
// from gives only where the request came from (IP, user agent); the
// events are recorded as the new user.
func (s *Store) SignUp(ctx context.Context, in SignUpInput, from actor.Actor) (User, Tenant, error) {
	in.Email = NormalizeEmail(in.Email)
	in.Company, in.Name = strings.TrimSpace(in.Company), strings.TrimSpace(in.Name)
	if err := checkTexts("company", in.Company, "name", in.Name, "email", in.Email); err != nil {
		return User{}, Tenant{}, err
	}
	if err := CheckPassword(in.Password, in.Email); err != nil {
		return User{}, Tenant{}, err
	}
	hash, err := hashPassword(in.Password, s.opts.Argon2)
	if err != nil {
		return User{}, Tenant{}, err
	}
	user := User{Email: in.Email, Name: in.Name, PasswordHash: hash}
	// The tenant's id is chosen here so that the whole sign-up runs in the
	// new tenant's scope: it reads nobody else's rows (users and tokens
	// belong to no tenant).
	tenant := Tenant{ID: uuid.New()}
	err = s.db.Tx(ctx, db.Tenant(tenant.ID), func(ctx context.Context, tx db.Tx) error {
		if err := insertUser(ctx, tx, &user); err != nil {
			return err
		}
		by := actor.User(user.ID, user.Email, actor.RoleOwner).From(from.IP, from.UserAgent).ForRequest(from.RequestID)
		var err error
		if tenant, err = createTenant(ctx, tx, tenant.ID, in.Company, user.ID, by); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, tenant.ID, by, audit.SignUp, "user", user.ID.String(), nil); err != nil {
			return err
		}
		return s.sendVerification(ctx, tx, user)
	})
	if err != nil {
		return User{}, Tenant{}, wrap("sign up", err)
	}
	return user, tenant, nil
}

func insertUser(ctx context.Context, tx bun.IDB, u *User) error {
	_, err := tx.NewInsert().Model(u).Returning("*").Exec(ctx)
	if isUniqueViolation(err, "users_email_key") {
		return ErrEmailTaken
	}
	return err
}

// createTenant makes tenant id with a unique slug and its first owner; tx
// runs in that tenant's scope.
func createTenant(ctx context.Context, tx db.Tx, id uuid.UUID, name string, ownerID uuid.UUID, by actor.Actor) (Tenant, error) {
	name = strings.TrimSpace(name)
	base := Slugify(name)
	t := Tenant{ID: id, Name: name, Status: "active"}
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
	m := Membership{TenantID: t.ID, UserID: ownerID, Role: actor.RoleOwner}
	if _, err := tx.NewInsert().Model(&m).Exec(ctx); err != nil {
		return t, err
	}
	return t, audit.Record(ctx, tx, t.ID, by, audit.TenantCreated, "tenant", t.ID.String(), map[string]any{"name": t.Name, "slug": t.Slug})
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
	return wrap("resend verification", s.db.Tx(ctx, db.Platform(), func(ctx context.Context, tx db.Tx) error {
		var u User
		if err := tx.NewSelect().Model(&u).Where("id = ?", userID).Scan(ctx); err != nil {
			return notFound(err)
		}
		if u.Verified() {
			return nil
		}
		return s.sendVerification(ctx, tx, u)
	}))
}

func (s *Store) sendVerification(ctx context.Context, tx db.Tx, u User) error {
	raw, err := createUserToken(ctx, tx, u.ID, "verify_email", s.opts.VerifyTTL)
	if err != nil {
		return err
	}
	return s.mail.Enqueue(ctx, tx.Tx.Tx, mail.Message{
		To:      u.Email,
		Subject: "Verify your email for mailvet",
		Text: fmt.Sprintf("Hello %s,\n\nConfirm this address to finish setting up mailvet:\n\n%s\n\nThe link expires in %s. If you did not sign up, ignore this message.\n",
			displayName(u), s.link("/verify-email?token="+raw), humanDuration(s.opts.VerifyTTL)),
	})
}

// VerifyEmail consumes a verification link. The platform event it records
// has no tenant, which only the system path may write.
func (s *Store) VerifyEmail(ctx context.Context, raw string) (User, error) {
	var u User
	err := s.db.Tx(ctx, db.System("a verification link's token finds its user; the event is a platform one"), func(ctx context.Context, tx db.Tx) error {
		userID, err := consumeUserToken(ctx, tx, raw, "verify_email")
		if err != nil {
			return err
		}
		if err := tx.NewUpdate().Model(&u).
			Set("email_verified_at = coalesce(email_verified_at, now())").Set("updated_at = now()").
			Where("id = ?", userID).Returning("*").Scan(ctx); err != nil {
			return notFound(err)
		}
		return audit.Record(ctx, tx, uuid.Nil, actor.User(u.ID, u.Email, ""), audit.EmailVerified, "user", u.ID.String(), nil)
	})
	return u, wrap("verify email", err)
}

func createUserToken(ctx context.Context, tx bun.IDB, userID uuid.UUID, purpose string, ttl time.Duration) (string, error) {
	raw, hash := NewToken()
	_, err := tx.NewRaw(`INSERT INTO user_tokens (token_hash, user_id, purpose, expires_at) VALUES (?, ?, ?, now() + make_interval(secs => ?))`,
		hash, userID, purpose, ttl.Seconds()).Exec(ctx)
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
