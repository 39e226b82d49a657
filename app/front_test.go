package app_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

var (
	frontCurl = regexp.MustCompile(`(?s)<pre class="code" id="front-curl"><code>(.*?)</code></pre>`)
	frontPlan = regexp.MustCompile(`(?s)<li class="front-plan" id="plan-([a-z0-9_-]+)"><h3>(.*?)</h3><p class="front-price">(.*?)</p>`)
)

// frontPlans reads the plans the front page shows: id to "name|price".
func frontPlans(body string) map[string]string {
	out := map[string]string{}
	for _, m := range frontPlan.FindAllStringSubmatch(body, -1) {
		out[m[1]] = html.UnescapeString(m[2]) + "|" + html.UnescapeString(m[3])
	}
	return out
}

// An anonymous visitor sees what mailvet does, the four statuses, every
// plan of the plans table with its price, the API in curl and the ways in;
// a signed-in person goes on to the dashboard.
func TestFrontPage(t *testing.T) {
	h := newHarness(t)
	public := h.browser()
	res := public.get("/")
	expect(t, res, http.StatusOK, "Know which email addresses will bounce", `href="/signup"`, `href="/login"`)
	if m := inlineCode.FindString(res.body); m != "" {
		t.Errorf("inline code a strict CSP blocks: %q", m)
	}
	if m := inlineScript(res.body); m != "" {
		t.Errorf("inline script: %q", m)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}

	for status, example := range map[string]string{
		"deliverable": "deliverable@example.com", "undeliverable": "undeliverable@example.com",
		"risky": "catchall@example.com", "unknown": "greylisted@example.com",
	} {
		if !strings.Contains(res.body, `<span class="badge badge-`+status+`">`+status+`</span>`) || !strings.Contains(res.body, example) {
			t.Errorf("status %s with example %s not shown", status, example)
		}
	}

	// The curl example: three lines, one command, a test key, the service's URL.
	m := frontCurl.FindStringSubmatch(res.body)
	if m == nil {
		t.Fatalf("no curl example:\n%s", abbreviate(res.body))
	}
	lines := strings.Split(html.UnescapeString(m[1]), "\n")
	if len(lines) != 3 || !regexp.MustCompile(`^curl https?://\S+/v1/verify \\$`).MatchString(lines[0]) ||
		strings.TrimSpace(lines[1]) != `-H "Authorization: Bearer mv_test_…" \` ||
		strings.TrimSpace(lines[2]) != `-d '{"email":"catchall@example.com"}'` {
		t.Fatalf("curl example is %q", lines)
	}

	// Every plan of the table, with its price; a changed price shows.
	want := map[string]string{}
	plans, err := h.bill.Plans(t.Context())
	if err != nil || len(plans) < 2 {
		t.Fatalf("plans %v, %v", plans, err)
	}
	for _, pl := range plans {
		want[pl.ID] = pl.Name + "|"
	}
	got := frontPlans(res.body)
	if len(got) != len(plans) {
		t.Fatalf("front page shows plans %v, the table has %d", got, len(plans))
	}
	for id, namePrefix := range want {
		if !strings.HasPrefix(got[id], namePrefix) {
			t.Errorf("plan %s shown as %q, want name %q", id, got[id], namePrefix)
		}
	}
	if got["free"] != "Free|$0 / month" || got["basic"] != "Basic|$49 / month" || got["premium"] != "Premium|$199 / month" {
		t.Errorf("seeded plans shown as %v", got)
	}
	expect(t, res, http.StatusOK, "50,000 verifications a month", "$3 per 1,000 beyond that, up to 250,000", "lists of up to 1,000,000 rows")

	if _, err := h.sys.Exec(t.Context(), `UPDATE plans SET name = 'Basic Plus', price_cents = 123450 WHERE id = 'basic'`); err != nil {
		t.Fatal(err)
	}
	if _, err := h.sys.Exec(t.Context(), `UPDATE plans SET price_cents = 19950 WHERE id = 'premium'`); err != nil {
		t.Fatal(err)
	}
	got = frontPlans(public.get("/").body)
	if got["basic"] != "Basic Plus|$1,234.50 / month" || got["premium"] != "Premium|$199.50 / month" {
		t.Errorf("after the price change the plans show as %v", got)
	}

	owner := h.signUp("Acme", "ann@acme.test")
	expectRedirect(t, owner.get("/"), "/dashboard")

	// What the page promises is what a test key answers, and the curl
	// request as curl -d sends it (form-encoded content type) works.
	key := newKey(t, owner, "test")
	req, _ := http.NewRequest("POST", h.srv.URL+"/v1/verify", strings.NewReader(`{"email":"catchall@example.com"}`))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if v := decodeVerification(t, h.browser().do(req)); v.Status != "risky" || v.Reason != "catch_all" {
		t.Errorf("the curl example answers %+v", v)
	}
	for _, ex := range [][3]string{
		{"deliverable@example.com", "deliverable", "accepted_email"}, {"undeliverable@example.com", "undeliverable", "rejected_email"},
		{"catchall@example.com", "risky", "catch_all"}, {"greylisted@example.com", "unknown", "greylisted"},
	} {
		v := decodeVerification(t, h.browser().apiJSON("POST", "/v1/verify", key, `{"email":"`+ex[0]+`"}`))
		if v.Status != ex[1] || v.Reason != ex[2] {
			t.Errorf("%s answers %s/%s, the front page says %s/%s", ex[0], v.Status, v.Reason, ex[1], ex[2])
		}
		if !strings.Contains(res.body, "<code class=\"front-email\">"+ex[0]+"</code>") || !strings.Contains(res.body, "<code>"+ex[2]+"</code>") {
			t.Errorf("front page does not show %s → %s", ex[0], ex[2])
		}
	}
}

// The front page is no wider than a desktop or a phone screen.
func TestBrowserFrontPageFits(t *testing.T) {
	h := newHarness(t)
	ctx := newBrowser(t)
	steps := browserSteps{t: t, ctx: ctx}
	for _, size := range [][2]int64{{1280, 900}, {390, 844}} {
		steps.run(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(h.srv.URL+"/"), chromedp.WaitVisible(`#front-curl`))
		wide := steps.read(chromedp.Evaluate[string](`(() => {
			const vw = document.documentElement.clientWidth;
			const out = [];
			if (document.documentElement.scrollWidth > vw) out.push("document " + document.documentElement.scrollWidth + "px");
			for (const el of document.querySelectorAll("main .card, main section, .topbar")) {
				const r = el.getBoundingClientRect();
				if (r.right > vw + 0.5 || r.left < -0.5) out.push((el.id || el.className) + " " + Math.round(r.left) + ".." + Math.round(r.right) + "px");
			}
			return out.join(", ");
		})()`))
		if wide != "" {
			t.Errorf("at %dx%d wider than the viewport: %s", size[0], size[1], wide)
		}
		if n := steps.read(chromedp.Evaluate[string](`String(document.querySelectorAll(".front-plan").length)`)); n != "3" {
			t.Errorf("at %dpx %s plans shown", size[0], n)
		}
	}
}
