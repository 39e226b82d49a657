// Package mailsim is a simulated mail world on the loopback interface, for
// the tests and benchmarks of the verification engine (an SMTP client that
// probes mailboxes with EHLO, [STARTTLS], MAIL FROM, RCPT TO and RSET).
//
// A World runs:
//
//   - one DNS server on 127.0.0.1 (UDP and TCP, same random port, see
//     DNSAddr), authoritative for the declared names: MX records, null MX
//     (RFC 7505), A-only domains, NODATA, NXDOMAIN for undeclared names,
//     SERVFAIL for domains declared so, with configurable TTLs and a query
//     counter per name and type (DNSQueries) to assert caching;
//   - one SMTP server per MX host, each on its own loopback address
//     127.0.0.2, 127.0.0.3, … (Linux routes all of 127.0.0.0/8 to lo),
//     all on the same port (SMTPPort). Point the engine's SMTP port setting
//     at SMTPPort and its resolver at DNSAddr; it then dials whatever
//     address DNS gives it.
//
// # Declaring a world
//
// Recipient behaviour belongs to a Domain (Mailboxes, CatchAll,
// FullMailboxes, UnknownReply); connection behaviour belongs to a Host
// (Latency, BannerDelay, MaxConns, MaxRcpts, Greylist, Block, Drop, TLS,
// NoPipelining, NoESMTP, Hostile, Down). A domain without an MX list gets
// one implicit host "mx.<domain>" whose behaviour is Domain.Server; hosts
// shared by several domains are declared in Config.Hosts and named in each
// Domain.MX. A host only accepts RCPTs for domains it is an MX of.
//
//	w := mailsim.Start(t, mailsim.Config{
//		Hosts: []mailsim.Host{
//			{Name: "mx1.big.test", Latency: 50 * time.Millisecond, MaxConns: 5},
//			{Name: "mx2.big.test", Down: true},
//		},
//		Domains: []mailsim.Domain{
//			{Name: "big.test", Mailboxes: []string{"ann", "bob"},
//				MX: []mailsim.MX{{Host: "mx1.big.test", Pref: 10}, {Host: "mx2.big.test", Pref: 20}}},
//			{Name: "grey.test", CatchAll: true, Server: mailsim.Host{Greylist: time.Second}},
//			{Name: "nomail.test", DNS: mailsim.DNSNullMX},
//		},
//	})
//	resolver := w.Resolver() // or a miekg/dns client sending to w.DNSAddr()
//	st := w.Stats("mx1.big.test") // st.Commands[mailsim.VerbRCPT], st.PeakActive, ...
//
// Start is for tests (closes the world in tb.Cleanup); New(ctx, cfg) plus
// Close is for programs such as the benchmark command. Hosts and domains
// can also be added to a running world with AddHost and AddDomain.
//
// # Replies
//
//	220 <host> ESMTP mailsim                      greeting (Host.Banner overrides)
//	250 2.1.5 Ok                                  existing mailbox, catch-all
//	550 5.1.1 <x@d>: Recipient address rejected: User unknown
//	552 5.2.2 Mailbox full                        Domain.FullMailboxes
//	451 4.7.1 Greylisted, try again in N seconds  Host.Greylist
//	550 5.7.1 Service unavailable; client [IP] blocked using zen.spamhaus.org
//	452 4.5.3 Too many recipients                 Host.MaxRcpts
//	421 4.7.0 Too many connections                Host.MaxConns
//	554 5.7.1 <x@d>: Relay access denied          domain not served by this host
//	530 5.7.0 Must issue a STARTTLS command first  Host.TLS == TLSRequired
//
// RCPT checks run in this order: TLS requirement, transaction state,
// syntax, MaxRcpts, policy block, relay, greylisting, full, existence.
// DATA is answered 554: the simulator accepts no messages.
//
// # Latency
//
// Host.Latency models network round-trip time: each reply reaches the
// client Latency after the server produced it, and replies produced back to
// back (answers to a pipelined batch) arrive together. Ten pipelined RCPTs
// cost one Latency; ten lock-step RCPTs cost ten.
//
// # Connection accounting
//
// A connection counts against MaxConns from accept until the server reads
// QUIT (before sending 221) or the client closes. A client that drops
// connections without QUIT and immediately reconnects may briefly be over
// the cap, as with a real server.
//
// # Reference farm
//
// ReferenceFarm(seed, FarmOptions{}) builds the benchmark world: 20,000
// addresses over 500 domains with a Zipf spread, 10% catch-all domains, 5%
// unknown mailboxes, 50 ms latency and 5 connections per MX host, about 350
// hosts. Each Address carries its expected Outcome.
//
//	farm := mailsim.ReferenceFarm(1, mailsim.FarmOptions{})
//	w, err := mailsim.New(ctx, farm.Config())
package mailsim
