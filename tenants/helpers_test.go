package tenants_test

import (
	"context"
	"net/url"
	"regexp"
	"testing"

	"mailvet/audit"
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

func setup(t *testing.T) fixture {
	t.Helper()
	d := dbtest.New(t)
	client, err := jobs.NewClient(d, jobs.Deps{}, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://app.mailvet.test")
	return fixture{db: d, store: tenants.NewStore(d.Bun, mail.NewQueue(client), base, tenants.Options{})}
}

var linkRE = regexp.MustCompile(`https://app\.mailvet\.test(/[^\s]+)`)

// lastLink returns the path of the link in the newest mail queued to `to`.
func (f fixture) lastLink(t *testing.T, to string) string {
	t.Helper()
	var text string
	err := f.db.Pool.QueryRow(context.Background(),
		`SELECT args->>'text' FROM river_job WHERE kind = 'mail.send' AND args->>'to' = $1 ORDER BY id DESC LIMIT 1`, to).Scan(&text)
	if err != nil {
		t.Fatalf("no mail queued to %s: %v", to, err)
	}
	m := linkRE.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no link in mail to %s:\n%s", to, text)
	}
	return m[1]
}

func tokenFrom(t *testing.T, path string) string {
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

// signUp makes a verified owner with a tenant.
func (f fixture) signUp(t *testing.T, company, email string) (tenants.User, tenants.Tenant) {
	t.Helper()
	ctx := context.Background()
	u, tn, err := f.store.SignUp(ctx, tenants.SignUpInput{Company: company, Name: "Owner", Email: email, Password: goodPassword}, audit.Actor{IP: "198.51.100.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.VerifyEmail(ctx, tokenFrom(t, f.lastLink(t, email))); err != nil {
		t.Fatal(err)
	}
	return u, tn
}

func actorFor(u tenants.User) audit.Actor {
	return audit.Actor{UserID: u.ID, Email: u.Email, IP: "198.51.100.1", UserAgent: "test"}
}

func (f fixture) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
