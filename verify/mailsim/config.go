package mailsim

import (
	"cmp"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// Config declares a whole world. Everything in it can also be added later
// with World.AddHost and World.AddDomain.
type Config struct {
	// Hosts are SMTP servers declared explicitly (to give them behaviours or
	// to share them between domains). Hosts named by a Domain's MX list but
	// not declared here are created with default behaviour.
	Hosts []Host
	// Domains are the mail domains the DNS server is authoritative for.
	Domains []Domain

	// DefaultTTL applies to records whose Domain/Host TTL is zero (default 5m).
	DefaultTTL time.Duration
	// NegativeTTL is the SOA minimum sent with NXDOMAIN/NODATA (default 1m).
	NegativeTTL time.Duration
	// Logf, when set, receives one line per connection event and DNS query.
	Logf func(format string, args ...any)
}

// DNSKind selects how a domain appears in DNS.
type DNSKind int

const (
	// DNSMX (the default) publishes the domain's MX records. With an empty
	// MX list, one implicit MX "mx.<domain>" with preference 10 is created.
	DNSMX DNSKind = iota
	// DNSNullMX publishes the RFC 7505 null MX ("MX 0 .") and nothing else
	// mail related: the domain explicitly accepts no mail.
	DNSNullMX
	// DNSAOnly publishes no MX but an A record for the domain itself, which
	// is an SMTP host (RFC 5321 §5.1 implicit MX).
	DNSAOnly
	// DNSNoData: the name exists (NOERROR) but has no MX/A/AAAA records
	// other than Domain.A/AAAA, if given.
	DNSNoData
	// DNSServFail answers SERVFAIL to every query for the domain.
	DNSServFail
)

// MX is one MX record of a domain.
type MX struct {
	Host string // MX host name, e.g. "mx1.acme.test"; created if not declared
	Pref uint16 // preference (lower is tried first)
}

// Domain declares a mail domain: its DNS shape and its recipients.
type Domain struct {
	Name string // e.g. "acme.test" (case-insensitive, trailing dot optional)

	DNS  DNSKind
	MX   []MX         // for DNSMX; empty means one implicit host "mx.<Name>"
	A    []netip.Addr // extra A records for the domain name (not dialled)
	AAAA []netip.Addr // extra AAAA records for the domain name (not dialled)
	// TTL of the domain's records; 0 means Config.DefaultTTL, negative
	// means TTL 0 (uncacheable).
	TTL time.Duration

	// Server gives behaviours to the implicit SMTP host ("mx.<Name>" for
	// DNSMX with no MX list, or the domain itself for DNSAOnly). Its Name is
	// ignored and its TTL defaults to the domain's. Must be zero when MX
	// lists hosts: declare those as Hosts.
	Server Host

	Mailboxes     []string // local parts that exist (case-insensitive)
	CatchAll      bool     // every RCPT for this domain is accepted
	FullMailboxes []string // local parts answered "552 5.2.2 Mailbox full"
	// UnknownReply replaces the default unknown-user reply
	// "550 5.1.1 <x@d>: Recipient address rejected: User unknown".
	// See GmailUnknownReply for a multi-line one.
	UnknownReply *Reply
}

// TLSMode selects STARTTLS support of a host.
type TLSMode int

const (
	TLSOff      TLSMode = iota // STARTTLS not advertised (502 if tried)
	TLSOptional                // STARTTLS advertised
	TLSRequired                // advertised, and MAIL/RCPT before it get 530
)

// BlockStage selects where a host rejects the client's IP by policy.
type BlockStage int

const (
	BlockNone   BlockStage = iota
	BlockAtMail            // MAIL FROM gets the 550 5.7.1 blocklist reply
	BlockAtRcpt            // MAIL succeeds, every RCPT gets the 550 5.7.1 blocklist reply
)

// Drop makes a host close the connection, without replying, when it
// receives the Nth occurrence (default 1st) of Verb on one connection.
// Replies already produced are delivered first, as data in flight would be.
type Drop struct {
	Verb string // "EHLO", "MAIL", "RCPT", "RSET", ...; empty disables
	Nth  int
}

// HostileMode is a malicious-server behaviour for testing client caps.
type HostileMode int

const (
	HostileNone     HostileMode = iota
	HostileSilent               // never reply; hold the connection open
	HostilePartial              // send "250 " and never finish the line
	HostileTrickle              // send "250 " then one byte every 50ms, forever
	HostileHugeLine             // one reply line of Size bytes (default 10 MiB)
	HostileEndless              // endless "250-..." continuation lines
)

// Hostile replaces the reply to a command (or the greeting) by a
// malicious one. Endless modes stop when the client or the world closes.
type Hostile struct {
	Mode HostileMode
	At   string // verb whose reply is replaced; "" means the 220 greeting
	Size int    // HostileHugeLine line length; 0 means 10 MiB
}

// Host declares one SMTP server (an MX host). Each gets its own loopback
// address 127.0.x.y, all listening on World.SMTPPort().
type Host struct {
	Name string // e.g. "mx1.acme.test"
	// TTL of the host's A/AAAA records (see Domain.TTL).
	TTL time.Duration
	// AAAA records published for the host. Nothing listens on them: the
	// simulated servers are IPv4 only.
	AAAA []netip.Addr
	// Down publishes the host's address but does not listen on it, so
	// connections are refused.
	Down bool

	Banner      *Reply        // greeting; default "220 <name> ESMTP mailsim"
	BannerDelay time.Duration // tarpit: wait before sending the greeting
	// Latency delays every reply by this much after it is produced,
	// modelling network round-trip time: replies produced back to back
	// (pipelined) arrive together, not Latency apart.
	Latency time.Duration

	NoPipelining bool     // do not advertise PIPELINING
	NoESMTP      bool     // answer EHLO with 502 (clients fall back to HELO)
	EHLOExtra    []string // extra EHLO capability lines
	TLS          TLSMode

	MaxConns int           // >0: extra concurrent connections get 421 and close
	MaxRcpts int           // >0: RCPTs beyond this in one transaction get 452 4.5.3
	Greylist time.Duration // >0: greylist (client IP, MAIL FROM, RCPT) triplets this long
	Block    BlockStage
	Drop     Drop
	Hostile  Hostile
}

// Reply is an SMTP reply. Each line is sent as "<Code>-<line>" except the
// last, sent as "<Code> <line>"; include enhanced status codes in the lines.
type Reply struct {
	Code  int
	Lines []string
}

// GmailUnknownReply returns a multi-line 550 in the style of Gmail.
func GmailUnknownReply() *Reply {
	return &Reply{Code: 550, Lines: []string{
		"5.1.1 The email account that you tried to reach does not exist. Please try",
		"5.1.1 double-checking the recipient's email address for typos or",
		"5.1.1 unnecessary spaces. For more information, go to",
		"5.1.1  https://support.google.com/mail/?p=NoSuchUser mailsim - gsmtp",
	}}
}

func (r *Reply) clone() *Reply {
	if r == nil {
		return nil
	}
	c := *r
	c.Lines = slices.Clone(r.Lines)
	return &c
}

func (r Reply) bytes() []byte {
	var b strings.Builder
	for i, l := range r.Lines {
		sep := "-"
		if i == len(r.Lines)-1 {
			sep = " "
		}
		fmt.Fprintf(&b, "%d%s%s\r\n", r.Code, sep, l)
	}
	if len(r.Lines) == 0 {
		fmt.Fprintf(&b, "%d \r\n", r.Code)
	}
	return []byte(b.String())
}

// canonName lower-cases a DNS name and strips the trailing dot.
func canonName(s string) (string, error) {
	n := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), ".")
	if n == "" {
		return "", fmt.Errorf("mailsim: empty name")
	}
	if _, ok := dns.IsDomainName(n); !ok || strings.ContainsAny(n, " @") {
		return "", fmt.Errorf("mailsim: invalid name %q", s)
	}
	return n, nil
}

