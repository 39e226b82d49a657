package app

import (
	"net/http"

	"mailvet/static"
	"mailvet/tenants"
)

func (s *Server) routes(mux *http.ServeMux) {
	mux.Handle("GET /static/", http.StripPrefix("/static/", s.staticFiles(http.FileServerFS(static.FS))))
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /health", s.handleHealth)

	// Pages for anyone.
	mux.HandleFunc("GET /{$}", s.handleHome)
	mux.HandleFunc("GET /docs/webhooks", s.handleDocsWebhooks)
	mux.HandleFunc("GET /signup", s.handleSignUpForm)
	mux.Handle("POST /signup", s.limitByIP(http.HandlerFunc(s.handleSignUp)))
	mux.HandleFunc("GET /login", s.handleLoginForm)
	mux.Handle("POST /login", s.limitByIP(http.HandlerFunc(s.handleLogin)))
	mux.HandleFunc("POST /logout", s.handleLogout)
	mux.HandleFunc("GET /verify-email", s.handleVerifyEmail)
	mux.HandleFunc("GET /forgot-password", s.handleForgotPasswordForm)
	mux.Handle("POST /forgot-password", s.limitByIP(http.HandlerFunc(s.handleForgotPassword)))
	mux.HandleFunc("GET /reset-password", s.handleResetPasswordForm)
	mux.Handle("POST /reset-password", s.limitByIP(http.HandlerFunc(s.handleResetPassword)))
	mux.HandleFunc("GET /invites/{token}", s.handleInvite)
	mux.Handle("POST /invites/{token}", s.limitByIP(http.HandlerFunc(s.handleInviteAccept)))

	// Pages for signed-in people.
	user := s.requireUser
	mux.Handle("POST /verify-email/resend", user(s.handleResendVerification))
	mux.Handle("GET /dashboard", user(s.handleDashboard))
	mux.Handle("GET /usage", user(s.handleUsage))
	mux.Handle("GET /team", user(s.handleTeam))
	mux.Handle("POST /team/invites", user(s.handleInviteCreate))
	mux.Handle("POST /team/invites/{id}/revoke", user(s.handleInviteRevoke))
	mux.Handle("POST /team/members/{id}/role", user(s.handleMemberRole))
	mux.Handle("POST /team/members/{id}/remove", user(s.handleMemberRemove))
	mux.Handle("GET /keys", user(s.handleKeys))
	mux.Handle("POST /keys", user(s.handleKeyCreate))
	mux.Handle("POST /keys/{id}/revoke", user(s.handleKeyRevoke))
	mux.Handle("POST /keys/{id}/limits", user(s.handleKeyLimits))
	mux.Handle("POST /keys/{id}/roll", user(s.handleKeyRoll))
	mux.Handle("POST /keys/{id}/reveal", user(s.handleKeyReveal))
	mux.Handle("POST /keys/policy", user(s.handleKeyPolicy))
	mux.Handle("GET /rules", user(s.handleRules))
	mux.Handle("POST /rules", user(s.handleRuleCreate))
	mux.Handle("POST /rules/test", user(s.handleRuleTest))
	mux.Handle("POST /rules/{id}/delete", user(s.handleRuleDelete))
	mux.Handle("GET /webhooks", user(s.handleWebhooksPage))
	mux.Handle("POST /webhooks", user(s.handleWebhookCreate))
	mux.Handle("GET /webhooks/{id}", user(s.handleWebhookPage))
	mux.Handle("POST /webhooks/{id}", user(s.handleWebhookUpdate))
	mux.Handle("POST /webhooks/{id}/enable", user(s.handleWebhookEnable))
	mux.Handle("POST /webhooks/{id}/disable", user(s.handleWebhookDisable))
	mux.Handle("POST /webhooks/{id}/rotate", user(s.handleWebhookRotate))
	mux.Handle("POST /webhooks/{id}/test", user(s.handleWebhookTest))
	mux.Handle("POST /webhooks/{id}/recover", user(s.handleWebhookRecover))
	mux.Handle("POST /webhooks/{id}/deliveries/{delivery}/retry", user(s.handleWebhookRetry))
	mux.Handle("POST /webhooks/{id}/delete", user(s.handleWebhookDelete))
	mux.Handle("GET /settings", user(s.handleSettings))
	mux.Handle("POST /settings", user(s.handleSettingsSave))
	mux.Handle("POST /settings/cache", user(s.handleCacheSettings))
	mux.Handle("POST /settings/cache/clear", user(s.handleCacheClear))
	mux.Handle("POST /verify", user(s.handleVerifyPage))
	mux.Handle("GET /lists", user(s.handleListsPage))
	mux.Handle("POST /lists", user(s.handleListUpload))
	mux.Handle("GET /lists/{id}", user(s.handleListPage))
	mux.Handle("GET /lists/{id}/progress", user(s.handleListProgress))
	mux.Handle("POST /lists/{id}/cancel", user(s.handleListCancel))
	mux.Handle("POST /lists/{id}/delete", user(s.handleListDelete))
	mux.Handle("GET /lists/{id}/export.csv", user(s.handleListDownload))
	mux.Handle("GET /account", user(s.handleAccount))
	// It checks a password, so it shares sign-in's per-IP budget.
	mux.Handle("POST /account/password", s.limitByIP(user(s.handlePasswordChange)))
	mux.Handle("POST /account/name", user(s.handleNameChange))
	mux.Handle("POST /account/email", s.limitByIP(user(s.handleEmailChange)))
	mux.HandleFunc("GET /account/email/confirm", s.handleEmailConfirm)
	mux.Handle("POST /account/sessions/{id}/revoke", user(s.handleSessionRevoke))
	mux.Handle("POST /account/sessions/revoke-all", user(s.handleSessionRevokeAll))
	mux.Handle("POST /tenants/switch", user(s.handleTenantSwitch))
	mux.Handle("GET /billing", user(s.handleBilling))
	mux.Handle("POST /billing/checkout", user(s.handleBillingCheckout))
	mux.Handle("POST /billing/portal", user(s.handleBillingPortal))

	// Stripe (signed, not a browser: no session, no CSRF check).
	mux.HandleFunc("POST /stripe/webhook", s.handleStripeWebhook)

	// JSON API: each route names the key scope it needs ("": any key).
	mux.Handle("GET /v1/me", s.requireAPIKey("", s.handleAPIMe))
	mux.Handle("POST /v1/verify", s.requireAPIKey(tenants.ScopeVerify, s.handleAPIVerify))
	mux.Handle("DELETE /v1/cache", s.requireAPIKey(tenants.ScopeVerify, s.handleAPICacheClear))
	mux.Handle("GET /v1/usage", s.requireAPIKey("", s.handleAPIUsage))
	mux.Handle("POST /v1/lists", s.requireAPIKey(tenants.ScopeLists, s.handleAPIListCreate))
	mux.Handle("GET /v1/lists", s.requireAPIKey(tenants.ScopeLists, s.handleAPIListIndex))
	mux.Handle("GET /v1/lists/{id}", s.requireAPIKey(tenants.ScopeLists, s.handleAPIListGet))
	mux.Handle("DELETE /v1/lists/{id}", s.requireAPIKey(tenants.ScopeLists, s.handleAPIListDelete))
	mux.Handle("POST /v1/lists/{id}/cancel", s.requireAPIKey(tenants.ScopeLists, s.handleAPIListCancel))
	mux.Handle("GET /v1/lists/{id}/results", s.requireAPIKey(tenants.ScopeLists, s.handleAPIListResults))
	mux.Handle("GET /v1/lists/{id}/export", s.requireAPIKey(tenants.ScopeLists, s.handleAPIListExport))
	mux.Handle("GET /v1/lists/{id}/duplicates", s.requireAPIKey(tenants.ScopeLists, s.handleAPIListDuplicates))
	mux.Handle("GET /v1/lists/{id}/skipped", s.requireAPIKey(tenants.ScopeLists, s.handleAPIListSkipped))
	mux.Handle("GET /v1/rules", s.requireAPIKey(tenants.ScopeRules, s.handleAPIRules))
	mux.Handle("POST /v1/rules", s.requireAPIKey(tenants.ScopeRules, s.handleAPIRuleCreate))
	mux.Handle("POST /v1/rules/test", s.requireAPIKey(tenants.ScopeRules, s.handleAPIRuleTest))
	mux.Handle("DELETE /v1/rules/{id}", s.requireAPIKey(tenants.ScopeRules, s.handleAPIRuleDelete))
	mux.Handle("GET /v1/webhook_endpoints", s.requireAPIKey(tenants.ScopeWebhooks, s.handleAPIWebhookEndpoints))
	mux.Handle("POST /v1/webhook_endpoints", s.requireAPIKey(tenants.ScopeWebhooks, s.handleAPIWebhookEndpointCreate))
	mux.Handle("GET /v1/webhook_endpoints/{id}", s.requireAPIKey(tenants.ScopeWebhooks, s.handleAPIWebhookEndpointGet))
	mux.Handle("PATCH /v1/webhook_endpoints/{id}", s.requireAPIKey(tenants.ScopeWebhooks, s.handleAPIWebhookEndpointUpdate))
	mux.Handle("DELETE /v1/webhook_endpoints/{id}", s.requireAPIKey(tenants.ScopeWebhooks, s.handleAPIWebhookEndpointDelete))
	mux.Handle("POST /v1/webhook_endpoints/{id}/rotate", s.requireAPIKey(tenants.ScopeWebhooks, s.handleAPIWebhookEndpointRotate))
	mux.Handle("POST /v1/webhook_endpoints/{id}/test", s.requireAPIKey(tenants.ScopeWebhooks, s.handleAPIWebhookEndpointTest))
	mux.Handle("POST /v1/webhook_endpoints/{id}/recover", s.requireAPIKey(tenants.ScopeWebhooks, s.handleAPIWebhookEndpointRecover))
	mux.Handle("GET /v1/webhook_endpoints/{id}/attempts", s.requireAPIKey(tenants.ScopeWebhooks, s.handleAPIWebhookAttempts))
	mux.Handle("GET /v1/webhook_endpoints/{id}/deliveries", s.requireAPIKey(tenants.ScopeWebhooks, s.handleAPIWebhookDeliveries))
	mux.Handle("POST /v1/webhook_deliveries/{id}/retry", s.requireAPIKey(tenants.ScopeWebhooks, s.handleAPIWebhookDeliveryRetry))
	// Signed by the endpoint's inbound secret, not an API key.
	mux.HandleFunc("POST /v1/inbound/{endpoint_id}", s.handleInboundPush)
	mux.Handle("GET /v1/events", s.requireAPIKey(tenants.ScopeWebhooks, s.handleAPIEvents))
	mux.Handle("POST /v1/events/{id}/redeliver", s.requireAPIKey(tenants.ScopeWebhooks, s.handleAPIEventRedeliver))
	mux.Handle("GET /v1/api_keys", s.requireAPIKey(tenants.ScopeKeys, s.handleAPIKeys))
	mux.Handle("POST /v1/api_keys", s.requireAPIKey(tenants.ScopeKeys, s.handleAPIKeyCreate))
	mux.Handle("POST /v1/api_keys/{id}/roll", s.requireAPIKey(tenants.ScopeKeys, s.handleAPIKeyRoll))
	mux.Handle("DELETE /v1/api_keys/{id}", s.requireAPIKey(tenants.ScopeKeys, s.handleAPIKeyRevoke))
	mux.HandleFunc("GET /v1/openapi.yaml", s.handleAPIOpenAPI)

	// The platform admin console: 404 to anyone else.
	admin := s.requirePlatformAdmin
	mux.Handle("GET /admin", admin(s.handleAdminTenants))
	mux.Handle("GET /admin/tenants/{id}", admin(s.handleAdminTenant))
	mux.Handle("POST /admin/tenants/{id}/suspend", admin(s.handleAdminTenantSuspend))
	mux.Handle("POST /admin/tenants/{id}/resume", admin(s.handleAdminTenantResume))
	mux.Handle("GET /admin/users", admin(s.handleAdminUsers))
	mux.Handle("GET /admin/users/{id}", admin(s.handleAdminUser))
	mux.Handle("POST /admin/users/{id}/lock", admin(s.handleAdminUserLock))
	mux.Handle("POST /admin/users/{id}/unlock", admin(s.handleAdminUserUnlock))
	mux.Handle("POST /admin/users/{id}/reset", admin(s.handleAdminUserReset))
	mux.Handle("POST /admin/users/{id}/platform-admin", admin(s.handleAdminUserPlatformAdmin))
	mux.Handle("GET /admin/dead-letters", admin(s.handleAdminDeadLetters))
	mux.Handle("POST /admin/dead-letters/{tenant}/{id}/retry", admin(s.handleAdminDeadLetterRetry))
	mux.Handle("/admin/river/", admin(s.handleRiverUI))
	// Everything else under /admin is the ordinary 404 to anyone, so that
	// what the console holds is not revealed by a 405 or a redirect.
	mux.Handle("/admin/", admin(s.handlePageNotFound))
	mux.HandleFunc("/v1/", s.apiFallback(mux))
	mux.HandleFunc("/", s.handlePageNotFound)
}

// staticFiles lets browsers cache assets for an hour.
func (s *Server) staticFiles(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}
