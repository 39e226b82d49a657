package cli_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's task table names every task of Taskfile.yml (what
// `go tool task --list` shows), and the dev task says which base URL the
// emailed links use and how to change it.
func TestReadmeListsEveryTask(t *testing.T) {
	taskfile, err := os.ReadFile("../Taskfile.yml")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	tasks := regexp.MustCompile(`(?m)^  ([a-z][a-z0-9:_-]*):\s*$`).FindAllStringSubmatch(string(taskfile), -1)
	if len(tasks) < 5 {
		t.Fatalf("found %d tasks in Taskfile.yml", len(tasks))
	}
	for _, m := range tasks {
		if !strings.Contains(string(readme), "| `"+m[1]+"` |") {
			t.Errorf("README's task table has no row for %s", m[1])
		}
	}
	if !strings.Contains(string(taskfile), "links in emails") || !strings.Contains(string(taskfile), "set MAILVET_BASE_URL") {
		t.Error("the dev task does not say which base URL emailed links use")
	}
}
