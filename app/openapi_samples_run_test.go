package app_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The code samples work: the three kinds of request they make (a JSON
// body with a key, a file upload, a push signed with an endpoint's inbound
// secret) run, in each of the four languages, against a real server, and
// get the answer the operation promises. A language whose runtime is
// missing is skipped, except in CI.
func TestOpenAPISamplesRun(t *testing.T) {
	h := newHarness(t)
	owner := h.signUp("Acme", "ann@acme.test")
	key := newKey(t, owner, "test")
	rcv := newHookReceiver(t, http.StatusOK)
	res := h.browser().apiJSON("POST", "/v1/webhook_endpoints", key, `{"url":"`+rcv.URL+`/crm","events":["list.completed"]}`)
	expect(t, res, http.StatusCreated)
	var ep struct {
		ID            string
		InboundSecret string `json:"inbound_secret"`
	}
	decodeInto(t, res, &ep)

	samples := map[string][]struct{ Label, Source string }{}
	for _, item := range servedOpenAPI(t).Paths.Map() {
		for _, op := range item.Operations() {
			raw, _ := json.Marshal(op.Extensions["x-codeSamples"])
			var s []struct{ Label, Source string }
			_ = json.Unmarshal(raw, &s)
			samples[op.OperationID] = s
		}
	}
	runners := map[string]func(dir string) []string{
		"curl":       func(dir string) []string { return []string{"bash", "-eo", "pipefail", filepath.Join(dir, "sample")} },
		"Python":     func(dir string) []string { return []string{"python3", filepath.Join(dir, "sample")} },
		"JavaScript": func(dir string) []string { return []string{"node", filepath.Join(dir, "sample.mjs")} },
		"Go":         func(dir string) []string { return []string{"go", "run", filepath.Join(dir, "sample.go")} },
	}
	available := map[string]bool{}
	for label, probe := range map[string][]string{"curl": {"curl", "--version"}, "Python": {"python3", "-c", "import requests"}, "JavaScript": {"node", "--version"}, "Go": {"go", "version"}} {
		available[label] = exec.Command(probe[0], probe[1:]...).Run() == nil
		// curl and Go are what the tests run on; Python's requests and
		// node come with the machine's image, not from a registry CI can
		// reach, so a machine without them skips those samples (logged).
		if !available[label] && os.Getenv("CI") == "true" && (label == "curl" || label == "Go") {
			t.Errorf("CI lacks what the %s samples need (%s)", label, strings.Join(probe, " "))
		}
	}
	for op, want := range map[string]string{"verifyEmail": "deliverable", "createList": "Newsletter", "pushInbound": "accepted"} {
		if len(samples[op]) != 4 {
			t.Fatalf("%s has %d samples", op, len(samples[op]))
		}
		for _, s := range samples[op] {
			if !available[s.Label] {
				t.Logf("no runtime for the %s samples: skipped", s.Label)
				continue
			}
			dir := t.TempDir()
			source := strings.ReplaceAll(s.Source, "0d1f6a4e-3b2c-4e5f-8a9b-1c2d3e4f5a6b", ep.ID)
			name := map[string]string{"JavaScript": "sample.mjs", "Go": "sample.go"}[s.Label]
			if name == "" {
				name = "sample"
			}
			for file, text := range map[string]string{name: source, "contacts.csv": "email\nann@shop.test\nrisky@shop.test\n"} {
				if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := runners[s.Label](dir)
			cmd := exec.CommandContext(t.Context(), args[0], args[1:]...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "MAILVET_URL="+h.srv.URL, "MAILVET_API_KEY="+key, "MAILVET_INBOUND_SECRET="+ep.InboundSecret)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), want) {
				t.Errorf("the %s sample of %s: %v, printed:\n%s\nsource:\n%s", s.Label, op, err, out, source)
			}
		}
	}
}
