package verify

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"mailvet/verify/address"
)

// batch is one VerifyBatch call: addresses grouped by domain, domains by
// the MX hosts they share, and each group probed over pooled connections
// with as many RCPTs per transaction as the server takes.
type batch struct {
	v     *Verifier
	share Share
	start time.Time

	emitMu sync.Mutex
	emit   func(int, Result)

	usedMu sync.Mutex
	used   map[string]int // chunks with work for each MX address (pool.use)
}

// pendingAddr is an address waiting for the network.
type pendingAddr struct {
	idx  int
	res  Result
	addr address.Address
	out  outcome
}

// outcome is what the network said about one RCPT.
type outcome struct {
	stage string // "rcpt", "mail" (MAIL FROM refused), "connect"
	reply reply
	err   error
	mx    string
	set   bool
}

// domainWork is one domain's addresses, plus its catch-all probe.
type domainWork struct {
	name  string
	mail  domainMail
	addrs []*pendingAddr
	probe *outcome // nil when the catch-all answer is remembered

	mu        sync.Mutex
	remaining int // chunks still running that hold this domain's RCPTs
}

// rcpt is one RCPT to send: an address or a catch-all probe.
type rcpt struct {
	to  string
	dom *domainWork
	out *outcome
}

func newBatch(v *Verifier, share Share, emit func(int, Result)) *batch {
	return &batch{v: v, share: share, start: time.Now(), emit: emit, used: map[string]int{}}
}

// uses tells the pool that a chunk of the batch has work for addr, once
// per chunk (mine: the chunk's hosts so far); release tells it, when the
// chunk ends, for each of its hosts that no other chunk of the batch still
// has. A host's last chunk in a batch often ends seconds before the batch
// does (whose slowest domain holds it), and another process may be
// waiting for the host's connections meanwhile (pool.handOverIdle).
func (b *batch) uses(addr string, mine map[string]bool) {
	if mine[addr] {
		return
	}
	mine[addr] = true
	b.usedMu.Lock()
	defer b.usedMu.Unlock()
	if b.used[addr]++; b.used[addr] == 1 {
		b.v.pool.use(addr)
	}
}

func (b *batch) release(mine map[string]bool) {
	b.usedMu.Lock()
	defer b.usedMu.Unlock()
	for addr := range mine {
		if b.used[addr]--; b.used[addr] == 0 {
			delete(b.used, addr)
			b.v.pool.done(addr)
		}
	}
}

func (b *batch) send(i int, r Result) {
	r = finish(r, b.start)
	b.emitMu.Lock()
	defer b.emitMu.Unlock()
	b.emit(i, r)
}

func (b *batch) run(ctx context.Context, emails []string) {
	byDomain := map[string]*domainWork{}
	var order []*domainWork
	// Each domain's DNS lookup starts as soon as the domain is first seen,
	// overlapping the syntax and list checks of the rest.
	sem := make(chan struct{}, 64)
	var lookups sync.WaitGroup
	for i, e := range emails {
		r, addr, done := b.v.precheck(e)
		if done {
			b.send(i, r)
			continue
		}
		d := byDomain[addr.Domain]
		if d == nil {
			d = &domainWork{name: addr.Domain}
			byDomain[addr.Domain] = d
			order = append(order, d)
			lookups.Add(1)
			go func() {
				defer lookups.Done()
				sem <- struct{}{}
				defer func() { <-sem }()
				d.mail = b.v.resolver.lookup(ctx, d.name)
			}()
		}
		d.addrs = append(d.addrs, &pendingAddr{idx: i, res: r, addr: addr})
	}
	lookups.Wait()

	groups := map[string][]*domainWork{}
	var keys []string
	for _, d := range order {
		if !b.dnsVerdict(ctx, d) {
			continue
		}
		k := hostsKey(d.mail.Hosts)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], d)
	}
	var wg sync.WaitGroup
	for _, k := range keys {
		for _, chunk := range b.chunks(groups[k]) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b.deliver(ctx, groups[k][0].mail.Hosts, chunk)
				b.chunkDone(chunk)
			}()
		}
	}
	wg.Wait()
}

