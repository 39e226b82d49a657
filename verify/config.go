package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"

	"golang.org/x/net/proxy"
)

// Config tunes the engine. Zero values take the defaults in DefaultConfig.
type Config struct {
	// DNSServer is host:port of the resolver to ask; empty means the
	// first nameserver of /etc/resolv.conf.
	DNSServer string
	// SMTPPort is the port MX hosts are probed on (25 in production; the
	// simulated world uses another).
	SMTPPort int
	HeloName string
	MailFrom string
	// Proxy is a socks5:// URL to reach port 25 through, for hosts where
	// it is blocked.
	Proxy    string
	StartTLS bool

	ConnectTimeout time.Duration // dial plus banner
	CommandTimeout time.Duration // one command's round trip
	DNSTimeout     time.Duration

	MaxConnsPerHost int
	MaxConns        int
	IdleTimeout     time.Duration
	// IdleLinger is how long a host's idle connections stay open once no
	// batch has work for it (IdleTimeout still bounds any idle one): a
	// receiver counts them against our IP's cap, and so do other
	// processes sharing that IP (Slots).
	IdleLinger time.Duration
	// Slots, when set, makes MaxConnsPerHost hold across every process
	// that shares this one's source address: a connection opens only with
	// one of the host's slots held through it (see ConnSlots). Nil: the cap
	// is this process's own.
	Slots          ConnSlots
	MaxRcptsPerTxn int // at most 100 (RFC 5321 §4.5.3.1.8)

	DNSCacheFloor   time.Duration
	DNSCacheCeiling time.Duration
	DNSNegativeTTL  time.Duration
	CatchAllTTL     time.Duration
	// MemoryEntries bounds each per-domain memory (DNS answers, catch-all
	// verdicts): past it the oldest-expiring go first, so memory stays
	// flat however many domains pass through.
	MemoryEntries int
	// DNSCanaries are domains that certainly exist and take mail. The
	// engine asks the resolver about them at start and every
	// DNSCanaryInterval; when it denies one (NXDOMAIN, no MX and no
	// address), its NXDOMAIN/no-mail answers for other domains are
	// Unknown/dns_failure, not verdicts, and DNSHealth fails. Unlike the
	// other fields, empty means no check (DefaultConfig names big mail
	// providers; tests name a domain of their simulated world).
	DNSCanaries       []string
	DNSCanaryInterval time.Duration
	// GreylistRetryAfter is the hint given when a server defers without
	// saying when to come back.
	GreylistRetryAfter time.Duration

	// Naive turns off pooling, pipelining and the per-domain catch-all
	// memory: a fresh connection and one RCPT per address, as most
	// open-source engines do. It exists so benchmarks can compare.
	Naive bool
}

// DefaultConfig is what production uses unless settings say otherwise.
func DefaultConfig() Config {
	return Config{
		SMTPPort:           25,
		HeloName:           "mailvet.localhost",
		MailFrom:           "verify@mailvet.localhost",
		StartTLS:           true,
		ConnectTimeout:     10 * time.Second,
		CommandTimeout:     15 * time.Second,
		DNSTimeout:         5 * time.Second,
		MaxConnsPerHost:    5,
		MaxConns:           1000,
		IdleTimeout:        30 * time.Second,
		MaxRcptsPerTxn:     100,
		DNSCacheFloor:      time.Minute,
		DNSCacheCeiling:    24 * time.Hour,
		DNSNegativeTTL:     10 * time.Minute,
		CatchAllTTL:        6 * time.Hour,
		MemoryEntries:      100_000,
		GreylistRetryAfter: 5 * time.Minute,
		DNSCanaries:        slices.Clone(DefaultDNSCanaries),
		DNSCanaryInterval:  time.Minute,
	}
}

// withDefaults fills zero fields from DefaultConfig and checks the rest.
func (c Config) withDefaults() (Config, error) {
	d := DefaultConfig()
	fill := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	if c.SMTPPort == 0 {
		c.SMTPPort = d.SMTPPort
	}
	if c.HeloName == "" {
		c.HeloName = d.HeloName
	}
	if c.MailFrom == "" {
		c.MailFrom = d.MailFrom
	}
	fill(&c.ConnectTimeout, d.ConnectTimeout)
	fill(&c.CommandTimeout, d.CommandTimeout)
	fill(&c.DNSTimeout, d.DNSTimeout)
	fill(&c.IdleTimeout, d.IdleTimeout)
	fill(&c.IdleLinger, defaultIdleLinger)
	fill(&c.DNSCacheFloor, d.DNSCacheFloor)
	fill(&c.DNSCacheCeiling, d.DNSCacheCeiling)
	fill(&c.DNSNegativeTTL, d.DNSNegativeTTL)
	fill(&c.CatchAllTTL, d.CatchAllTTL)
	fill(&c.GreylistRetryAfter, d.GreylistRetryAfter)
	fill(&c.DNSCanaryInterval, d.DNSCanaryInterval)
	if c.MaxConnsPerHost <= 0 {
		c.MaxConnsPerHost = d.MaxConnsPerHost
	}
	if c.MaxConns <= 0 {
		c.MaxConns = d.MaxConns
	}
	if c.MemoryEntries <= 0 {
		c.MemoryEntries = d.MemoryEntries
	}
	if c.MaxRcptsPerTxn <= 0 {
		c.MaxRcptsPerTxn = d.MaxRcptsPerTxn
	}
	var errs []error
	canaries, err := normalizeCanaries(c.DNSCanaries)
	if err != nil {
		errs = append(errs, err)
	}
	c.DNSCanaries = canaries
	if c.SMTPPort < 1 || c.SMTPPort > 65535 {
		errs = append(errs, fmt.Errorf("SMTP port %d out of range", c.SMTPPort))
	}
	if c.MaxRcptsPerTxn > 100 {
		errs = append(errs, errors.New("at most 100 recipients per transaction (RFC 5321)"))
	}
	if c.DNSCacheFloor > c.DNSCacheCeiling {
		errs = append(errs, errors.New("DNS cache floor above ceiling"))
	}
	if c.DNSServer != "" {
		if _, _, err := net.SplitHostPort(c.DNSServer); err != nil {
			errs = append(errs, fmt.Errorf("DNS server %q: want host:port", c.DNSServer))
		}
	}
	return c, errors.Join(errs...)
}

type dialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// dialer connects directly, or through the SOCKS5 proxy when configured.
func (c Config) dialer() (dialFunc, error) {
	direct := &net.Dialer{KeepAlive: 30 * time.Second}
	if c.Proxy == "" {
		return direct.DialContext, nil
	}
	u, err := url.Parse(c.Proxy)
	if err != nil || (u.Scheme != "socks5" && u.Scheme != "socks5h") {
		return nil, fmt.Errorf("SMTP proxy %q: want socks5://host:port", c.Proxy)
	}
	d, err := proxy.FromURL(u, direct)
	if err != nil {
		return nil, err
	}
	cd, ok := d.(proxy.ContextDialer)
	if !ok {
		return nil, errors.New("SMTP proxy dialer does not support contexts")
	}
	return cd.DialContext, nil
}
