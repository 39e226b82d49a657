package app

import (
	"fmt"
	"slices"
	"strconv"

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
	for i := 0; i+1 < len(examples.Content); i += 2 {
		var ex struct {
			Value struct {
				Status int `yaml:"status"`
			} `yaml:"value"`
		}
		if err := examples.Content[i+1].Decode(&ex); err != nil {
			return err
		}
		status[examples.Content[i].Value] = ex.Value.Status
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
