package mailsim

import (
	"net"
	"testing"
	"time"
)

func TestCounters(t *testing.T) {
	w := Start(t, Config{Domains: []Domain{{Name: "acme.test", Mailboxes: []string{"ann"}}}})
	c := greeted(t, w, "mx.acme.test")
	c.send("EHLO client.test", "MAIL FROM:<a@client.test>", "RCPT TO:<ann@acme.test>", "RCPT TO:<bob@acme.test>",
		"RSET", "MAIL FROM:<a@client.test>", "RCPT TO:<ann@acme.test>", "BOGUS", "QUIT")
	for _, code := range []int{250, 250, 250, 550, 250, 250, 250, 502, 221} {
		c.expect(code)
	}
	c.expectEOF()

	st := w.Stats("mx.acme.test")
	want := map[string]int{VerbEHLO: 1, VerbMAIL: 2, VerbRCPT: 3, VerbRSET: 1, VerbQUIT: 1, VerbUnknown: 1}
	for verb, n := range want {
		if st.Commands[verb] != n {
			t.Errorf("%s = %d, want %d (all: %v)", verb, st.Commands[verb], n, st.Commands)
		}
	}
	if st.Transactions != 2 || st.Connections != 1 || st.PeakActive != 1 || st.Host != "mx.acme.test" || st.Addr != w.HostAddr("mx.acme.test") {
		t.Errorf("stats = %+v", st)
	}
	if tot := w.TotalStats(); tot.Commands[VerbRCPT] != 3 || tot.Transactions != 2 {
		t.Errorf("total = %+v", tot)
	}
	// Snapshots are copies.
	st.Commands[VerbRCPT] = 99
	if w.Stats("mx.acme.test").Commands[VerbRCPT] != 3 {
		t.Error("snapshot aliases live counters")
	}
	w.ResetStats()
	if st := w.Stats("mx.acme.test"); st.Transactions != 0 || len(st.Commands) != 0 || st.Connections != 0 {
		t.Errorf("after reset: %+v", st)
	}
	if st := w.Stats("nope.test"); st.Host != "" {
		t.Errorf("unknown host stats: %+v", st)
	}
}

func TestSharedHostAndAddLater(t *testing.T) {
	w := Start(t, Config{
		Hosts: []Host{{Name: "mx1.hosting.test", MaxConns: 3}},
		Domains: []Domain{
			{Name: "one.test", Mailboxes: []string{"a"}, MX: []MX{{Host: "mx1.hosting.test", Pref: 10}}},
		},
	})
	if err := w.AddDomain(Domain{Name: "two.test", Mailboxes: []string{"b"}, MX: []MX{{Host: "mx1.hosting.test", Pref: 10}}}); err != nil {
		t.Fatal(err)
	}
	if r := rcptReply(t, w, "mx1.hosting.test", "a@one.test"); r.code != 250 {
		t.Errorf("one.test: %d", r.code)
	}
	if r := rcptReply(t, w, "mx1.hosting.test", "b@two.test"); r.code != 250 {
		t.Errorf("two.test: %d", r.code)
	}
	if got := w.Hosts(); len(got) != 1 {
		t.Errorf("hosts = %v", got)
	}
	for _, bad := range []Domain{
		{Name: "one.test"}, // duplicate
		{Name: "x.test", MX: []MX{{Host: "mx.x.test"}}, Server: Host{MaxConns: 1}},
		{Name: "y.test", DNS: DNSNullMX, Server: Host{Latency: time.Second}},
		{Name: "bad name.test"},
	} {
		if err := w.AddDomain(bad); err == nil {
			t.Errorf("AddDomain(%+v) succeeded", bad)
		}
	}
	if err := w.AddHost(Host{Name: "mx1.hosting.test"}); err == nil {
		t.Error("duplicate AddHost succeeded")
	}
}

func TestDownHost(t *testing.T) {
	w := Start(t, Config{
		Hosts:   []Host{{Name: "mx1.fallback.test", Down: true}},
		Domains: []Domain{{Name: "fallback.test", Mailboxes: []string{"a"}, MX: []MX{{Host: "mx1.fallback.test", Pref: 10}, {Host: "mx2.fallback.test", Pref: 20}}}},
	})
	if w.HostAddr("mx1.fallback.test") == "" {
		t.Fatal("down host has no address")
	}
	if c, err := net.DialTimeout("tcp", w.HostAddrPort("mx1.fallback.test"), time.Second); err == nil {
		_ = c.Close()
		t.Fatal("down host accepted a connection")
	}
	if r := rcptReply(t, w, "mx2.fallback.test", "a@fallback.test"); r.code != 250 {
		t.Errorf("secondary MX: %d", r.code)
	}
}

func TestAOnlyDomainServesMail(t *testing.T) {
	w := Start(t, Config{Domains: []Domain{{Name: "plain.test", DNS: DNSAOnly, Mailboxes: []string{"a"}}}})
	if r := rcptReply(t, w, "plain.test", "a@plain.test"); r.code != 250 {
		t.Errorf("A-only domain: %d %q", r.code, r.text())
	}
}
