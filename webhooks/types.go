package webhooks

import (
	"slices"
	"time"
)

// EventType is one kind of event: its name, what it means, and an example
// of its data (the OpenAPI file documents every type with it). Adding a
// type is one line in Types plus its data struct.
type EventType struct {
	Name    string
	Summary string
	Example any
}

// The event types, by name.
const (
	ListCompleted         = "list.completed"
	ListFailed            = "list.failed"
	ListCancelled         = "list.cancelled"
	VerificationCompleted = "verification.completed"
	QuotaThreshold        = "quota.threshold"
	EndpointDisabled      = "webhook_endpoint.disabled"
	EndpointTest          = "webhook_endpoint.test"
	APIKeyRotated         = "api_key.rotated"
	APIKeyExpiring        = "api_key.expiring"
	APIKeyExpired         = "api_key.expired"
)

// Types lists every event type an endpoint can subscribe to.
func Types() []EventType {
	finished := ListData{ListID: "5b0e2c1a-8d2e-4a47-9d6c-0c8f7a1e2b3c", Name: "Newsletter", Status: "completed", TotalRows: 1200,
		UniqueRows: 1150, DuplicateRows: 40, SkippedRows: 10, Counts: ListCounts{Deliverable: 1000, Undeliverable: 90, Risky: 50, Unknown: 10},
		DurationSeconds: 42.5, ExportURL: "https://mailvet.example/v1/lists/5b0e2c1a-8d2e-4a47-9d6c-0c8f7a1e2b3c/export",
		ResultsURL: "https://mailvet.example/v1/lists/5b0e2c1a-8d2e-4a47-9d6c-0c8f7a1e2b3c/results"}
	key := APIKeyData{KeyID: "7c3e9a10-2f4b-4d8e-9a1c-5b6d7e8f9a0b", Name: "CRM sync", Mode: "live", Prefix: "mv_live_Q3x9Lk",
		ExpiresAt: time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC), DaysLeft: 7}
	rotated, expired := key, key
	rotated.DaysLeft, rotated.SuccessorID = 7, "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"
	rotated.RevealURL = "https://mailvet.example/keys#key-1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"
	expired.DaysLeft = 0
	failed, cancelled := finished, finished
	failed.Status, cancelled.Status = "failed", "cancelled"
	return []EventType{
		{ListCompleted, "A list finished: every unique address has a verdict.", finished},
		{ListFailed, "A list stopped on an error it could not get past; the verdicts so far are kept.", failed},
		{ListCancelled, "Someone cancelled a list; the verdicts so far are kept, the rest was refunded.", cancelled},
		{VerificationCompleted, "An address pushed in (POST /v1/inbound/{endpoint_id}) has its verdict.", VerificationData{Reference: "crm-contact-881",
			Email: "ann@example.com", Status: "deliverable", Reason: "accepted_email", Score: 95}},
		{QuotaThreshold, "This month's use passed 80 % or 100 % of the plan's included verifications.", QuotaData{Percent: 80, Plan: "basic",
			MonthUsed: 40000, MonthIncluded: 50000, MonthLimit: 250000}},
		{EndpointDisabled, "An endpoint was disabled: it answered 410 Gone, or every delivery failed for 5 days.", EndpointData{
			EndpointID: "0d1f6a4e-3b2c-4e5f-8a9b-1c2d3e4f5a6b", URL: "https://crm.example/hooks/mailvet", Reason: "410 Gone"}},
		{EndpointTest, "Sent by Send test event, to check that the endpoint receives and verifies deliveries.", EndpointData{
			EndpointID: "0d1f6a4e-3b2c-4e5f-8a9b-1c2d3e4f5a6b", URL: "https://crm.example/hooks/mailvet"}},
		{APIKeyRotated, "Automatic rotation rolled a key: its successor awaits being revealed (once, on the API keys page); the old key works until expires_at.", rotated},
		{APIKeyExpiring, "A key stops working in 7 days or in 1 day (days_left): its expiry, or the end of its grace after a roll.", key},
		{APIKeyExpired, "A key reached its expiry (or the end of its grace) and no longer authenticates.", expired},
	}
}

// KnownType reports whether name is an event type.
func KnownType(name string) bool {
	return slices.ContainsFunc(Types(), func(t EventType) bool { return t.Name == name })
}

// ListData is the data of list.completed, list.failed and list.cancelled:
// like Kickbox's bulk callback, with links to the export and the results.
type ListData struct {
	ListID          string     `json:"list_id"`
	Name            string     `json:"name"`
	Status          string     `json:"status"`
	TestMode        bool       `json:"test_mode"`
	TotalRows       int        `json:"total_rows"`
	UniqueRows      int        `json:"unique_rows"`
	DuplicateRows   int        `json:"duplicate_rows"`
	SkippedRows     int        `json:"skipped_rows"`
	Counts          ListCounts `json:"counts"`
	DurationSeconds float64    `json:"duration_seconds"`
	ExportURL       string     `json:"export_url"`
	ResultsURL      string     `json:"results_url"`
}

// ListCounts are a list's verdicts by status.
type ListCounts struct {
	Deliverable   int `json:"deliverable"`
	Undeliverable int `json:"undeliverable"`
	Risky         int `json:"risky"`
	Unknown       int `json:"unknown"`
}

// VerificationData is one pushed-in address's verdict.
type VerificationData struct {
	Reference  string     `json:"reference"`
	Email      string     `json:"email"`
	Status     string     `json:"status"`
	Reason     string     `json:"reason"`
	Score      int        `json:"score"`
	Result     any        `json:"result,omitempty"` // the whole verdict, as /v1/verify answers it
	CheckedAt  *time.Time `json:"checked_at,omitempty"`
	EndpointID string     `json:"endpoint_id,omitempty"`
}

// QuotaData is quota.threshold's.
type QuotaData struct {
	Percent       int    `json:"percent"`
	Plan          string `json:"plan"`
	MonthUsed     int    `json:"month_used"`
	MonthIncluded int    `json:"month_included"`
	MonthLimit    int    `json:"month_limit"`
}

// EndpointData is webhook_endpoint.disabled's and the test event's.
type EndpointData struct {
	EndpointID string `json:"endpoint_id"`
	URL        string `json:"url"`
	Reason     string `json:"reason,omitempty"`
}

// APIKeyData is api_key.rotated's, api_key.expiring's and
// api_key.expired's: which key, never its secret.
type APIKeyData struct {
	KeyID     string    `json:"key_id"`
	Name      string    `json:"name"`
	Mode      string    `json:"mode"`
	Prefix    string    `json:"prefix"`
	ExpiresAt time.Time `json:"expires_at"`
	DaysLeft  int       `json:"days_left"`
	// The successor of a rolled key and where to reveal it (rotated only).
	SuccessorID string `json:"successor_id,omitempty"`
	RevealURL   string `json:"reveal_url,omitempty"`
}
