// Package platform is what the platform admin console reads across
// tenants: tenants found by name, slug, member or Stripe customer, one
// tenant's whole picture, users and their memberships, and dead letters
// everywhere. Every read runs on the named system path and only for a
// platform admin (or the operator CLI); what changes a tenant or a user
// lives with its own domain (tenants.Store.Suspend, webhooks retries…),
// which audits it.
package platform
