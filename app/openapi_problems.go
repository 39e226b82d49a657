package app

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// attachProblemExamples gives every application/problem+json response of
// the document the example bodies of the codes it may carry, so /docs
// shows one beside each. openapi.yaml writes each code's example once,
// under components.examples as problem.<code> (problem.<code>.<status>
// for a code's second status), and each response's schema names its
// codes and statuses (allOf Problem, then enums); the examples follow from
// those. A response that already has examples keeps them.
// TestOpenAPIProblemExamples checks that every code has its example.
func attachProblemExamples(root *yaml.Node) error {
	components := mappingValue(root, "components")
	if components == nil || mappingValue(components, "examples") == nil {
		return fmt.Errorf("no components.examples")
	}
	examples := mappingValue(components, "examples")
	// status of every example, by name.
	status := map[string]int{}
	var problems []exampleProblem
	for i := 0; i+1 < len(examples.Content); i += 2 {
		name := examples.Content[i].Value
		if !strings.HasPrefix(name, "problem.") {
			continue
		}
		var ex struct {
			Value exampleProblem `yaml:"value"`
		}
		if err := examples.Content[i+1].Decode(&ex); err != nil {
			return err
		}
		status[name] = ex.Value.Status
		problems = append(problems, ex.Value)
	}
	if err := listErrorCodes(root, problems); err != nil {
		return err
	}
	var walk func(n *yaml.Node) error
	walk = func(n *yaml.Node) error {
		if n.Kind == yaml.MappingNode {
			if media := mappingValue(n, "application/problem+json"); media != nil && mappingValue(media, "examples") == nil {
				if err := attachTo(media, status); err != nil {
					return err
				}
			}
		}
		for _, c := range n.Content {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root)
}

// attachTo adds to one problem+json media type the examples of the codes
// and statuses its schema allows.
func attachTo(media *yaml.Node, status map[string]int) error {
	var schema struct {
		Schema struct {
			AllOf []struct {
				Properties struct {
					Status struct{ Enum []int }    `yaml:"status"`
					Code   struct{ Enum []string } `yaml:"code"`
				} `yaml:"properties"`
			} `yaml:"allOf"`
		} `yaml:"schema"`
	}
	if err := media.Decode(&schema); err != nil {
		return err
	}
	refs := &yaml.Node{Kind: yaml.MappingNode}
	for _, part := range schema.Schema.AllOf {
		for _, code := range part.Properties.Code.Enum {
			for _, name := range []string{"problem." + code, "problem." + code + ".400", "problem." + code + ".413", "problem." + code + ".422"} {
				st, ok := status[name]
				if !ok || !slices.Contains(part.Properties.Status.Enum, st) {
					continue
				}
				refs.Content = append(refs.Content,
					&yaml.Node{Kind: yaml.ScalarNode, Value: code + " (" + strconv.Itoa(st) + ")"},
					&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
						{Kind: yaml.ScalarNode, Value: "$ref"},
						{Kind: yaml.ScalarNode, Value: "#/components/examples/" + name, Style: yaml.DoubleQuotedStyle},
					}})
			}
		}
	}
	if len(refs.Content) > 0 {
		media.Content = append(media.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "examples"}, refs)
	}
	return nil
}

// listErrorCodes ends info.description with a list of every error code
// and its example, so /docs lists them all in one place, the ones no
// operation names (405 method_not_allowed) too.
func listErrorCodes(root *yaml.Node, problems []exampleProblem) error {
	info := mappingValue(root, "info")
	if info == nil || mappingValue(info, "description") == nil || len(problems) == 0 {
		return fmt.Errorf("no info.description or no problem examples")
	}
	var b strings.Builder
	b.WriteString("\n# Error codes\n\nA refusal is an `application/problem+json` body (RFC 9457) such as\n\n")
	example, err := json.MarshalIndent(problems[0], "", "  ")
	if err != nil {
		return err
	}
	b.WriteString("```json\n" + string(example) + "\n```\n\n")
	b.WriteString("`code` is stable: act on it. `title` and `detail` are for people and may change; " +
		"`request_id` is the `X-Request-Id` to quote to support. The codes, each with an example:\n\n")
	// A list, not a table: Redoc breaks a table's inline code anywhere,
	// and a list wraps well on a phone.
	line := strings.NewReplacer("\n", " ")
	for _, p := range problems {
		fmt.Fprintf(&b, "- `%s` (%d): **%s.** %s\n", p.Code, p.Status, line.Replace(p.Title), line.Replace(p.Detail))
	}
	desc := mappingValue(info, "description")
	desc.Value = strings.TrimRight(desc.Value, "\n") + "\n" + b.String()
	desc.Style = yaml.LiteralStyle
	return nil
}

// exampleProblem is an example problem body of the document, as written.
type exampleProblem struct {
	Type      string `yaml:"type" json:"type"`
	Title     string `yaml:"title" json:"title"`
	Status    int    `yaml:"status" json:"status"`
	Detail    string `yaml:"detail" json:"detail"`
	Code      string `yaml:"code" json:"code"`
	Instance  string `yaml:"instance" json:"instance"`
	RequestID string `yaml:"request_id" json:"request_id"`
}
