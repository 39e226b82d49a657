package listbench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/lists"
	"mailvet/tenants"
	"mailvet/verify/mailsim"
)

// ServeOptions describe a run of the farm's addresses through a real
// `mailvet serve` process, as a customer's list.
type ServeOptions struct {
	Seed int64
	Farm mailsim.FarmOptions // Addresses: the list's size (default 100,000)
	// Command runs a mailvet subcommand given after it ("serve" or
	// "work") with the settings in its environment (the bench runs
	// itself: mailvet-bench serve-child).
	Command []string
	// WorkProcesses are `mailvet work` processes started beside serve
	// (0: serve's own workers alone), all probing as one identity.
	WorkProcesses int
	// DatabaseURL is what the serve process connects to (as
	// MAILVET_DB_ROLE, like the bench).
	DatabaseURL, DBRole string
	// Small, when positive, is the size of another tenant's list
	// uploaded once the big one is a tenth done (fairness).
	Small   int
	Timeout time.Duration // for the big list (default 30 min)
	// Progress, when set, is called about every second while the list runs.
	Progress func(processed, unique int, elapsed time.Duration)
}

// ServeResult is the farm through `mailvet check --json`, then through
// a serve process's API and list workers.
type ServeResult struct {
	Addresses, Domains, Hosts int
	Check                     CheckResult
	Upload, Duration          time.Duration // the POST; upload start to completed
	List                      lists.List
	Matched                   int
	PeakRSS                   uint64        // the serve process's VmHWM
	SmallDuration             time.Duration // the other tenant's list, upload to completed (0: none)
	PeakPerMX, MaxConnsPerMX  int           // most connections one MX saw at once; the cap
	Connections               int           // connections the farm's MXs accepted in all (reconnections show here)
}

// Rate is addresses verified per second, upload included.
func (r ServeResult) Rate() float64 { return float64(r.Addresses) / r.Duration.Seconds() }

// ServeEndToEnd runs the farm's addresses through `mailvet check --json`,
// then starts a serve process on the world, uploads the same addresses
// as a CSV over the API with a live key, waits for the list to complete
// and checks every verdict. The farm and the world live in this process,
// so the serve process's peak RSS is its own.
func ServeEndToEnd(ctx context.Context, e *Env, o ServeOptions) (ServeResult, error) {
	if o.Farm.Addresses <= 0 {
		o.Farm.Addresses = 100_000
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Minute
	}
	var res ServeResult
	if err := e.refuseWaitingJobs(ctx); err != nil { // serve's workers run whatever is queued
		return res, err
	}
	farm := mailsim.ReferenceFarm(o.Seed, o.Farm)
	world, err := mailsim.New(ctx, farm.Config())
	if err != nil {
		return res, err
	}
	defer world.Close()
	res.Addresses, res.Domains, res.Hosts = len(farm.Addresses), len(farm.Domains), len(farm.Hosts)
	if res.Check, err = checkFarm(ctx, farm, world); err != nil {
		return res, err
	}

	base, child, err := startChild(ctx, o, "serve", world, farm, len(farm.Addresses))
	if err != nil {
		return res, err
	}
	defer child.stop()
	for range o.WorkProcesses {
		_, worker, err := startChild(ctx, o, "work", world, farm, len(farm.Addresses))
		if err != nil {
			return res, err
		}
		defer worker.stop()
	}
	world.ResetStats()
	key, err := e.apiKey(ctx, e.TenantID, e.By)
	if err != nil {
		return res, err
	}
	emails := func(w io.Writer) {
		bw := bufio.NewWriter(w)
		bw.WriteString("email\n")
		for _, a := range farm.Addresses {
			bw.WriteString(a.Email)
			bw.WriteByte('\n')
		}
		bw.Flush()
	}
	start := time.Now()
	l, err := uploadCSV(ctx, base, key, "bench: reference farm", emails)
	res.Upload = time.Since(start)
	if err != nil {
		return res, err
	}
	small := make(chan error, 1)
	smallStarted := false
	deadline := time.Now().Add(o.Timeout)
	lastReport := start
	for l.Status != lists.StatusCompleted {
		if time.Now().After(deadline) {
			return res, fmt.Errorf("list not completed after %s: %d of %d rows verified", o.Timeout, l.ProcessedRows, l.UniqueRows)
		}
		if l.Finished() {
			return res, fmt.Errorf("list ended %s", l.Status)
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
		if l, err = getList(ctx, base, key, l.ID); err != nil {
			return res, err
		}
		if o.Small > 0 && !smallStarted && l.ProcessedRows*10 >= l.UniqueRows {
			smallStarted = true
			go func() { small <- e.smallList(ctx, base, farm, o.Small, &res) }()
		}
		if o.Progress != nil && time.Since(lastReport) >= time.Second {
			lastReport = time.Now()
			o.Progress(l.ProcessedRows, l.UniqueRows, time.Since(start))
		}
	}
	res.Duration = time.Since(start)
	if smallStarted {
		if err := <-small; err != nil {
			return res, fmt.Errorf("the small list: %w", err)
		}
	}
	res.PeakRSS = child.peakRSS()
	res.MaxConnsPerMX = farm.Hosts[0].MaxConns
	for _, h := range world.Hosts() {
		st := world.Stats(h)
		res.PeakPerMX = max(res.PeakPerMX, st.PeakActive)
		res.Connections += st.Connections
	}
	if res.List, err = e.Store.Get(ctx, e.TenantID, l.ID, e.By); err != nil {
		return res, err
	}
	var check E2EResult
	check.List = res.List
	if err := checkVerdicts(ctx, e, &check, farm); err != nil {
		return res, err
	}
	res.Matched = check.Matched
	return res, nil
}

// smallList uploads another tenant's list of n of the farm's addresses
// and times it to completed.
func (e *Env) smallList(ctx context.Context, base string, farm mailsim.Farm, n int, res *ServeResult) error {
	tenantID, by, err := e.otherTenant(ctx)
	if err != nil {
		return err
	}
	key, err := e.apiKey(ctx, tenantID, by)
	if err != nil {
		return err
	}
	start := time.Now()
	l, err := uploadCSV(ctx, base, key, "bench: small list", func(w io.Writer) {
		fmt.Fprintln(w, "email")
		for _, a := range farm.Addresses[len(farm.Addresses)-min(n, len(farm.Addresses)):] {
			fmt.Fprintln(w, a.Email)
		}
	})
	// The time is the list's own completed_at (serve runs on this
	// machine's clock), so the polls can be far apart: the key's rate
	// limit (60 a minute) would refuse them at 20 ms.
	for err == nil && l.Status != lists.StatusCompleted {
		time.Sleep(250 * time.Millisecond)
		l, err = getList(ctx, base, key, l.ID)
	}
	if err != nil {
		return err
	}
	if l.CompletedAt == nil {
		return fmt.Errorf("the small list %s is completed without a completed_at", l.ID)
	}
	res.SmallDuration = l.CompletedAt.Sub(start)
	return nil
}

// otherTenant makes a second bench tenant, on the bench's plan.
func (e *Env) otherTenant(ctx context.Context) (uuid.UUID, actor.Actor, error) {
	ts := e.Services.Tenants
	suffix := randomSuffix()
	u, err := ts.CreateUser(ctx, "bench-small-"+suffix+"@mailvet.test", "List bench, small", "correct horse battery staple", false, actor.Operator())
	if err != nil {
		return uuid.Nil, actor.Actor{}, err
	}
	tn, err := ts.CreateTenant(ctx, "List bench small "+suffix, u.ID, actor.Operator())
	if err != nil {
		return uuid.Nil, actor.Actor{}, err
	}
	return tn.ID, actor.User(u.ID, u.Email, actor.RoleOwner).In(tn.ID), nil
}

// apiKey makes a live key of the tenant.
func (e *Env) apiKey(ctx context.Context, tenantID uuid.UUID, by actor.Actor) (string, error) {
	_, raw, err := e.Services.Tenants.CreateAPIKey(ctx, tenantID, tenants.NewKeyInput{Name: "bench", Mode: tenants.ModeLive}, by)
	return raw, err
}

// uploadCSV posts a CSV that write streams as a multipart upload to
// POST /v1/lists.
func uploadCSV(ctx context.Context, base, key, name string, write func(io.Writer)) (lists.List, error) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		_ = mw.WriteField("name", name)
		part, err := mw.CreateFormFile("file", "farm.csv")
		if err != nil {
			pw.CloseWithError(err)
			return
		}
		write(part)
		pw.CloseWithError(mw.Close())
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/lists", pr)
	if err != nil {
		return lists.List{}, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return doList(req, key)
}

func getList(ctx context.Context, base, key string, id uuid.UUID) (lists.List, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/lists/"+id.String(), nil)
	if err != nil {
		return lists.List{}, err
	}
	return doList(req, key)
}

func doList(req *http.Request, key string) (lists.List, error) {
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return lists.List{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return lists.List{}, fmt.Errorf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, body)
	}
	var l lists.List
	return l, json.Unmarshal(body, &l)
}

