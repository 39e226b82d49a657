// Package webhooks tells CRMs what happened, signed the Standard Webhooks
// way, and takes their signed pushes in.
//
// An event (a list completing, the quota crossing 80 %) is recorded by
// Record in the transaction of the change it reports, with one delivery
// per subscribed endpoint and one River job per delivery, inserted in that
// same transaction: an event is never lost and never sent for a change
// that rolled back. A delivery's job sends the event's stored bytes (the
// same on every attempt, so receivers dedupe on webhook-id, the event id),
// retried on a schedule; after its last attempt it is a dead letter, kept
// in webhook_deliveries (River prunes its discarded jobs) until someone
// retries it.
//
// Every statement runs in the tenant's own transaction (db.Tenant); the
// one cross-tenant read, finding the endpoint of a push in by its id
// alone, goes through the named system path. The statements are bun's
// raw SQL with ? placeholders, one idiom for the package.
package webhooks
