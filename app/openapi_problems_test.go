package app_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// Every error code of the API has an example problem body, valid against
// Problem, and every problem response of the served document shows the
// example of each code and status it may answer with.
func TestOpenAPIProblemExamples(t *testing.T) {
	doc := servedOpenAPI(t)
	problem := doc.Components.Schemas["Problem"].Value
	for _, code := range problem.Properties["code"].Value.Enum {
		ex := doc.Components.Examples[fmt.Sprint("problem.", code)]
		if ex == nil || ex.Value == nil {
			t.Errorf("no example problem for %s under components.examples", code)
			continue
		}
		body, _ := ex.Value.Value.(map[string]any)
		if body["code"] != code {
			t.Errorf("problem.%s is the example of %v", code, body["code"])
		}
		if err := problem.VisitJSON(body); err != nil {
			t.Errorf("problem.%s is not a Problem: %v", code, err)
		}
	}
	check := func(where string, res *openapi3.Response) {
		media := res.Content.Get("application/problem+json")
		if media == nil {
			return
		}
		shown := map[string]bool{}
		for _, ex := range media.Examples {
			body, _ := ex.Value.Value.(map[string]any)
			shown[fmt.Sprint(body["code"])] = true
			if err := media.Schema.Value.VisitJSON(body); err != nil {
				t.Errorf("%s: an example does not match the response: %v", where, err)
			}
		}
		for _, part := range media.Schema.Value.AllOf {
			if code := part.Value.Properties["code"]; part.Ref == "" && code != nil { // not Problem itself
				for _, c := range code.Value.Enum {
					if !shown[fmt.Sprint(c)] {
						t.Errorf("%s may answer %v but shows no example of it", where, c)
					}
				}
			}
		}
	}
	for name, res := range doc.Components.Responses {
		check("components.responses."+name, res.Value)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for status, res := range op.Responses.Map() {
				if res.Ref == "" {
					check(method+" "+path+" "+status, res.Value)
				}
			}
		}
	}
	if !slices.Contains(problem.Properties["code"].Value.Enum, any("quota_exceeded")) {
		t.Error("Problem's codes lack quota_exceeded; has the schema changed?")
	}
}
