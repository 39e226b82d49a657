package app

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-playground/validator/v10"

	"mailvet/actor"
	"mailvet/alerts"
	"mailvet/audit"
	"mailvet/billing"
	"mailvet/inbound"
	"mailvet/lists"
	"mailvet/lists/csvin"
	"mailvet/platform"
	"mailvet/requestlog"
	"mailvet/rules"
	"mailvet/schedules"
	"mailvet/tenants"
	"mailvet/usage"
	"mailvet/verifications"
	"mailvet/views"
	"mailvet/webhooks"
	"mailvet/webhooks/transport"
)

// Shorthands for the table's statuses.
const (
	s400 = http.StatusBadRequest
	s401 = http.StatusUnauthorized
	s403 = http.StatusForbidden
	s404 = http.StatusNotFound
	s409 = http.StatusConflict
	s413 = http.StatusRequestEntityTooLarge
	s422 = http.StatusUnprocessableEntity
	s429 = http.StatusTooManyRequests
	s503 = http.StatusServiceUnavailable
)

// newErrorTable is the one place domain errors become answers, first
// match wins. A database outage that no row names is 503 (see
// unavailable.go); anything else unknown is 500 internal_error.
func newErrorTable() []errorRule {
	forbidden := errorRow{status: s403, code: "forbidden", title: "Not allowed",
		detail: "Your role does not allow this. Ask an owner or an admin of the workspace."}
	return []errorRule{
		// The request itself.
		as(errorRow{status: s422, code: "invalid_request", title: "Invalid request"}, func(e *inputError, row errorRow) errorRow {
			row.detail, row.form, row.field = e.Error(), true, e.field()
			row.page = e.first().message
			if e.status != 0 {
				row.status = e.status
			}
			return row
		}),
		as(errorRow{status: s422, code: "invalid_request", title: "Invalid request"}, func(e validator.ValidationErrors, row errorRow) errorRow {
			row.detail = describeValidation(e)
			return row
		}),
		as(errorRow{status: s400, code: "invalid_request", title: "Invalid JSON"}, func(e *jsonError, row errorRow) errorRow {
			row.detail = "The body is not valid JSON for this endpoint: " + e.err.Error()
			return row
		}),
		as(errorRow{status: s413, code: "file_too_large", title: "Upload refused", form: true, field: "file"}, func(e *uploadTooLargeError, row errorRow) errorRow {
			row.detail = "The upload is larger than " + byteSize(e.limit) + "."
			return row
		}),
		as(errorRow{status: s413, code: "body_too_large", title: "Request body too large", form: true}, func(e *http.MaxBytesError, row errorRow) errorRow {
			row.detail = fmt.Sprintf("The body must be at most %d bytes.", e.Limit)
			row.heading, row.page = "Form too large", "The form sent more than "+byteSize(e.Limit)+"."
			return row
		}),
		as(errorRow{status: s400, code: "invalid_request", title: "Unreadable request", form: true, field: "file",
			detail: "The request body ended early or could not be read: send it again, whole."}, keep[*bodyError]),

		// Who acts.
		is(tenants.ErrMalformedKey, errorRow{status: s401, code: "invalid_api_key", title: "Invalid API key", detail: "This API key is not valid. Check that it was copied whole."}),
		is(tenants.ErrUnknownKey, errorRow{status: s401, code: "invalid_api_key", title: "Invalid API key", detail: "This API key is not valid. Check that it was copied whole."}),
		is(tenants.ErrKeyRevoked, errorRow{status: s401, code: "api_key_revoked", title: "API key revoked", detail: "This API key was revoked. Create a new one on the API keys page."}),
		is(tenants.ErrKeyExpired, errorRow{status: s401, code: "api_key_expired", title: "API key expired", detail: "This API key has expired. Create a new one on the API keys page."}),
		is(tenants.ErrTenantSuspended, errorRow{status: s403, code: "account_suspended", title: "Account suspended", detail: "This account is suspended. Contact support."}),
		isFill(tenants.ErrInsufficientScope, errorRow{status: s403, code: "insufficient_scope", title: "Insufficient scope"}, detailFrom(tenants.ErrInsufficientScope)),
		is(actor.ErrForbidden, forbidden),
		is(verifications.ErrLiveOnly, errorRow{status: s403, code: "forbidden", title: "Live keys only",
			detail: "The result cache holds live verifications only: a test key can neither read nor clear it. Use a live key."}),
		is(tenants.ErrEmailNotVerified, errorRow{status: s403, code: "email_not_verified", title: "Verify your email first", form: true,
			detail: "Verify your email address first: open the link we emailed you, or resend it from the banner at the top of the page."}),
		is(tenants.ErrUserLocked, errorRow{status: s403, code: "account_locked", title: "Account locked", form: true,
			detail: "This account is locked. Contact support to unlock it."}),
		is(tenants.ErrInvalidCredentials, errorRow{status: s422, code: "invalid_credentials", title: "Log-in failed", form: true, detail: "Email or password is incorrect."}),
		is(tenants.ErrCurrentPassword, errorRow{status: s422, code: "invalid_request", title: "Wrong password", form: true, field: "current_password", detail: "This is not your current password."}),
		as(errorRow{status: s422, code: "invalid_request", title: "Password refused", form: true, field: "password"}, func(e *tenants.PasswordError, row errorRow) errorRow {
			row.detail = e.Reason
			return row
		}),
		is(tenants.ErrInvalidLink, errorRow{status: s404, code: "invalid_link", title: "Link expired", detail: "This link is invalid or has expired."}),
		is(tenants.ErrInviteEmail, errorRow{status: s403, code: "wrong_account", title: "Wrong account", detail: "This invitation was sent to another email address."}),

		as(errorRow{status: s422, code: "invalid_request", title: "Invalid request", form: true}, func(e *tenants.InputError, row errorRow) errorRow {
			row.detail, row.page, row.field = e.Field+": "+e.Reason, e.Reason, e.Field
			return row
		}),
		as(errorRow{status: s422, code: "invalid_request", title: "Limits not saved", form: true}, func(e *tenants.KeyLimitError, row errorRow) errorRow {
			label := keyLimitLabels[e.Limit]
			row.field, row.detail = e.Limit, e.Error()+"."
			row.page = label + " must be a whole number of at least 1, or blank for the plan's limit."
			if e.Value >= 1 {
				row.page = label + " can be at most " + views.Thousands(e.Max) + ", your plan's limit; leave it blank to use the plan's."
			}
			return row
		}),

		// API keys: their scopes, expiry and rolls.
		isFill(tenants.ErrUnknownScope, errorRow{status: s422, code: "unknown_scope", title: "Unknown scope", form: true, field: "scopes"},
			func(err error, row errorRow) errorRow {
				row = detailFrom(tenants.ErrUnknownScope)(err, row)
				row.detail = strings.TrimSuffix(row.detail, ".") + ". Known scopes: " + strings.Join(tenants.AllScopes(), ", ") + "."
				return row
			}),
		isFill(tenants.ErrInvalidExpiry, errorRow{status: s422, code: "invalid_expiry", title: "Invalid expiry", form: true, field: "expires"}, detailFrom(tenants.ErrInvalidExpiry)),
		isFill(tenants.ErrInvalidGrace, errorRow{status: s422, code: "invalid_grace", title: "Invalid grace", form: true, field: "grace"}, detailFrom(tenants.ErrInvalidGrace)),
		isFill(tenants.ErrInvalidKeyPolicy, errorRow{status: s422, code: "invalid_request", title: "Key policy not saved", form: true}, detailFrom(tenants.ErrInvalidKeyPolicy)),
		is(tenants.ErrKeyRolled, errorRow{status: s409, code: "key_already_rolled", title: "Already rolled",
			detail: "This key was already rolled: roll its successor instead."}),
		is(tenants.ErrKeyInactive, errorRow{status: s409, code: "key_not_active", title: "Key not active",
			detail: "This key is revoked, expired or not revealed yet: only a working key can be rolled or revealed."}),
		is(tenants.ErrKeyRevealed, errorRow{status: s409, code: "key_already_revealed", title: "Already revealed",
			detail: "This key's secret was already revealed, once; it cannot be shown again. Roll the key if the secret was lost."}),

		// Not found: another tenant's record is not found either.
		is(lists.ErrNotFound, errorRow{status: s404, code: "not_found", title: "List not found", detail: "This workspace has no list with this id."}),
		is(rules.ErrNotFound, errorRow{status: s404, code: "not_found", title: "Not found", detail: "This workspace has no rule with this id."}),
		is(billing.ErrNotFound, errorRow{status: s404, code: "not_found", title: "Not found", detail: "There is nothing at this address."}),
		is(alerts.ErrNotFound, errorRow{status: s404, code: "not_found", title: "Not found", detail: "There is no alert rule with this id."}),
		is(verifications.ErrNotFound, errorRow{status: s404, code: "not_found", title: "Not found", detail: "There is nothing at this address."}),
		is(tenants.ErrNotFound, errorRow{status: s404, code: "not_found", title: "Not found", detail: "There is nothing at this address."}),
		is(webhooks.ErrNotFound, errorRow{status: s404, code: "not_found", title: "Not found",
			detail: "This workspace has no webhook endpoint, event or delivery with this id."}),
		is(platform.ErrNotFound, errorRow{status: s404, code: "not_found", title: "Not found", detail: "There is nothing at this address."}),
		is(audit.ErrNotFound, errorRow{status: s404, code: "not_found", title: "Not found", detail: "This workspace's audit log has no event with this id."}),
		is(errNotFound, errorRow{status: s404, code: "not_found", title: "Not found", detail: "There is nothing at this address."}),

		// The team.
		is(tenants.ErrEmailTaken, errorRow{status: s409, code: "email_taken", title: "Email taken", form: true, field: "email",
			detail: "An account with this email already exists. Log in, or reset your password."}),
		is(tenants.ErrAlreadyMember, errorRow{status: s409, code: "already_member", title: "Already a member", form: true, field: "email",
			detail: "This person is already a member of the team."}),
		is(tenants.ErrLastPlatformAdmin, errorRow{status: s409, code: "last_platform_admin", title: "The platform needs an admin",
			detail: "Make someone else a platform admin first: the platform always keeps at least one."}),
		is(platform.ErrBadSort, errorRow{status: s400, code: "invalid_request", title: "Invalid sort", detail: "sort: use created, usage or plan."}),
		is(tenants.ErrLastOwner, errorRow{status: s409, code: "last_owner", title: "A team needs an owner",
			detail: "Make someone else an owner first: a team always keeps at least one."}),

		// Lists.
		is(lists.ErrFinished, errorRow{status: s409, code: "list_finished", title: "List finished", detail: "The list has already finished; there is nothing to cancel."}),
		is(lists.ErrInvalidName, errorRow{status: s422, code: "invalid_request", title: "Invalid request", form: true, field: "name",
			detail: "name: use 1 to 200 characters and no control characters.", page: "Use 1 to 200 characters and no control characters."}),
		is(lists.ErrBadCursor, errorRow{status: s400, code: "invalid_request", title: "Invalid cursor", detail: "Use the next_cursor of a previous page."}),
		is(lists.ErrEmpty, errorRow{status: s422, code: "invalid_file", title: "Upload refused", form: true, field: "file", detail: "The file has no rows. Nothing was stored."}),
		is(lists.ErrIdempotencyMismatch, errorRow{status: s422, code: "idempotency_key_reused", title: "Upload refused", form: true, field: "file",
			detail: "This Idempotency-Key was already used with a different request."}),
		as(errorRow{status: s422, code: "too_many_rows", title: "Upload refused", form: true, field: "file"}, func(e *csvin.TooManyRowsError, row errorRow) errorRow {
			row.detail = "The file has more than " + views.Thousands(e.Limit) + " rows, the most one list may have on your plan; split it into smaller lists."
			return row
		}),
		as(errorRow{status: s422, code: "invalid_file", title: "Upload refused", form: true, field: "file"}, func(e *csvin.FileError, row errorRow) errorRow {
			row.detail = "The file could not be read: " + e.Error() + ". Nothing was stored."
			return row
		}),

		// Schedules and their runs.
		is(schedules.ErrNotFound, errorRow{status: s404, code: "not_found", title: "No schedule", detail: "This list has no schedule."}),
		is(schedules.ErrRunNotFound, errorRow{status: s404, code: "not_found", title: "Run not found", detail: "This list has no run with this id."}),
		is(schedules.ErrInvalidEvery, errorRow{status: s422, code: "invalid_request", title: "Schedule refused", form: true, field: "every",
			detail: "every: use daily, weekly, monthly or cron.", page: "Choose daily, weekly, monthly or a cron expression."}),
		as(errorRow{status: s422, code: "invalid_cron", title: "Schedule refused", form: true, field: "cron"}, func(e *schedules.CronError, row errorRow) errorRow {
			row.detail = "cron: " + e.Error() + ". Use five fields (minute hour day-of-month month day-of-week), e.g. 0 6 * * 1."
			row.page = "This expression does not parse: " + e.Reason + ". Use five fields, e.g. 0 6 * * 1 (Mondays at 06:00)."
			return row
		}),
		as(errorRow{status: s422, code: "schedule_too_frequent", title: "Schedule refused", form: true, field: "every"}, func(e *schedules.TooFrequentError, row errorRow) errorRow {
			row.detail = e.Error() + ". Choose a less frequent schedule, or upgrade on the billing page."
			row.page = "Your plan allows at most one run every " + schedules.Duration(e.Minimum) + "; this schedule runs every " +
				schedules.Duration(e.Interval) + " at its most frequent."
			return row
		}),
		is(schedules.ErrUnknownTimeZone, errorRow{status: s422, code: "unknown_time_zone", title: "Schedule refused", form: true, field: "time_zone",
			detail: "time_zone: not a time zone; use an IANA name such as Europe/Paris or America/New_York.",
			page:   "Not a time zone. Use a name such as Europe/Paris or America/New_York."}),
		is(schedules.ErrListNotReady, errorRow{status: s409, code: "list_not_ready", title: "List not verified yet", form: true,
			detail: "The list has not finished its first verification: there is nothing to verify again yet."}),
		is(schedules.ErrRunActive, errorRow{status: s409, code: "run_in_progress", title: "Already running", form: true,
			detail: "A run of this list is already queued or running; wait for it to finish, or cancel it."}),
		is(schedules.ErrRunFinished, errorRow{status: s409, code: "run_finished", title: "Run finished", detail: "The run has already finished; there is nothing to cancel."}),

		// Rules.
		as(errorRow{status: s422, code: "invalid_request", title: "Invalid request", form: true}, func(e *rules.FieldError, row errorRow) errorRow {
			row.detail, row.page, row.field = e.Field+": "+e.Message, e.Message, e.Field
			return row
		}),
		is(rules.ErrDuplicate, errorRow{status: s409, code: "rule_exists", title: "Rule exists", form: true, field: "pattern",
			detail: "pattern: there is already a rule for this pattern; delete it first to change its action.",
			page:   "There is already a rule for this pattern. Delete it first to change its action."}),
		is(rules.ErrTooMany, errorRow{status: s409, code: "rule_limit_reached", title: "Too many rules", form: true,
			detail: fmt.Sprintf("A workspace can have at most %d rules. Delete some before adding more.", rules.MaxRulesPerTenant)}),

		// Webhooks.
		as(errorRow{status: s422, code: "invalid_webhook_url", title: "Webhook URL refused", form: true, field: "url"}, func(e *transport.URLError, row errorRow) errorRow {
			row.detail, row.page = "url: the webhook URL "+e.Reason+".", "This URL "+e.Reason+"."
			return row
		}),
		isFill(webhooks.ErrUnknownEventType, errorRow{status: s422, code: "unknown_event_type", title: "Unknown event type", form: true, field: "events"},
			func(err error, row errorRow) errorRow {
				names := make([]string, 0, len(webhooks.Types()))
				for _, t := range webhooks.Types() {
					names = append(names, t.Name)
				}
				row.detail = err.Error() + ". Known types: " + strings.Join(names, ", ") + "."
				row.page = "Choose event types from the list."
				return row
			}),
		is(webhooks.ErrInvalidDescription, errorRow{status: s422, code: "invalid_request", title: "Invalid request", form: true, field: "description",
			detail: webhooks.ErrInvalidDescription.Error() + ".", page: "Use at most 500 characters and no control characters."}),
		is(webhooks.ErrBadOverlap, errorRow{status: s422, code: "invalid_request", title: "Invalid overlap", form: true, field: "overlap",
			detail: "overlap: use now, 1h, 24h or 7d.", page: "Choose how long the old secret keeps working: now, 1 hour, 24 hours or 7 days."}),
		is(requestlog.ErrBadCursor, errorRow{status: s400, code: "invalid_request", title: "Invalid cursor", detail: "cursor: use the next_cursor of a previous page."}),
		is(audit.ErrBadCursor, errorRow{status: s400, code: "invalid_request", title: "Invalid cursor", detail: "cursor: use the next_cursor of a previous page."}),
		is(audit.ErrBadFormat, errorRow{status: s400, code: "invalid_request", title: "Unknown format", detail: "format: use csv or jsonl."}),
		is(webhooks.ErrBadCursor, errorRow{status: s400, code: "invalid_request", title: "Invalid cursor", detail: "cursor: use the next_cursor of a previous page."}),
		as(errorRow{status: s401, code: "invalid_signature", title: "Push not authorized"}, func(e *inbound.UnauthorizedError, row errorRow) errorRow {
			row.detail = "The push was refused: " + e.Reason + ". Sign it with the endpoint's inbound secret, the Standard Webhooks way, and send it within 5 minutes."
			return row
		}),
		as(errorRow{title: "Push refused"}, func(e *inbound.RequestError, row errorRow) errorRow {
			row.status, row.code, row.detail = e.Status, e.Code, e.Detail
			return row
		}),
		is(inbound.ErrInProgress, errorRow{status: s409, code: "push_in_progress", title: "Push in progress",
			detail:  "A push with this webhook-id is still being verified. Send it again in a few seconds, unchanged, for its answer.",
			headers: map[string]string{"Retry-After": "2"}}),
		is(webhooks.ErrNotDead, errorRow{status: s409, code: "delivery_not_dead", title: "Not a dead letter",
			detail: "Only a dead letter can be retried: this delivery is still pending or was delivered."}),

		// Quota and billing.
		as(errorRow{status: s429, code: "quota_exceeded", title: "Quota exceeded", form: true}, func(e *billing.ExceededError, row errorRow) errorRow {
			row.detail = "This request " + e.Error() + ". Cached answers and test keys stay free; upgrade your plan for more."
			row.page = "This does not fit your plan's quota: it " + e.Error() + ". Nothing was charged or stored; upgrade on the billing page for more."
			row.headers = map[string]string{"Quota-Remaining": strconv.Itoa(e.Left)}
			return row
		}),
		as(errorRow{status: s400, code: "invalid_request", title: "Invalid parameter"}, func(e *usage.ParamError, row errorRow) errorRow {
			row.detail = e.Error() + "."
			return row
		}),
		as(errorRow{status: s422, code: "invalid_request", title: "Plan refused", form: true}, func(e *billing.PlanError, row errorRow) errorRow {
			row.detail, row.field = e.Error()+".", e.Field
			row.page = strings.ToUpper(e.Reason[:1]) + e.Reason[1:] + "."
			if strings.HasPrefix(e.Reason, "must") {
				row.page = "The value " + e.Reason + "."
			}
			return row
		}),
		as(errorRow{status: s422, code: "invalid_request", title: "Alert rule refused", form: true}, func(e *alerts.RuleError, row errorRow) errorRow {
			row.detail, row.field = e.Error()+".", e.Field
			row.page = strings.ToUpper(e.Reason[:1]) + e.Reason[1:] + "."
			return row
		}),
		is(billing.ErrPlanNotForSale, errorRow{status: s422, code: "plan_not_for_sale", title: "Plan not available",
			detail: "That plan cannot be bought. Choose another one on the Billing page."}),
		is(billing.ErrBillingOff, errorRow{status: s503, code: "billing_disabled", title: "Billing is off", detail: "Billing is not configured on this server."}),
		is(billing.ErrBadSignature, errorRow{status: s400, code: "invalid_signature", title: "Invalid signature", detail: "The Stripe-Signature header does not match this body."}),
		is(billing.ErrBadEvent, errorRow{status: s400, code: "invalid_request", title: "Unreadable event", detail: "The event could not be read."}),
	}
}

