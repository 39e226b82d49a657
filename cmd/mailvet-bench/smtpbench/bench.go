// Package smtpbench measures the engine on the simulated reference farm:
// addresses per second for the engine as shipped, for the same engine made
// naive (a fresh connection and one RCPT per address, no pipelining), and
// the bound the protocol's round trips set under the farm's caps.
package smtpbench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"mailvet/verify"
	"mailvet/verify/mailsim"
)

// Options describe a bench run.
type Options struct {
	Seed int64
	Farm mailsim.FarmOptions
	// NaiveSample verifies this many addresses (a uniform sample, keeping
	// the farm's spread) in the naive run; 0 means all of them.
	NaiveSample int
	// MaxRcptsPerTxn for the engine as shipped; 0 keeps its default.
	MaxRcptsPerTxn int
}

// Run is one engine configuration over a set of addresses.
type Run struct {
	Addresses    int
	Duration     time.Duration
	Rate         float64 // addresses per second
	Correct      int     // verdicts matching what the farm built
	Connections  int
	Transactions int
	RCPTs        int
}

// Report is the outcome of a bench.
type Report struct {
	Addresses, Domains, Hosts int
	Latency                   time.Duration
	MaxConnsPerMX             int
	Engine, Naive             Run
	Bound                     time.Duration // fastest possible time for all addresses
	BoundRate                 float64
}

// Start builds the reference farm in a simulated world.
func Start(ctx context.Context, o Options) (*mailsim.World, mailsim.Farm, error) {
	farm := mailsim.ReferenceFarm(o.Seed, o.Farm)
	w, err := mailsim.New(ctx, farm.Config())
	return w, farm, err
}

// Measure runs the engine as shipped over every address, then the naive
// engine over a sample, and computes the round-trip bound.
func Measure(ctx context.Context, o Options, log io.Writer) (Report, error) {
	w, farm, err := Start(ctx, o)
	if err != nil {
		return Report{}, err
	}
	defer w.Close()
	// Every farm host has the same latency and cap.
	rep := Report{Addresses: len(farm.Addresses), Domains: len(farm.Domains), Hosts: len(farm.Hosts),
		Latency: farm.Hosts[0].Latency, MaxConnsPerMX: farm.Hosts[0].MaxConns}

	fmt.Fprintf(log, "farm: %d addresses, %d domains, %d MX hosts, %s per reply, %d connections per MX\n",
		rep.Addresses, rep.Domains, rep.Hosts, rep.Latency, rep.MaxConnsPerMX)
	rep.Engine, err = RunEngine(ctx, w, farm.Addresses, o.EngineConfig(w, false))
	if err != nil {
		return rep, err
	}
	sample := farm.Addresses
	if o.NaiveSample > 0 && o.NaiveSample < len(sample) {
		rng := rand.New(rand.NewPCG(uint64(o.Seed), 7))
		idx := rng.Perm(len(sample))[:o.NaiveSample]
		sample = make([]mailsim.Address, len(idx))
		for i, j := range idx {
			sample[i] = farm.Addresses[j]
		}
	}
	w.ResetGreylist()
	rep.Naive, err = RunEngine(ctx, w, sample, o.EngineConfig(w, true))
	if err != nil {
		return rep, err
	}
	rep.Bound = Bound(farm, rep.Latency, rep.MaxConnsPerMX, 100)
	rep.BoundRate = float64(rep.Addresses) / rep.Bound.Seconds()
	return rep, nil
}

// EngineConfig is the engine configuration a bench run uses.
func (o Options) EngineConfig(w *mailsim.World, naive bool) verify.Config {
	c := verify.DefaultConfig()
	c.DNSServer, c.SMTPPort = w.DNSAddr(), w.SMTPPort()
	c.DNSCanaries = nil // the default names real providers, unknown to the world
	c.HeloName, c.MailFrom = "bench.mailvet.test", "verify@bench.mailvet.test"
	c.MaxConnsPerHost = 5
	c.MaxConns = 1000
	c.CommandTimeout = 30 * time.Second
	c.Naive = naive
	if o.MaxRcptsPerTxn > 0 {
		c.MaxRcptsPerTxn = o.MaxRcptsPerTxn
	}
	return c
}

// RunEngine verifies addresses with a fresh engine (empty caches) and
// checks every verdict against what the farm built.
func RunEngine(ctx context.Context, w *mailsim.World, addrs []mailsim.Address, cfg verify.Config) (Run, error) {
	v, err := verify.New(cfg)
	if err != nil {
		return Run{}, err
	}
	defer v.Close()
	emails := make([]string, len(addrs))
	for i, a := range addrs {
		emails[i] = a.Email
	}
	w.ResetStats()
	run := Run{Addresses: len(addrs)}
	start := time.Now()
	v.VerifyBatch(ctx, emails, verify.Share{}, func(i int, r verify.Result) {
		if matches(addrs[i].Expect, r) {
			run.Correct++
		}
	})
	run.Duration = time.Since(start)
	run.Rate = float64(len(addrs)) / run.Duration.Seconds()
	st := w.TotalStats()
	run.Connections, run.Transactions, run.RCPTs = st.Connections, st.Transactions, st.Commands[mailsim.VerbRCPT]
	return run, ctx.Err()
}

func matches(want mailsim.Outcome, r verify.Result) bool {
	switch want {
	case mailsim.OutcomeExists:
		return r.Status == verify.Deliverable || r.Reason == verify.ReasonRoleAccount
	case mailsim.OutcomeUnknown:
		return r.Status == verify.Undeliverable && r.Reason == verify.ReasonRejected
	case mailsim.OutcomeCatchAll:
		return r.Reason == verify.ReasonCatchAll
	}
	return false
}
