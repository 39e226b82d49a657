package mailsim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"
)

// Outcome is what a verifier should conclude about an address.
type Outcome int

const (
	OutcomeExists   Outcome = iota + 1 // mailbox exists (RCPT 250)
	OutcomeUnknown                     // 550 5.1.1 user unknown
	OutcomeCatchAll                    // domain accepts every address
)

func (o Outcome) String() string {
	switch o {
	case OutcomeExists:
		return "exists"
	case OutcomeUnknown:
		return "unknown"
	case OutcomeCatchAll:
		return "catch-all"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Address is one farm address and its expected outcome.
type Address struct {
	Email  string
	Expect Outcome
}

// FarmOptions tunes ReferenceFarm. Zero values mean the reference values;
// negative values turn a feature off.
type FarmOptions struct {
	Domains          int           // default 500
	Addresses        int           // default 20,000
	Latency          time.Duration // per-reply latency, default 50ms
	MaxConnsPerMX    int           // default 5
	CatchAllFraction float64       // fraction of domains, default 0.10
	UnknownFraction  float64       // fraction of non-catch-all addresses, default 0.05
	ZipfExponent     float64       // default 1.0
	NoPipelining     bool          // hosts do not advertise PIPELINING
	MaxRcpts         int           // per-transaction RCPT limit of the big providers (0: none)
}

// Farm is a generated world: pass Config() to New or Start.
type Farm struct {
	Hosts     []Host
	Domains   []Domain
	Addresses []Address // shuffled, unique
}

// Config returns a Config declaring the farm's hosts and domains.
func (f Farm) Config() Config { return Config{Hosts: f.Hosts, Domains: f.Domains} }

// Emails lists the farm's addresses in order.
func (f Farm) Emails() []string {
	out := make([]string, len(f.Addresses))
	for i, a := range f.Addresses {
		out[i] = a.Email
	}
	return out
}

func (o FarmOptions) withDefaults() FarmOptions {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		} else if *v < 0 {
			*v = 0
		}
	}
	if o.Domains <= 0 {
		o.Domains = 500
	}
	if o.Addresses <= 0 {
		o.Addresses = 20000
	}
	o.Domains = min(o.Domains, o.Addresses) // every domain gets an address
	if o.Latency == 0 {
		o.Latency = 50 * time.Millisecond
	}
	if o.MaxConnsPerMX == 0 {
		o.MaxConnsPerMX = 5
	}
	def(&o.CatchAllFraction, 0.10)
	def(&o.UnknownFraction, 0.05)
	def(&o.ZipfExponent, 1.0)
	return o
}