// isFill matches a sentinel (errors.Is) that may be wrapped with details,
// and lets fill put the whole error's text into the row.
func isFill(target error, row errorRow, fill func(error, errorRow) errorRow) errorRule {
	return func(err error) (errorRow, bool) {
		if !errors.Is(err, target) {
			return row, false
		}
		return fill(err, row), true
	}
}

// detailFrom puts a domain error's own explanation in the row, from its
// sentinel on ("invalid grace: the grace must be …", without the
// operation it was wrapped in): whole for the API, and the explanation
// alone, as a sentence, for pages.
func detailFrom(sentinel error) func(error, errorRow) errorRow {
	return func(err error, row errorRow) errorRow {
		text := err.Error()
		if i := strings.Index(text, sentinel.Error()); i >= 0 {
			text = text[i:]
		}
		row.detail = strings.TrimSuffix(text, ".") + "."
		if _, why, ok := strings.Cut(text, ": "); ok {
			text = why
		}
		row.page = strings.ToUpper(text[:1]) + strings.TrimSuffix(text[1:], ".") + "."
		return row
	}
}

// keep fills nothing: the row says it all.
func keep[T error](_ T, row errorRow) errorRow { return row }

// byteSize names a size for people: 100 MB, 1.5 MB, 512 KB, 900 bytes
// (so a limit under 1 MB is never "0 MB").
func byteSize(n int64) string {
	unit, name := int64(1), " bytes"
	switch {
	case n >= 1<<20:
		unit, name = 1<<20, " MB"
	case n >= 1<<10:
		unit, name = 1<<10, " KB"
	}
	if n%unit == 0 {
		return strconv.FormatInt(n/unit, 10) + name
	}
	return strconv.FormatFloat(float64(n)/float64(unit), 'f', 1, 64) + name
}
