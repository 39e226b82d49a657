package app

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// attachEventWebhooks documents each event type as a webhook, under
// x-webhooks (OpenAPI 3.0 has no webhooks section; Redoc shows this
// extension as one), with its example payload. openapi.yaml holds each
// type once, in the EventType enum, with its example under
// components.examples (TestOpenAPIDocumentsEveryEventType holds both to
// webhooks.Types()); the webhook entries follow from those, so a new type
// cannot be left out of /docs.
func attachEventWebhooks(root *yaml.Node) error {
	components := mappingValue(root, "components")
	if components == nil {
		return fmt.Errorf("no components")
	}
	schemas, examples := mappingValue(components, "schemas"), mappingValue(components, "examples")
	if schemas == nil || examples == nil || mappingValue(schemas, "EventType") == nil {
		return fmt.Errorf("no EventType schema or no examples")
	}
	var eventType struct{ Enum []string }
	if err := mappingValue(schemas, "EventType").Decode(&eventType); err != nil {
		return err
	}
	hooks := &yaml.Node{Kind: yaml.MappingNode}
	for _, name := range eventType.Enum {
		ex := mappingValue(examples, name)
		if ex == nil {
			return fmt.Errorf("event type %s has no example under components.examples", name)
		}
		var summary struct{ Summary string }
		if err := ex.Decode(&summary); err != nil {
			return err
		}
		var op yaml.Node
		if err := op.Encode(eventWebhook(name, summary.Summary)); err != nil {
			return err
		}
		hooks.Content = append(hooks.Content, scalar(name), &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{scalar("post"), &op}})
	}
	root.Content = append(root.Content, scalar("x-webhooks"), hooks)
	return nil
}

// eventWebhook is the operation of one event type's deliveries.
func eventWebhook(name, summary string) map[string]any {
	header := func(n, desc string) map[string]any {
		return map[string]any{"name": n, "in": "header", "required": true, "description": desc, "schema": map[string]any{"type": "string"}}
	}
	return map[string]any{
		"operationId": "event_" + strings.NewReplacer(".", "_").Replace(name),
		"tags":        []string{"Webhook events"},
		"summary":     name,
		"description": summary + "\n\nSent to every enabled endpoint subscribed to `" + name +
			"` (or to every type). Verify the signature before trusting the body; see the tag's description.",
		"security": []any{},
		"parameters": []any{
			header("webhook-id", "The event's id (`evt_…`), the same on every attempt and redelivery: dedupe on it."),
			header("webhook-timestamp", "When this attempt was signed, in Unix seconds."),
			header("webhook-signature", "`v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the endpoint's signing secret; several, space-separated, while a secret rotates."),
		},
		"requestBody": map[string]any{
			"required": true,
			"content": map[string]any{"application/json": map[string]any{
				"schema":   map[string]any{"$ref": "#/components/schemas/WebhookEvent"},
				"examples": map[string]any{name: map[string]any{"$ref": "#/components/examples/" + name}},
			}},
		},
		"responses": map[string]any{
			"200": map[string]any{"description": "Any 2xx within 15 seconds: delivered. Anything else (or no answer) is retried; 410 Gone disables the endpoint."},
		},
	}
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }
