package webhooks_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mailvet/webhooks"
)

// The example receiver shipped for CRM engineers (examples/crm-receiver),
// built and run as its README says, takes real deliveries: it verifies
// them, prints each event once, and marks a redelivery a duplicate.
func TestExampleReceiverTakesRealDeliveries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	e := setup(t)
	a := e.workspace(t, "alpha")
	ctx := context.Background()
	bin := filepath.Join(t.TempDir(), "crm-receiver")
	if out, err := exec.Command("go", "build", "-o", bin, "../examples/crm-receiver").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ep := e.endpoint(t, a, "http://127.0.0.1:9/not-yet")
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-secret", ep.Secret)
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		listening := regexp.MustCompile(`addr=(127\.0\.0\.1:\d+)`)
		s := bufio.NewScanner(stderr)
		for s.Scan() {
			if m := listening.FindStringSubmatch(s.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	var mu sync.Mutex
	var lines []string
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			mu.Lock()
			lines = append(lines, s.Text())
			mu.Unlock()
		}
	}()
	var url string
	select {
	case a := <-addr:
		url = "http://" + a + "/webhooks/mailvet"
	case <-time.After(30 * time.Second):
		t.Fatal("the receiver never said where it listens")
	}
	if _, err := e.svc.Update(ctx, a.ID, ep.ID, webhooks.EndpointInput{URL: &url}, a.Owner); err != nil {
		t.Fatal(err)
	}
	first := e.record(t, a, webhooks.ListCompleted, webhooks.ListData{ListID: "l1", Name: "Newsletter"})
	e.record(t, a, webhooks.QuotaThreshold, webhooks.QuotaData{Percent: 80})
	printed := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), lines...)
	}
	waitFor(t, "two events printed", func() bool { return len(printed()) == 2 })
	if _, err := e.svc.Redeliver(ctx, a.ID, first.ID, a.Owner); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the redelivery printed", func() bool { return len(printed()) == 3 })
	var last struct {
		ID        string `json:"id"`
		Duplicate bool   `json:"duplicate"`
	}
	got := printed()
	if err := json.Unmarshal([]byte(got[2]), &last); err != nil || last.ID != first.ID || !last.Duplicate {
		t.Fatalf("the redelivery printed %s, want %s as a duplicate", got[2], first.ID)
	}
	if !strings.Contains(got[0]+got[1], `"duplicate":false`) {
		t.Fatalf("first deliveries %v", got[:2])
	}
}
