// Package stripemock runs stripe-mock (pinned in go.mod as a tool) as a real
// process for tests.
package stripemock

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// listening is stripe-mock's line naming the address it bound.
var listening = regexp.MustCompile(`Listening for HTTP at address: \S*:(\d+)`)

// Start runs stripe-mock on a free loopback port until the test ends and
// returns its base URL (for STRIPE_API_BASE). The first run builds it,
// which takes a while. If it cannot start the test is skipped, or fails
// with CI=true.
func Start(t testing.TB) string {
	t.Helper()
	fail := t.Skipf
	if os.Getenv("CI") == "true" {
		fail = t.Fatalf
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// Build (or find in the cache) the binary, then run it directly so
	// that killing it leaves no `go tool` parent or orphan behind.
	out, err := exec.CommandContext(ctx, "go", "tool", "-n", "stripe-mock").Output()
	if err != nil {
		fail("stripe-mock: go tool -n stripe-mock: %v", err)
		return ""
	}
	bin := strings.TrimSpace(string(out))

	// Port 0 lets the kernel pick a free port, read back from stripe-mock's
	// output: no window in which another test can take it. HTTPS is bound
	// to a random port too (stripe-mock would otherwise also open 12112).
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		fail("stripe-mock: start %s: %v", bin, err)
		return ""
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		pw.Close()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	ports := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case ports <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(io.Discard, pr) // keep draining so it never blocks on output
	}()
	var base string
	select {
	case port := <-ports:
		base = "http://127.0.0.1:" + port
	case <-exited:
		fail("stripe-mock exited before listening")
		return ""
	case <-time.After(60 * time.Second):
		fail("stripe-mock did not listen within 60s")
		return ""
	}
	// Wait until it answers.
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, base+"/v1/balance", nil)
		req.SetBasicAuth("sk_test_123", "")
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return base
			}
			err = fmt.Errorf("status %d", res.StatusCode)
		}
		if time.Now().After(deadline) {
			fail("stripe-mock at %s does not answer: %v", base, err)
			return ""
		}
		time.Sleep(50 * time.Millisecond)
	}
}
