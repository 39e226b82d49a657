package smtpbench_test

import (
	"context"
	"io"
	"testing"

	"mailvet/cmd/mailvet-bench/smtpbench"
	"mailvet/verify/mailsim"
)

// BenchmarkReferenceFarm verifies the 20,000-address reference farm with
// the engine as shipped; one op is the whole farm.
func BenchmarkReferenceFarm(b *testing.B) {
	ctx := context.Background()
	w, farm, err := smtpbench.Start(ctx, smtpbench.Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	cfg := smtpbench.Options{}.EngineConfig(w, false)
	b.ResetTimer()
	for b.Loop() {
		run, err := smtpbench.RunEngine(ctx, w, farm.Addresses, cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(run.Rate, "addr/s")
		b.ReportMetric(float64(run.Correct)/float64(run.Addresses)*100, "%correct")
	}
}

// A small farm, end to end: every verdict is right, the engine beats the
// naive engine on connections, and the bound is positive.
func TestMeasureSmallFarm(t *testing.T) {
	rep, err := smtpbench.Measure(context.Background(), smtpbench.Options{
		Seed: 2, Farm: mailsim.FarmOptions{Domains: 20, Addresses: 400, Latency: -1},
	}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Engine.Correct != rep.Engine.Addresses || rep.Naive.Correct != rep.Naive.Addresses {
		t.Fatalf("wrong verdicts: engine %d/%d, naive %d/%d", rep.Engine.Correct, rep.Engine.Addresses, rep.Naive.Correct, rep.Naive.Addresses)
	}
	if rep.Engine.Connections >= rep.Naive.Connections || rep.Engine.Transactions >= rep.Naive.Transactions {
		t.Fatalf("engine used %d connections / %d transactions, naive %d / %d", rep.Engine.Connections, rep.Engine.Transactions, rep.Naive.Connections, rep.Naive.Transactions)
	}
}