// ReferenceFarm builds the reference benchmark world, deterministically for
// a seed: addresses spread over domains by a Zipf law (rank r gets a share
// proportional to 1/r^s, at least one address each), so a few big
// providers hold most addresses and a long tail holds a few each.
//
// MX layout: the top 1% of domains (at least one) are big providers with
// two MX hosts each (preferences 5 and 10); about 30% of the remaining
// domains are hosted by shared hosting providers (one per 150 domains, two
// MX hosts each, shared by all their customers, so their connection cap is
// shared too); the rest have one MX host of their own. 500 domains need
// about 370 hosts. Catch-all domains are drawn outside the big providers.
func ReferenceFarm(seed int64, opts FarmOptions) Farm {
	o := opts.withDefaults()
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6d61696c73696d))
	nBig := max(1, o.Domains/100)
	nHosting := max(1, o.Domains/150)

	counts := zipfCounts(o.Domains, o.Addresses, o.ZipfExponent)
	catchAll := map[int]bool{}
	nCatch := int(math.Round(o.CatchAllFraction * float64(o.Domains)))
	for _, i := range rng.Perm(o.Domains - nBig)[:min(nCatch, o.Domains-nBig)] {
		catchAll[nBig+i] = true
	}

	firstNames, lastNames := strings.Fields(firstNameList), strings.Fields(lastNameList)
	var f Farm
	hostIndex := map[string]bool{}
	addHost := func(name string, big bool) {
		if hostIndex[name] {
			return
		}
		hostIndex[name] = true
		h := Host{Name: name, Latency: max(o.Latency, 0), MaxConns: max(o.MaxConnsPerMX, 0), NoPipelining: o.NoPipelining}
		if big {
			h.MaxRcpts = max(o.MaxRcpts, 0)
		}
		f.Hosts = append(f.Hosts, h)
	}
	pair := func(base string, big bool) []MX {
		addHost("mx1."+base, big)
		addHost("mx2."+base, big)
		return []MX{{Host: "mx1." + base, Pref: 5}, {Host: "mx2." + base, Pref: 10}}
	}

	// Local parts of all non-catch-all addresses, so that exactly the
	// requested fraction of them can be made unknown.
	type ref struct{ domain, local int }
	locals := make([][]string, o.Domains)
	var plain []ref
	for i := range o.Domains {
		d := Domain{Name: fmt.Sprintf("org%04d.test", i), CatchAll: catchAll[i]}
		switch {
		case i < nBig:
			d.Name = fmt.Sprintf("provider%02d.test", i+1)
			d.MX = pair(d.Name, true)
		case rng.Float64() < 0.3:
			d.MX = pair(fmt.Sprintf("hosting%d.test", 1+rng.IntN(nHosting)), false)
		default:
			addHost("mx."+d.Name, false)
			d.MX = []MX{{Host: "mx." + d.Name, Pref: 10}}
		}
		for j := range counts[i] {
			local := fmt.Sprintf("%s.%s%d", firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))], j)
			locals[i] = append(locals[i], local)
			if !d.CatchAll {
				plain = append(plain, ref{i, j})
			}
		}
		f.Domains = append(f.Domains, d)
	}

	unknown := map[ref]bool{}
	nUnknown := int(math.Round(o.UnknownFraction * float64(len(plain))))
	for _, k := range rng.Perm(len(plain))[:nUnknown] {
		unknown[plain[k]] = true
	}
	for i := range f.Domains {
		d := &f.Domains[i]
		for j, local := range locals[i] {
			a := Address{Email: local + "@" + d.Name, Expect: OutcomeExists}
			switch {
			case d.CatchAll:
				a.Expect = OutcomeCatchAll
			case unknown[ref{i, j}]:
				a.Expect = OutcomeUnknown
			}
			if a.Expect != OutcomeUnknown {
				d.Mailboxes = append(d.Mailboxes, local)
			}
			f.Addresses = append(f.Addresses, a)
		}
	}
	rng.Shuffle(len(f.Addresses), func(i, j int) {
		f.Addresses[i], f.Addresses[j] = f.Addresses[j], f.Addresses[i]
	})
	return f
}

// zipfCounts splits total into n counts proportional to 1/(rank+1)^s,
// each at least 1, using largest remainders so the sum is exact.
func zipfCounts(n, total int, s float64) []int {
	weights := make([]float64, n)
	sum := 0.0
	for i := range weights {
		weights[i] = 1 / math.Pow(float64(i+1), s)
		sum += weights[i]
	}
	counts := make([]int, n)
	rest := total - n // one address per domain first
	type rem struct {
		i    int
		frac float64
	}
	rems := make([]rem, n)
	given := 0
	for i, w := range weights {
		exact := w / sum * float64(rest)
		counts[i] = 1 + int(exact)
		given += int(exact)
		rems[i] = rem{i, exact - math.Floor(exact)}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].frac > rems[b].frac })
	for k := 0; k < rest-given; k++ {
		counts[rems[k].i]++
	}
	return counts
}

// Name parts for plausible local parts (constants, split at use: the
// package keeps no mutable globals); a per-domain index keeps them unique.
const (
	firstNameList = "ann bob carla dmitri emma farid grace hugo ines jon kemal lena mia noah olga pablo quinn rosa sven tara"
	lastNameList  = "smith garcia muller rossi dubois novak kim nguyen silva jensen kowalski ivanov tanaka okafor haddad lopez"
)