// serveChild is the serve process.
type serveChild struct {
	cmd  *exec.Cmd
	done chan error
}

// startChild starts `mailvet serve` (on a free port, waiting until it
// answers /healthz) or `mailvet work`, pointed at the world.
func startChild(ctx context.Context, o ServeOptions, sub string, world *mailsim.World, farm mailsim.Farm, rows int) (string, *serveChild, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	cmd := exec.CommandContext(ctx, o.Command[0], append(o.Command[1:], sub)...)
	cmd.Env = append(os.Environ(), "PORT="+port, "DATABASE_URL="+o.DatabaseURL, "MAILVET_DB_ROLE="+o.DBRole,
		"MAILVET_DNS_SERVER="+world.DNSAddr(), "MAILVET_SMTP_PORT="+strconv.Itoa(world.SMTPPort()),
		"MAILVET_DNS_CANARIES="+farm.Domains[0].Name, "MAILVET_LOG_LEVEL=error",
		"MAILVET_LIST_MAX_ROWS="+strconv.Itoa(max(rows, 1_000_000)), "MAILVET_UPLOAD_MAX_BYTES="+strconv.Itoa(max(rows*64, 100<<20)))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	child := &serveChild{cmd: cmd, done: make(chan error, 1)}
	go func() { child.done <- cmd.Wait() }()
	if sub != "serve" {
		return "", child, nil
	}
	base := "http://127.0.0.1:" + port
	for deadline := time.Now().Add(time.Minute); ; {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			return base, child, nil
		}
		select {
		case err := <-child.done:
			return "", nil, fmt.Errorf("mailvet %s exited: %v", sub, err)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			child.stop()
			return "", nil, fmt.Errorf("mailvet serve did not answer /healthz within a minute")
		}
	}
}

// peakRSS is the serve process's VmHWM, in bytes.
func (c *serveChild) peakRSS() uint64 {
	raw, err := os.ReadFile("/proc/" + strconv.Itoa(c.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// stop ends the serve process as a deploy would (SIGTERM), waiting for it.
func (c *serveChild) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
}
