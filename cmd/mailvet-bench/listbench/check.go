package listbench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"mailvet/cli"
	"mailvet/verify"
	"mailvet/verify/mailsim"
)

// CheckResult is one `mailvet check --json` over the farm's addresses.
type CheckResult struct {
	Duration time.Duration // addresses in to the last result out
	Matched  int           // results that are the farm's expectation, in order
}

// Rate is addresses verified per second.
func (r CheckResult) Rate(addresses int) float64 { return float64(addresses) / r.Duration.Seconds() }

// checkFarm runs the CLI's own `check --json` (cli.Run, as the binary
// does) over the farm's addresses against the world, with the production
// engine settings but for where DNS and SMTP are, and checks every result.
func checkFarm(ctx context.Context, farm mailsim.Farm, world *mailsim.World) (CheckResult, error) {
	var in strings.Builder
	for _, a := range farm.Addresses {
		in.WriteString(a.Email)
		in.WriteByte('\n')
	}
	settings := map[string]string{
		"MAILVET_DNS_SERVER":   world.DNSAddr(),
		"MAILVET_SMTP_PORT":    strconv.Itoa(world.SMTPPort()),
		"MAILVET_DNS_CANARIES": farm.Domains[0].Name, // the default names real providers, unknown to the world
	}
	env := func(k string) (string, bool) { v, ok := settings[k]; return v, ok }
	out, w := io.Pipe()
	var res CheckResult
	checked := make(chan error, 1)
	go func() { checked <- res.check(out, farm) }()
	start := time.Now()
	var stderr strings.Builder
	code := cli.Run(ctx, []string{"check", "--json"}, strings.NewReader(in.String()), w, &stderr, env)
	res.Duration = time.Since(start)
	w.Close()
	if err := <-checked; err != nil {
		return res, err
	}
	if code != 0 {
		return res, fmt.Errorf("mailvet check exited %d: %s", code, stderr.String())
	}
	return res, nil
}

// check reads check's JSON lines and counts those matching the farm.
func (r *CheckResult) check(out io.Reader, farm mailsim.Farm) error {
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		var v verify.Result
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return fmt.Errorf("check's line %d: %w", n+1, err)
		}
		if n < len(farm.Addresses) && v.Email == farm.Addresses[n].Email &&
			verdictMatches(farm.Addresses[n].Expect, v.Status, v.Reason, v.Flags.CatchAll) {
			r.Matched++
		}
		n++
	}
	_, _ = io.Copy(io.Discard, out) // never leave check blocked on a full pipe
	return sc.Err()
}
