package lists_test

import (
	"context"
	"testing"
	"time"

	"mailvet/actor"
	"mailvet/lists"
	"mailvet/tenants"
	"mailvet/verify/mailsim"
)

// A workspace whose operator set 1 connection per MX runs its lists over
// one connection to that MX, however many of its batches run at once,
// and every row still gets its verdict.
func TestOperatorCapOnConnectionsPerMX(t *testing.T) {
	world := mailsim.Start(t, mailsim.Config{Domains: []mailsim.Domain{
		{Name: "capped.test", CatchAll: true, Server: mailsim.Host{Latency: 5 * time.Millisecond}},
	}})
	e := setup(t, world, lists.Options{})
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	ops, err := e.tenants.CreateUser(ctx, "ops@mailvet.test", "Ops", "correct horse battery", false, actor.Operator())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.tenants.SetOperatorSettings(ctx, a.ID, tenants.OperatorSettings{MaxConnsPerMX: 1}, actor.PlatformAdmin(ops.ID, ops.Email)); err != nil {
		t.Fatal(err)
	}
	var made []lists.List
	for _, name := range []string{"first", "second"} {
		l, _, err := e.store.Create(ctx, lists.NewList{TenantID: a.ID, By: a.Owner, Name: name, Emails: emails("capped.test", 1500)})
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, l)
	}
	world.ResetStats()
	e.start(4)
	for _, l := range made {
		if got := e.wait(t, a.ID, l.ID, a.Owner, done); got.ProcessedRows != 1500 {
			t.Fatalf("%s: %d rows processed, want 1500", got.Name, got.ProcessedRows)
		}
	}
	if st := world.Stats("mx.capped.test"); st.PeakActive != 1 {
		t.Fatalf("the MX saw %d connections at once, want the operator's 1", st.PeakActive)
	}
}