func lowerSet(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[strings.ToLower(x)] = true
	}
	return m
}

// domainRT is a normalized Domain as used at run time.
type domainRT struct {
	cfg     Domain
	name    string
	servers map[string]bool // host names that accept mail for this domain
	boxes   map[string]bool
	full    map[string]bool
}

// normalizeDomain validates d and returns its run-time form together with
// the implicit host it needs, if any.
func normalizeDomain(d Domain) (*domainRT, *Host, error) {
	name, err := canonName(d.Name)
	if err != nil {
		return nil, nil, err
	}
	rt := &domainRT{cfg: d, name: name, servers: map[string]bool{},
		boxes: lowerSet(d.Mailboxes), full: lowerSet(d.FullMailboxes)}
	// Copy the MX slice so that neither we nor the caller see later edits.
	rt.cfg.MX = slices.Clone(d.MX)
	rt.cfg.A, rt.cfg.AAAA = slices.Clone(d.A), slices.Clone(d.AAAA)
	rt.cfg.UnknownReply = d.UnknownReply.clone()
	serverSet := !reflect.ValueOf(d.Server).IsZero()
	var implicit *Host
	switch d.DNS {
	case DNSMX:
		if len(d.MX) == 0 {
			h := d.Server
			h.Name = "mx." + name
			h.TTL = cmp.Or(h.TTL, d.TTL)
			implicit = &h
			rt.cfg.MX = []MX{{Host: h.Name, Pref: 10}}
		} else if serverSet {
			return nil, nil, fmt.Errorf("mailsim: domain %s: Server set with explicit MX; declare the hosts instead", name)
		}
		for i, mx := range rt.cfg.MX {
			hn, err := canonName(mx.Host)
			if err != nil {
				return nil, nil, fmt.Errorf("mailsim: domain %s: MX: %w", name, err)
			}
			rt.cfg.MX[i].Host = hn
			rt.servers[hn] = true
		}
	case DNSAOnly:
		h := d.Server
		h.Name = name
		h.TTL = cmp.Or(h.TTL, d.TTL)
		implicit = &h
		rt.servers[name] = true
	case DNSNullMX, DNSNoData, DNSServFail:
		if serverSet || len(d.MX) > 0 {
			return nil, nil, fmt.Errorf("mailsim: domain %s: MX/Server given for a domain without mail servers", name)
		}
	default:
		return nil, nil, fmt.Errorf("mailsim: domain %s: unknown DNSKind %d", name, d.DNS)
	}
	return rt, implicit, nil
}
