package cli_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The production binary links no simulation, benchmark or test code: the
// simulated mail world (verify/mailsim), the benchmarks (cmd/mailvet-bench
// and its harnesses) and package testing live outside what `mailvet` runs.
func TestProductionBinaryLinksNoBenchOrSimulationCode(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "mailvet")
	build := exec.Command("go", "build", "-o", bin, "mailvet")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build mailvet: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	var found []string
	sawCLI := false // the listing is what is expected: the command package is in it
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		sym := fields[len(fields)-1]
		sawCLI = sawCLI || strings.HasPrefix(sym, "mailvet/cli.")
		if forbidden(sym) {
			found = append(found, sym)
		}
	}
	if !sawCLI {
		t.Fatalf("go tool nm shows no symbol of mailvet/cli:\n%.2000s", out)
	}
	if len(found) > 0 {
		t.Fatalf("the production binary links %d symbols of test or bench code, e.g.:\n%s", len(found), strings.Join(found[:min(len(found), 20)], "\n"))
	}
}

func forbidden(sym string) bool {
	lower := strings.ToLower(sym)
	ours := strings.Contains(sym, "mailvet") || strings.HasPrefix(sym, "main.")
	return strings.Contains(lower, "mailsim") || ours && strings.Contains(lower, "bench") ||
		strings.HasPrefix(sym, "testing.")
}
