package webhooks

import (
	"time"

	"github.com/google/uuid"
)

// Endpoint is where a tenant's events go. Its secrets never leave the
// package but sealed, except once: when made (Created).
type Endpoint struct {
	ID                  uuid.UUID  `json:"id"`
	TenantID            uuid.UUID  `json:"-"`
	URL                 string     `json:"url"`
	Description         string     `json:"description"`
	Events              []string   `json:"events"` // empty: every type
	Enabled             bool       `json:"enabled"`
	DisabledReason      *string    `json:"disabled_reason"`
	PreviousSecretUntil *time.Time `json:"previous_secret_until"` // while a rotation overlaps
	FailingSince        *time.Time `json:"failing_since"`
	// ImportedUnconfirmed: made from the old service's CRM config
	// (ImportEndpoint), disabled until an admin enables it, which is the
	// confirmation of its URL.
	ImportedUnconfirmed bool      `json:"imported_unconfirmed"`
	InboundURL          string    `json:"inbound_url"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}

// Created is a new endpoint with its secrets, shown this once.
type Created struct {
	Endpoint
	Secret        string `json:"secret"`
	InboundSecret string `json:"inbound_secret"`
}

// Event is a recorded event; Payload is the exact body every attempt of
// it sends.
type Event struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Payload   string    `json:"-"`
}

// Delivery is one event on its way to one endpoint.
type Delivery struct {
	ID         uuid.UUID  `json:"id"`
	EndpointID uuid.UUID  `json:"endpoint_id"`
	EventID    string     `json:"event_id"`
	EventType  string     `json:"event_type"`
	State      string     `json:"state"` // pending, delivered, dead
	Attempts   int        `json:"attempts"`
	LastError  *string    `json:"last_error"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// Delivery states.
const (
	StatePending   = "pending"
	StateDelivered = "delivered"
	StateDead      = "dead"
)

// Attempt is one try of a delivery, as the receiver answered it.
type Attempt struct {
	ID              int64             `json:"id"`
	DeliveryID      uuid.UUID         `json:"delivery_id"`
	EndpointID      uuid.UUID         `json:"endpoint_id"`
	EventID         string            `json:"event_id"`
	AttemptedAt     time.Time         `json:"attempted_at"`
	Status          *int              `json:"status"` // null: no HTTP answer
	LatencyMS       int               `json:"latency_ms"`
	ResponseHeaders map[string]string `json:"response_headers"`
	ResponseBody    *string           `json:"response_body"` // its first 4 KB
	Error           *string           `json:"error"`
}
