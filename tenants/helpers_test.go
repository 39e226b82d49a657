package tenants_test

import (
	"context"
	"net/url"
	"regexp"
	"testing"

	"mailvet/actor"
	"mailvet/db"
	"mailvet/db/dbtest"
	"mailvet/jobs"
	"mailvet/mail"
	"mailvet/tenants"
)

type fixture struct {
	db    *db.DB
	store *tenants.Store
}

func setup(t testing.TB) fixture {
	t.Helper()
	return setupWith(t, tenants.Options{})
}

// setupWith is setup with the store's options (a test clock, say).
func setupWith(t testing.TB, opts tenants.Options) fixture {
	t.Helper()
	d := dbtest.New(t)
	client, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://app.mailvet.test")
	return fixture{db: d, store: tenants.NewStore(d, mail.NewQueue(client), base, opts)}
}

var linkRE = regexp.MustCompile(`https://app\.mailvet\.test(/[^\s]+)`)

// lastLink returns the path of the link in the newest mail queued to `to`.
func (f fixture) lastLink(t testing.TB, to string) string {
	t.Helper()
	text := f.lastMail(t, to)
	m := linkRE.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no link in mail to %s:\n%s", to, text)
	}
	return m[1]
}

// lastMail returns the text of the newest mail queued to `to` (River's
// tables have no tenant, so the tenant pool reads them).
func (f fixture) lastMail(t testing.TB, to string) string {
	t.Helper()
	var text string
	err := f.db.Pool.QueryRow(context.Background(),
		`SELECT args->>'text' FROM river_job WHERE kind = 'mail.send' AND args->>'to' = $1 ORDER BY id DESC LIMIT 1`, to).Scan(&text)
	if err != nil {
		t.Fatalf("no mail queued to %s: %v", to, err)
	}
	return text
}

func tokenFrom(t testing.TB, path string) string {
	t.Helper()
	u, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	if tok := u.Query().Get("token"); tok != "" {
		return tok
	}
	return u.Path[len("/invites/"):]
}

const goodPassword = "correct horse battery"

// visitor is someone not signed in yet (sign-up, sign-in, links).
func visitor() actor.Actor { return actor.Actor{IP: "198.51.100.1", UserAgent: "test"} }

// signUp makes a verified owner with a tenant.
func (f fixture) signUp(t testing.TB, company, email string) (tenants.User, tenants.Tenant) {
	t.Helper()
	ctx := context.Background()
	u, tn, err := f.store.SignUp(ctx, tenants.SignUpInput{Company: company, Name: "Owner", Email: email, Password: goodPassword}, visitor())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.VerifyEmail(ctx, tokenFrom(t, f.lastLink(t, email))); err != nil {
		t.Fatal(err)
	}
	return u, tn
}

// actorFor is u signed in; acting in a tenant, it is actorFor(u).In(id).
// The role is left empty on purpose: the store reads a user's role from
// the database, not from the actor.
func actorFor(u tenants.User) actor.Actor {
	return actor.User(u.ID, u.Email, "").From("198.51.100.1", "test")
}

// count runs a counting query over every tenant's rows (the system path),
// with $1-style arguments.
func (f fixture) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	err := f.db.Tx(context.Background(), db.System("test: count rows of every tenant"), func(ctx context.Context, tx db.Tx) error {
		return tx.Tx.Tx.QueryRowContext(ctx, query, args...).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// exec runs a statement over every tenant's rows (the system path), with
// $1-style arguments: for setting up states the store does not make.
func (f fixture) exec(t testing.TB, query string, args ...any) {
	t.Helper()
	err := f.db.Tx(context.Background(), db.System("test: set up rows the store does not make"), func(ctx context.Context, tx db.Tx) error {
		_, err := tx.Tx.Tx.ExecContext(ctx, query, args...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
