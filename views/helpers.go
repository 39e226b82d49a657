package views

import (
	"context"
	"net/url"
	"strings"

	"github.com/a-h/templ"
)

// SignedIn reports whether a user is signed in.
func (p Page) SignedIn() bool { return p.User != nil }

// NeedsVerification reports whether the signed-in user has not yet verified
// their email address.
func (p Page) NeedsVerification() bool { return p.User != nil && !p.User.Verified }

// HomeURL is where the brand link goes: the dashboard when signed in.
func (p Page) HomeURL() templ.SafeURL {
	if p.SignedIn() {
		return "/dashboard"
	}
	return "/"
}

// Has reports whether the field has an error.
func (f Form) Has(name string) bool { return f.Errors[name] != "" }

// Message is the form's message, or the first field's (a form that shows
// one line for all its fields).
func (f Form) Message() string {
	if f.Error != "" {
		return f.Error
	}
	for _, msg := range f.Errors {
		return msg
	}
	return ""
}

// ValueOr returns the submitted value of a field, or def when the form was
// not submitted with that field (so a first render shows stored values).
func (f Form) ValueOr(name, def string) string {
	if v, ok := f.Values[name]; ok {
		return v
	}
	return def
}

// IsLive reports whether the key is a live key.
func (k KeyRow) IsLive() bool { return k.Mode == "live" }

// ExpiresText is the expiry shown in the keys table.
func (k KeyRow) ExpiresText() string {
	if k.Expires == "" {
		return "Never"
	}
	return k.Expires
}

// TotalKeys is the number of active keys of both modes.
func (d Dashboard) TotalKeys() int { return d.LiveKeys + d.TestKeys }

// baseURLKey is the context key for the public origin shown in examples.
type baseURLKey struct{}

// WithBaseURL returns a context whose renders show origin (for example
// "https://mailvet.example.com") in code examples such as the dashboard's curl
// command. Without it, http://localhost:8080 is shown.
func WithBaseURL(ctx context.Context, origin string) context.Context {
	return context.WithValue(ctx, baseURLKey{}, strings.TrimRight(origin, "/"))
}

func baseURL(ctx context.Context) string {
	if s, ok := ctx.Value(baseURLKey{}).(string); ok && s != "" {
		return s
	}
	return "http://localhost:8080"
}

// appPath builds an application path from a pattern whose "{}" placeholders are
// replaced, in order, by the path-escaped segments. Segments are IDs or
// tokens, so the result is always a same-origin relative path.
func appPath(pattern string, segments ...string) templ.SafeURL {
	var b strings.Builder
	for _, s := range segments {
		i := strings.Index(pattern, "{}")
		if i < 0 {
			break
		}
		b.WriteString(pattern[:i])
		b.WriteString(url.PathEscape(s))
		pattern = pattern[i+2:]
	}
	b.WriteString(pattern)
	return templ.SafeURL(b.String())
}

// loginNextURL is the log-in page that returns to next afterwards.
func loginNextURL(next string) templ.SafeURL {
	return templ.SafeURL("/login?next=" + url.QueryEscape(next))
}

// describedBy joins the ids of a field's help text and error message.
func describedBy(f Form, name string, hasHelp bool) string {
	var ids []string
	if hasHelp {
		ids = append(ids, name+"-help")
	}
	if f.Has(name) {
		ids = append(ids, name+"-error")
	}
	return strings.Join(ids, " ")
}

// field describes one labelled input.
type field struct {
	Name         string
	Label        string
	Type         string // text when empty
	Value        string
	Autocomplete string
	Help         string
	Hint         string // short text beside the label, e.g. "optional"
	Required     bool
	MaxLength    int
	Autofocus    bool
	Attrs        templ.Attributes // extra attributes, e.g. readonly
}

func (fl field) inputType() string {
	if fl.Type == "" {
		return "text"
	}
	return fl.Type
}

// option is one choice of a select.
type option struct {
	Value string
	Label string
}

// roleOptions are the roles a member can be given; owner only when the
// current user is an owner.
func roleOptions(withOwner bool) []option {
	opts := []option{{"admin", "Admin"}, {"member", "Member"}}
	if withOwner {
		opts = append([]option{{"owner", "Owner"}}, opts...)
	}
	return opts
}

// inviteRoleOptions are the invite form's roles. The first, empty, one
// lets a re-sent invitation keep the role it had (a new one is member).
func inviteRoleOptions() []option {
	return append([]option{{"", "Member (as before if re-sent)"}}, roleOptions(false)...)
}

// roleClass is the badge class of a role.
func roleClass(role string) string {
	switch role {
	case "owner":
		return "badge badge-owner"
	case "admin":
		return "badge badge-admin"
	default:
		return "badge badge-member"
	}
}

// roleLabel capitalises a role for display.
func roleLabel(role string) string {
	if role == "" {
		return ""
	}
	return strings.ToUpper(role[:1]) + role[1:]
}

// initials is up to two letters for an avatar.
func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		for _, r := range w {
			out = append(out, r)
			break
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return strings.ToUpper(string(out))
}

// exportURL is a list's CSV download of the given rows ("all", "unique",
// "duplicates", "skipped") and status ("" for any).
func exportURL(listID, rows, status string) templ.SafeURL {
	q := url.Values{"rows": {rows}}
	if status != "" {
		q.Set("status", status)
	}
	return templ.SafeURL(string(appPath("/lists/{}/export.csv", listID)) + "?" + q.Encode())
}
