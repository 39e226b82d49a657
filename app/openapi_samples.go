package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"

	"go.yaml.in/yaml/v3"
)

// The document /v1/openapi.yaml serves is openapi.yaml as written plus,
// on every operation that has none of its own, x-codeSamples in curl,
// Python (requests), JavaScript (fetch) and Go (net/http), which /docs
// shows beside each operation. They are made from the operation itself
// (method, path, key or signature, the request body's example) when the
// document is first asked for, rather than written into the file: they cannot drift
// from the operations, a new operation has them without anyone running a
// generator, and the hand-kept file is not buried under four copies of
// every request. TestOpenAPICodeSamples checks that each operation has
// the four.

// sampleLangs are the samples each operation gets: Redoc's lang (for
// highlighting) and the tab's label.
var sampleLangs = [][2]string{{"Shell", "curl"}, {"Python", "Python"}, {"JavaScript", "JavaScript"}, {"Go", "Go"}}

// sampleIDs stand in for the path's parameters (every one is a UUID).
var sampleIDs = map[string]string{
	"id":          "5b0e2c1a-8d2e-4a47-9d6c-0c8f7a1e2b3c",
	"run":         "1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b",
	"endpoint_id": "0d1f6a4e-3b2c-4e5f-8a9b-1c2d3e4f5a6b",
}

var pathParamRE = regexp.MustCompile(`\{([a-z_]+)\}`)

// sampleOp is what a sample needs of one operation: the fields prepare
// derives (yaml:"-"), then those read from the document.
type sampleOp struct {
	Method   string        `yaml:"-"`
	Path     string        `yaml:"-"` // with the parameters filled in
	Keyless  bool          `yaml:"-"` // security: [] (the document, inbound pushes)
	Signed   bool          `yaml:"-"` // a webhook-signature header: signed with an endpoint's inbound secret
	Upload   bool          `yaml:"-"` // a multipart/form-data body with a file part (openapi_samples_upload.go)
	Body     string        `yaml:"-"` // the JSON request body's example, compact; "" for none
	BodyData any           `yaml:"-"` // the same, decoded
	Result   string        `yaml:"-"` // "json", "text" or "" (no body)
	Security *[]any        `yaml:"security"`
	Params   []sampleParam `yaml:"parameters"`
	Request  struct {
		Content map[string]struct {
			Example any `yaml:"example"`
			Schema  struct {
				Properties map[string]struct {
					Format string `yaml:"format"`
				} `yaml:"properties"`
			} `yaml:"schema"`
		} `yaml:"content"`
	} `yaml:"requestBody"`
	Responses map[string]struct {
		Content map[string]any `yaml:"content"`
	} `yaml:"responses"`
	Samples []any `yaml:"x-codeSamples"`
}

// sampleParam is one of an operation's own parameters (the referenced
// ones, the path's ids, need nothing of the samples).
type sampleParam struct {
	Name string `yaml:"name"`
	In   string `yaml:"in"`
}

// servedOpenAPI returns doc with the code samples added (see above), the
// example problem bodies attached (openapi_problems.go) and the event
// types as webhooks (openapi_events.go).
func servedOpenAPI(doc []byte) ([]byte, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return nil, err
	}
	if err := attachProblemExamples(root.Content[0]); err != nil {
		return nil, err
	}
	if err := attachEventWebhooks(root.Content[0]); err != nil {
		return nil, err
	}
	paths := mappingValue(root.Content[0], "paths")
	if paths == nil {
		return nil, fmt.Errorf("openapi.yaml: no paths")
	}
	for i := 0; i+1 < len(paths.Content); i += 2 {
		path, item := paths.Content[i].Value, paths.Content[i+1]
		for j := 0; j+1 < len(item.Content); j += 2 {
			method := item.Content[j].Value
			if !slices.Contains([]string{"get", "put", "post", "patch", "delete"}, method) {
				continue
			}
			node := item.Content[j+1]
			var op sampleOp
			if err := node.Decode(&op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, err)
			}
			if op.Samples != nil {
				continue // written by hand
			}
			if err := op.prepare(method, path); err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, err)
			}
			samples, err := op.samples()
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, err)
			}
			node.Content = append(node.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "x-codeSamples"}, samples)
		}
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, err
	}
	return out.Bytes(), enc.Close()
}

// prepare fills the fields the templates use from the decoded operation.
func (op *sampleOp) prepare(method, path string) error {
	op.Method = map[string]string{"get": "GET", "put": "PUT", "post": "POST", "patch": "PATCH", "delete": "DELETE"}[method]
	op.Path = pathParamRE.ReplaceAllStringFunc(path, func(p string) string {
		if id, ok := sampleIDs[p[1:len(p)-1]]; ok {
			return id
		}
		return p
	})
	op.Keyless = op.Security != nil && len(*op.Security) == 0
	for _, p := range op.Params {
		op.Signed = op.Signed || (p.In == "header" && p.Name == "webhook-signature")
	}
	if form, ok := op.Request.Content["multipart/form-data"]; ok {
		op.Upload = form.Schema.Properties["file"].Format == "binary"
	}
	if media, ok := op.Request.Content["application/json"]; ok {
		if media.Example == nil {
			return fmt.Errorf("the JSON request body has no example")
		}
		b, err := json.Marshal(media.Example)
		if err != nil {
			return err
		}
		op.Body, op.BodyData = string(b), media.Example
	}
	for _, status := range []string{"200", "201", "202", "204"} {
		res, ok := op.Responses[status]
		if !ok {
			continue
		}
		if _, json := res.Content["application/json"]; json {
			op.Result = "json"
		} else if len(res.Content) > 0 {
			op.Result = "text"
		}
		break
	}
	return nil
}

// samples is the x-codeSamples sequence of the operation.
func (op *sampleOp) samples() (*yaml.Node, error) {
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, lang := range sampleLangs {
		var source string
		var err error
		switch {
		case op.Upload && lang[1] == "curl":
			source = op.curlUpload()
		case op.Upload && lang[1] == "Python":
			source = op.pythonUpload()
		case op.Upload && lang[1] == "JavaScript":
			source = op.javaScriptUpload()
		case op.Upload && lang[1] == "Go":
			source = op.goUpload()
		case lang[1] == "curl":
			source = op.curl()
		case lang[1] == "Python":
			source = op.python()
		case lang[1] == "JavaScript":
			source = op.javaScript()
		case lang[1] == "Go":
			source, err = op.goSource()
		}
		if err != nil {
			return nil, err
		}
		seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: "lang"}, {Kind: yaml.ScalarNode, Value: lang[0]},
			{Kind: yaml.ScalarNode, Value: "label"}, {Kind: yaml.ScalarNode, Value: lang[1]},
			{Kind: yaml.ScalarNode, Value: "source"}, {Kind: yaml.ScalarNode, Value: source, Style: yaml.LiteralStyle},
		}})
	}
	return seq, nil
}

// mappingValue is the value of key in a YAML mapping node, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
