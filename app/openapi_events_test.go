package app_test

import (
	"testing"

	"mailvet/webhooks"
)

// /docs documents every event type as a webhook (x-webhooks) with its
// example payload.
func TestOpenAPIWebhooksSection(t *testing.T) {
	doc := servedOpenAPI(t)
	hooks, _ := doc.Extensions["x-webhooks"].(map[string]any)
	for _, typ := range webhooks.Types() {
		post, _ := hooks[typ.Name].(map[string]any)["post"].(map[string]any)
		body, _ := post["requestBody"].(map[string]any)
		media, _ := body["content"].(map[string]any)["application/json"].(map[string]any)
		ex, _ := media["examples"].(map[string]any)[typ.Name].(map[string]any)
		if ex["$ref"] != "#/components/examples/"+typ.Name {
			t.Errorf("x-webhooks does not document %s with its example: %v", typ.Name, hooks[typ.Name])
		}
		if doc.Components.Examples[typ.Name] == nil {
			t.Errorf("components.examples has no %s", typ.Name)
		}
	}
	if len(hooks) != len(webhooks.Types()) {
		t.Errorf("x-webhooks has %d types, webhooks.Types() %d", len(hooks), len(webhooks.Types()))
	}
}
