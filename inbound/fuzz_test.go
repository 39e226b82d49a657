package inbound

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"mailvet/safetext"
)

// The body decoder never panics, refuses only with a RequestError of a
// known status and code, and what it takes is within every limit and
// decodes to itself again.
func FuzzPushBody(f *testing.F) {
	for _, s := range []string{
		`{"emails": ["ann@shop.test"], "reference": "crm-1"}`,
		`{"emails": ["ann@shop.test", "ann@shop.test", "Ann@shop.test"]}`,
		`{"emails": []}`, `{}`, `null`, `[]`, `"x"`, ``, `{"emails": null}`,
		`{"emails": [null, 1]}`, `{"emails": ["a"], "reference": "\u0000"}`,
		`{"emails": ["a"], "extra": true}`, `{"emails": ["a"]}{}`, `{"emails": ["a"]} `,
		`{"Emails": ["a"], "REFERENCE": "r"}`, `{"emails": ["\ud800@x"]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeBody(body)
		if err != nil {
			var re *RequestError
			if !errors.As(err, &re) || re.Detail == "" {
				t.Fatalf("refused with %T %v", err, err)
			}
			switch {
			case re.Status == http.StatusBadRequest && re.Code == CodeInvalidRequest,
				re.Status == http.StatusUnprocessableEntity && re.Code == CodeInvalidRequest,
				re.Status == http.StatusRequestEntityTooLarge && (re.Code == CodeTooManyAddresses || re.Code == CodeBodyTooLarge):
			default:
				t.Fatalf("refused with status %d code %q", re.Status, re.Code)
			}
			return
		}
		if len(p.Emails) == 0 || len(p.Emails)+p.duplicates > MaxAddresses || p.duplicates < 0 {
			t.Fatalf("%d addresses (%d duplicates) taken", len(p.Emails), p.duplicates)
		}
		if utf8.RuneCountInString(p.Reference) > MaxReference || safetext.HasControl(p.Reference) {
			t.Fatalf("reference %q taken", p.Reference)
		}
		seen := map[string]bool{}
		for _, e := range p.Emails {
			if seen[e] || len(e) > maxAddressBytes || safetext.HasControl(e) {
				t.Fatalf("address %q taken (repeat: %v)", e, seen[e])
			}
			seen[e] = true
		}
		again, _ := json.Marshal(pushBody{Emails: p.Emails, Reference: p.Reference})
		q, err := decodeBody(again)
		if err != nil || !slices.Equal(q.Emails, p.Emails) || q.Reference != p.Reference {
			t.Fatalf("re-encoded %s decodes to %+v, %v", again, q, err)
		}
	})
}

// The header checks and the signature check never panic, refuse only with
// an UnauthorizedError, and let through only a push signed with the
// secret over its own id, timestamp and body, within 5 minutes of now.
func FuzzSignatureHeader(f *testing.F) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	ts := strconv.FormatInt(now.Unix(), 10)
	body := `{"emails": ["ann@shop.test"]}`
	good, _ := wh.Sign("msg_1", now, []byte(body))
	f.Add("msg_1", ts, good, body)
	f.Add("msg_1", ts, "v1,"+good[3:]+" v2,abc", body)
	f.Add("msg_1", ts, "v1a,"+good[3:], body)
	f.Add("msg_1", ts, good+" "+good, body)
	f.Add("msg_1", strconv.FormatInt(now.Add(-10*time.Minute).Unix(), 10), good, body)
	f.Add("msg_1", strconv.FormatInt(now.Add(10*time.Minute).Unix(), 10), good, body)
	f.Add("msg_1", "-9223372036854775808", good, body)
	f.Add("msg_1", "9223372036854775807", good, body)
	f.Add("msg_1", " "+ts, good, body)
	f.Add("msg_1", "+"+ts, good, body)
	f.Add("msg_1", ts, "v1,", body)
	f.Add("msg_1", ts, ",,,", body)
	f.Add("", ts, good, body)
	f.Add("msg\n1", ts, good, body)
	f.Add("msg_1", "", good, body)
	f.Add("msg_1", ts, "", body)
	f.Fuzz(func(t *testing.T, id, timestamp, signature, payload string) {
		h := http.Header{}
		h.Set("webhook-id", id)
		h.Set("webhook-timestamp", timestamp)
		h.Set("webhook-signature", signature)
		_, err := checkHeaders(h, now)
		if err == nil {
			err = checkSignature(secret, []byte(payload), h)
		}
		if err != nil {
			var ue *UnauthorizedError
			if !errors.As(err, &ue) || ue.Reason == "" {
				t.Fatalf("refused with %T %v", err, err)
			}
			return
		}
		secs, perr := strconv.ParseInt(h.Get("webhook-timestamp"), 10, 64)
		if perr != nil || now.Unix()-secs > 300 || secs-now.Unix() > 300 {
			t.Fatalf("timestamp %q let through", timestamp)
		}
		want, _ := wh.Sign(h.Get("webhook-id"), time.Unix(secs, 0), []byte(payload))
		// The library takes any space-separated "v1,<base64>[,…]" part.
		if !slices.ContainsFunc(strings.Split(h.Get("webhook-signature"), " "), func(part string) bool {
			f := strings.Split(part, ",")
			return len(f) >= 2 && f[0]+","+f[1] == want
		}) {
			t.Fatalf("signature %q let through for id %q, want %q", signature, id, want)
		}
	})
}