// dnsVerdict emits results for domains DNS already decided; true means
// the domain goes on to SMTP.
func (b *batch) dnsVerdict(ctx context.Context, d *domainWork) bool {
	var status Status
	var reason Reason
	detail := ""
	switch d.mail.Status {
	case dnsOK:
		return true
	case dnsNXDomain:
		status, reason, detail = Undeliverable, ReasonInvalidDomain, "The domain does not exist (NXDOMAIN)."
	case dnsNullMX:
		status, reason, detail = Undeliverable, ReasonNullMX, "The domain declares that it accepts no mail (null MX, RFC 7505)."
	case dnsNoMail:
		status, reason, detail = Undeliverable, ReasonNoMX, "The domain has no MX record and no address to fall back to."
	default:
		status, reason, detail = Unknown, ReasonTimeout, "DNS gave no answer in time: "+d.mail.Detail
	}
	retry := 60
	if d.mail.Status == dnsNXDomain || d.mail.Status == dnsNoMail {
		if lie := b.v.canaries.isLying(ctx); lie != nil {
			status, reason = Unknown, ReasonDNSFailure
			detail = "No verdict: " + lie.Error() + ", so its answer for this domain (" + d.mail.Detail + ") cannot be trusted."
			retry = int(max(b.v.cfg.DNSCanaryInterval, time.Minute) / time.Second)
		}
	}
	for _, p := range d.addrs {
		r := p.res
		r.Status, r.Reason, r.Detail = status, reason, detail
		if status == Unknown {
			r.RetryAfterSeconds = retry
		}
		b.send(p.idx, r)
	}
	return false
}

func hostsKey(hosts []mailHost) string {
	var sb strings.Builder
	for _, h := range hosts {
		sb.WriteString(h.Name)
		sb.WriteByte(',')
	}
	return sb.String()
}

// chunks splits a group's RCPTs into transactions: the catch-all probe of
// each domain whose answer is not remembered, then its addresses. A naive
// engine sends one RCPT per transaction.
func (b *batch) chunks(ds []*domainWork) [][]rcpt {
	per := b.v.cfg.MaxRcptsPerTxn
	if b.v.cfg.Naive {
		per = 1
	}
	var all []rcpt
	for _, d := range ds {
		if _, known := b.v.catchAll.get(d.name); !known {
			d.probe = &outcome{}
			all = append(all, rcpt{to: probeAddress(d.name), dom: d, out: d.probe})
		}
		for _, p := range d.addrs {
			all = append(all, rcpt{to: p.addr.Local + "@" + p.addr.Domain, dom: d, out: &p.out})
		}
	}
	var out [][]rcpt
	for len(all) > 0 {
		n := min(per, len(all))
		out = append(out, all[:n:n])
		all = all[n:]
	}
	for _, c := range out {
		for _, dom := range chunkDomains(c) {
			dom.mu.Lock()
			dom.remaining++
			dom.mu.Unlock()
		}
	}
	return out
}

func chunkDomains(c []rcpt) []*domainWork {
	var ds []*domainWork
	for _, r := range c {
		if len(ds) == 0 || ds[len(ds)-1] != r.dom {
			ds = append(ds, r.dom)
		}
	}
	return ds
}

// chunkDone finalises each domain whose last chunk this was.
func (b *batch) chunkDone(c []rcpt) {
	for _, d := range chunkDomains(c) {
		d.mu.Lock()
		d.remaining--
		last := d.remaining == 0
		d.mu.Unlock()
		if last {
			b.finishDomain(d)
		}
	}
}

// mxAddr is where to connect for a host: its first address of each family
// on the SMTP port.
func (b *batch) mxAddrs(h mailHost) []string {
	ips := slices.Clone(h.IPs)
	slices.SortStableFunc(ips, func(a, c netip.Addr) int { // IPv4 first: more often reachable
		return boolInt(a.Is6()) - boolInt(c.Is6())
	})
	out := make([]string, 0, len(ips))
	for _, ip := range ips {
		out = append(out, net.JoinHostPort(ip.String(), strconv.Itoa(b.v.cfg.SMTPPort)))
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
