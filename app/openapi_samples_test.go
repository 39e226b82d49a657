package app_test

import (
	"encoding/json"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"slices"
	"strings"
	"testing"
)

// Every operation of the served document has code samples in curl,
// Python, JavaScript and Go, each calling its own method and path; the Go
// ones type-check against the standard library.
func TestOpenAPICodeSamples(t *testing.T) {
	doc := servedOpenAPI(t)
	fset := token.NewFileSet()
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			n++
			var samples []struct{ Lang, Label, Source string }
			raw, _ := json.Marshal(op.Extensions["x-codeSamples"])
			if err := json.Unmarshal(raw, &samples); err != nil {
				t.Errorf("%s %s: x-codeSamples: %v", method, path, err)
				continue
			}
			var labels []string
			for _, s := range samples {
				labels = append(labels, s.Label)
				if s.Lang == "" || !strings.Contains(s.Source, method) && !strings.Contains(s.Source, strings.ToLower(method)) {
					t.Errorf("%s %s: the %s sample does not say its method:\n%s", method, path, s.Label, s.Source)
				}
				if !strings.Contains(s.Source, strings.SplitN(path, "{", 2)[0]) {
					t.Errorf("%s %s: the %s sample does not call its path:\n%s", method, path, s.Label, s.Source)
				}
				if s.Label != "Go" {
					continue
				}
				f, err := parser.ParseFile(fset, "sample.go", s.Source, 0)
				if err == nil {
					_, err = conf.Check("main", fset, []*ast.File{f}, nil)
				}
				if err != nil {
					t.Errorf("%s %s: the Go sample does not compile: %v\n%s", method, path, err, s.Source)
				}
			}
			if want := []string{"curl", "Python", "JavaScript", "Go"}; !slices.Equal(labels, want) {
				t.Errorf("%s %s: code samples %q, want %q", method, path, labels, want)
			}
		}
	}
	if n < 40 {
		t.Errorf("only %d operations", n)
	}
}
