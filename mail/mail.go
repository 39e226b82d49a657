// Package mail sends the service's own email (verification links, invites,
// password resets). Messages are queued as River jobs inside the
// transaction that makes them necessary, and sent by a worker with retries.
package mail

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Message is a plain-text email.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// SendArgs is the River job that sends one Message.
type SendArgs struct {
	Message
}

// Kind names the job in River's tables.
func (SendArgs) Kind() string { return "mail.send" }

// InsertOpts retries a failing mail server for about a day.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 12}
}

// TxInserter is the part of a River client that inserts jobs inside a
// database/sql transaction.
type TxInserter interface {
	InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
}

// Queue puts messages on the job queue.
type Queue struct {
	jobs TxInserter
}

// NewQueue returns a Queue inserting through jobs.
func NewQueue(jobs TxInserter) *Queue { return &Queue{jobs: jobs} }

// Jobs is the inserter the queue was built with, for a domain that queues
// jobs of its own in the same transactions as its mail (the tenants store's
// password-reset request), so that it needs no second handle on River.
func (q *Queue) Jobs() TxInserter { return q.jobs }

// Enqueue queues msg in tx: it is sent only if tx commits.
func (q *Queue) Enqueue(ctx context.Context, tx *sql.Tx, msg Message) error {
	if strings.ContainsAny(msg.To, "\r\n") || strings.ContainsAny(msg.Subject, "\r\n") {
		return fmt.Errorf("mail header contains a line break")
	}
	if _, err := q.jobs.InsertTx(ctx, tx, SendArgs{Message: msg}, nil); err != nil {
		return fmt.Errorf("queue mail to %s: %w", msg.To, err)
	}
	return nil
}
