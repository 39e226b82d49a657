package importjson

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The time forms the old service wrote, and the ones refused.
func TestFieldsTime(t *testing.T) {
	want := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)
	for _, v := range []string{`"2026-10-01T10:00:00Z"`, `"2026-10-01T12:00:00+02:00"`, `"2026-10-01T10:00:00"`, `"2026-10-01 10:00:00"`,
		`"2026-10-01T10:00:00.000000"`, `1790848800`, `1790848800000`, `"1790848800"`, `1790848800.0`} {
		got, err := Fields{"t": json.RawMessage(v)}.Time("t")
		if err != nil || !got.Equal(want) {
			t.Errorf("%s: %v, %v; want %v", v, got, err, want)
		}
	}
	for v, msg := range map[string]string{`"yesterday"`: "unparseable time", `"32/13/2026"`: "unparseable time", `true`: "unparseable time",
		`-5`: "unparseable time", `0`: "out of range", `"2999-01-01"`: "out of range", `{}`: "unparseable time"} {
		if _, err := (Fields{"t": json.RawMessage(v)}).Time("t"); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", v, err, msg)
		}
	}
	if _, err := (Fields{"t": json.RawMessage(`null`)}).Time("t", "u"); err != errNoTime {
		t.Errorf("null: %v, want errNoTime", err)
	}
	if got, err := (Fields{"t": json.RawMessage(`"2099-01-01"`)}).Expiry("t"); err != nil || got.Year() != 2099 {
		t.Errorf("a future expiry: %v, %v", got, err)
	}
}

// A verdict word maps to our status and reason; an unknown one is
// refused; an address that does not parse is what the engine says of it.
func TestVerdictMapping(t *testing.T) {
	at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{
		`{"email":"a@example.com","status":"valid"}`:                           "deliverable/accepted_email/95",
		`{"address":"a@example.com","result":"BOUNCED"}`:                       "undeliverable/rejected_email/0",
		`{"email":"a@example.com","status":"accept_all"}`:                      "risky/catch_all/50",
		`{"email":"a@example.com","status":"disposable"}`:                      "risky/disposable/50",
		`{"email":"a@example.com","status":"invalid","reason":"no_mx"}`:        "undeliverable/no_mx/0",
		`{"email":"a@example.com","status":"invalid","reason":"made_up"}`:      "undeliverable/rejected_email/0",
		`{"email":"a@example.com","is_valid":false}`:                           "undeliverable/rejected_email/0",
		`{"email":"a@example.com","status":"timeout","score":"33"}`:            "unknown/timeout/33",
		`{"email":"not an address","status":"valid"}`:                          "undeliverable/invalid_syntax/0",
		`{"email":"a@example.com","status":"deliverable","score":150}`:         "deliverable/accepted_email/95",
		`{"email":"a@example.com","status":"deliverable","checked_at":"nope"}`: "unparseable time",
		`{"email":"a@example.com","status":"perhaps"}`:                         `unknown status "perhaps"`,
		`{"email":"a@example.com"}`:                                            "missing status",
		`{"email":"","status":"valid"}`:                                        "missing email",
	} {
		var f Fields
		if err := json.Unmarshal([]byte(in), &f); err != nil {
			t.Fatal(err)
		}
		r, err := verdict(f, at)
		got := string(r.Status) + "/" + string(r.Reason) + "/" + strconv.Itoa(r.Score)
		if err != nil {
			got = err.Error()
		}
		if !strings.HasPrefix(got, want) {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}
