// Package inbound takes the addresses a CRM pushes in
// (POST /v1/inbound/{endpoint_id}), signed the Standard Webhooks way with
// the endpoint's inbound secret, verifies them as an API call would
// (quota, rules, cache) and sends each verdict back as a
// verification.completed event carrying the push's reference.
//
// A push is answered once per webhook-id and endpoint: the first answer is
// stored in inbound_requests and a repeat within 24 hours gets it again,
// with no second verification and no second charge. The package has no
// HTTP handler; the app's is a thin adapter of Handle.
//
// Every statement runs in the endpoint's tenant's transaction
// (db.Tenant); finding the endpoint by the id in the URL, before the
// tenant is known, is webhooks.Service.InboundSecret's system-path read.
// The statements are bun's raw SQL with ? placeholders, as in webhooks.
package inbound
