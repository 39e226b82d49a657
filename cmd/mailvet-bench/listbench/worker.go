package listbench

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"mailvet/lists"
	"mailvet/mail"
	"mailvet/verify"
)

// noMail refuses to send: a bench worker must not deliver anyone's mail
// (a refused job is retried later by a real worker).
type noMail struct{}

func (noMail) Send(context.Context, mail.Message) error {
	return errors.New("the list bench worker does not send mail")
}

// timedEngine and timedCache measure where a batch's time goes without
// touching the processor: they wrap what it is given.
type timedEngine struct {
	lists.Engine
	d atomic.Int64
}

func (t *timedEngine) VerifyBatch(ctx context.Context, emails []string, share verify.Share, emit func(i int, r verify.Result)) {
	start := time.Now()
	t.Engine.VerifyBatch(ctx, emails, share, emit)
	t.d.Add(int64(time.Since(start)))
}

type timedCache struct {
	lists.Cache
	d atomic.Int64
}

func (t *timedCache) CachedMany(ctx context.Context, tenantID uuid.UUID, testMode bool, normalized []string, ttl time.Duration) (map[string]verify.Result, error) {
	start := time.Now()
	defer func() { t.d.Add(int64(time.Since(start))) }()
	return t.Cache.CachedMany(ctx, tenantID, testMode, normalized, ttl)
}
