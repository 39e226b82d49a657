// Package prometheus holds the alerting rules for operators who run
// Prometheus; its test checks them.
package prometheus_test

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// knownMetrics are the names /metrics serves (the metrics' list agreed
// with the registry), with the suffixes Prometheus derives.
var knownMetrics = []string{
	"mailvet_http_requests_total", "mailvet_http_request_duration_seconds_bucket", "mailvet_http_requests_in_flight",
	"mailvet_verifications_total", "mailvet_river_oldest_available_seconds", "mailvet_river_queue_depth",
	"mailvet_webhook_dead_letters_total", "mailvet_scheduled_runs_total", "mailvet_request_log_dropped_total",
	"mailvet_health_check_up",
}

type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []struct {
			Alert       string            `yaml:"alert"`
			Expr        string            `yaml:"expr"`
			For         string            `yaml:"for"`
			Labels      map[string]string `yaml:"labels"`
			Annotations map[string]string `yaml:"annotations"`
		} `yaml:"rules"`
	} `yaml:"groups"`
}

// promtool checks the file where it is installed (CI installs it); the
// file's shape, its metrics and its match with the service's default
// rules are checked everywhere.
func TestAlertingRules(t *testing.T) {
	if path, err := exec.LookPath("promtool"); err == nil {
		out, err := exec.Command(path, "check", "rules", "alerts.yml").CombinedOutput()
		if err != nil {
			t.Fatalf("promtool check rules: %v\n%s", err, out)
		}
	} else if os.Getenv("CI") == "true" {
		t.Fatal("promtool is not installed; CI installs it (.ci/run)")
	} else {
		t.Log("promtool is not installed: checking the file's shape only")
	}

	raw, err := os.ReadFile("alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f ruleFile
	if err := yaml.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	defaults, err := os.ReadFile("../../db/migrations/20261203120200_alerts.tx.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	name := regexp.MustCompile(`\bmailvet_[a-z_]+`)
	durations := regexp.MustCompile(`^[0-9]+[smh]$`)
	n := 0
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			n++
			switch {
			case r.Alert == "" || strings.TrimSpace(r.Expr) == "":
				t.Errorf("rule %d of %s lacks its alert or expr", n, g.Name)
			case r.For != "" && !durations.MatchString(r.For):
				t.Errorf("%s: for %q is not a duration", r.Alert, r.For)
			case r.Labels["severity"] == "" || r.Annotations["summary"] == "":
				t.Errorf("%s: wants a severity label and a summary", r.Alert)
			case !strings.Contains(string(defaults), "'"+r.Annotations["summary"]+"'"):
				t.Errorf("%s: its summary %q is not the name of one of the service's default rules", r.Alert, r.Annotations["summary"])
			}
			for _, m := range name.FindAllString(r.Expr, -1) {
				if !slices.Contains(knownMetrics, m) {
					t.Errorf("%s: %s is not a metric mailvet serves", r.Alert, m)
				}
			}
		}
	}
	if n != 7 {
		t.Errorf("%d rules, want the service's 7 defaults", n)
	}
}
