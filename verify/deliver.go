package verify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// Retry bounds for one chunk: reconnecting after connections lost without
// progress, and waiting out hosts that answer 421 at greeting.
const (
	maxAttempts  = 3
	maxBusyWaits = 8
)

// deliver probes a chunk's RCPTs against the group's MX hosts, reusing
// pooled connections, reconnecting after a lost one and splitting when the
// server wants fewer recipients per transaction.
func (b *batch) deliver(ctx context.Context, hosts []mailHost, chunk []rcpt) {
	mine := map[string]bool{} // the hosts this chunk used (batch.uses)
	defer b.release(mine)
	todo := chunk
	failures, busy := 0, 0
	for len(todo) > 0 {
		l, host, failed := b.connect(ctx, hosts, mine)
		if l == nil && failed.reply.class() == 4 && busy < maxBusyWaits {
			// 421 at greeting: the host is busy, usually over its
			// connection cap (the pool has lowered ours). Wait and retry.
			busy++
			select {
			case <-time.After(min(time.Duration(busy)*250*time.Millisecond, 2*time.Second)):
				continue
			case <-ctx.Done():
			}
		}
		if l == nil {
			for _, r := range todo {
				*r.out = failed
			}
			return
		}
		per := len(todo)
		if l.conn.maxRcpts > 0 {
			per = min(per, l.conn.maxRcpts)
		}
		sent := todo[:per]
		addrs := make([]string, len(sent))
		for i, r := range sent {
			addrs[i] = r.to
		}
		t, err := l.conn.probe(ctx, b.v.cfg.MailFrom, addrs)
		answered := 0
		switch {
		case t.mail.Code != 0 && t.mail.class() != 2:
			for _, r := range sent {
				*r.out = outcome{stage: "mail", reply: t.mail, mx: host, set: true}
			}
			answered = len(sent)
		default:
			for i, rep := range t.rcpts {
				if tooManyRecipients(rep) {
					break // the rest go in a new transaction
				}
				*sent[i].out = outcome{stage: "rcpt", reply: rep, mx: host, set: true}
				answered = i + 1
			}
		}
		b.v.pool.put(l, err == nil)
		l.releaseShare()
		todo = todo[answered:]
		if answered > 0 {
			failures = 0 // progress: only consecutive failures count
		}
		if err != nil {
			failures++
			if failures >= maxAttempts || ctx.Err() != nil {
				for _, r := range todo {
					*r.out = outcome{stage: "connect", err: err, mx: host, set: true}
				}
				return
			}
		} else if answered == 0 {
			// The server answered 452 to the first RCPT: nothing fits.
			for _, r := range todo {
				*r.out = outcome{stage: "rcpt", reply: t.rcpts[0], mx: host, set: true}
			}
			return
		}
	}
}

// connect leases a connection to the most preferred MX host that answers.
// On failure it returns the outcome to give every address.
func (b *batch) connect(ctx context.Context, hosts []mailHost, mine map[string]bool) (*lease, string, outcome) {
	last := outcome{stage: "connect", err: errors.New("no MX host could be reached"), set: true}
	for _, h := range hosts {
		for _, addr := range b.mxAddrs(h) {
			b.uses(addr, mine)
			release, err := b.v.shares.acquire(ctx, b.share, addr)
			if err != nil {
				return nil, "", outcome{stage: "connect", err: err, mx: h.Name, set: true}
			}
			l, err := b.v.pool.get(ctx, h.Name, addr)
			switch {
			case err != nil:
				release()
				last = outcome{stage: "connect", err: err, mx: h.Name, set: true}
			case l.conn == nil:
				release()
				last = outcome{stage: "connect", reply: l.banner, mx: h.Name, set: true}
			default:
				l.releaseShare = release
				return l, h.Name, outcome{}
			}
			if ctx.Err() != nil {
				return nil, "", outcome{stage: "connect", err: ctx.Err(), mx: h.Name, set: true}
			}
		}
	}
	return nil, "", last
}

// finishDomain turns a domain's SMTP outcomes into results.
func (b *batch) finishDomain(d *domainWork) {
	catchAll, known := b.v.catchAll.get(d.name)
	if d.probe != nil && d.probe.set && d.probe.stage == "rcpt" {
		switch classifyRcpt(d.probe.reply) {
		case rcptAccepted:
			catchAll, known = true, true
			b.v.catchAll.set(d.name, true)
		case rcptRejected:
			catchAll, known = false, true
			b.v.catchAll.set(d.name, false)
		}
	}
	for _, p := range d.addrs {
		b.send(p.idx, b.verdict(p.res, p.out, catchAll && known))
	}
}

// verdict applies what the server said to one address.
func (b *batch) verdict(r Result, o outcome, catchAll bool) Result {
	r.MX = strPtr(o.mx)
	if o.reply.Code != 0 {
		r.SMTPReply = o.reply.Text()
	}
	retry := func(d time.Duration) { r.RetryAfterSeconds = max(int(d.Seconds()), 1) }
	switch o.stage {
	case "rcpt":
		switch classifyRcpt(o.reply) {
		case rcptAccepted:
			r.Flags.CatchAll = catchAll
			switch {
			case catchAll:
				r.Status, r.Reason, r.Detail = Risky, ReasonCatchAll, "The server accepts every address of this domain, so this one may not exist."
			case r.Flags.Role:
				r.Status, r.Reason, r.Detail = Risky, ReasonRoleAccount, "The mailbox exists but belongs to a role or team, not a person."
			default:
				r.Status, r.Reason, r.Detail = Deliverable, ReasonAccepted, "The mail server accepted the address."
			}
		case rcptRejected:
			r.Status, r.Reason, r.Detail = Undeliverable, ReasonRejected, "The mail server says the mailbox does not exist."
		case rcptFull:
			r.Status, r.Reason, r.Detail = Risky, ReasonMailboxFull, "The mailbox exists but is full."
		case rcptTemporary:
			r.Status, r.Reason, r.Detail = Unknown, ReasonGreylisted, "The server deferred the answer (greylisting or busy); ask again later."
			retry(retryAfter(o.reply, b.v.cfg.GreylistRetryAfter))
		default:
			r.Status, r.Reason, r.Detail = Unknown, ReasonSMTPError, "The server refused to answer for reasons about the sender, not the mailbox."
		}
	case "mail":
		r.Status, r.Reason, r.Detail = Unknown, ReasonSMTPError, "The server refused our sender address, so it did not say whether the mailbox exists."
		if o.reply.class() == 4 {
			retry(retryAfter(o.reply, b.v.cfg.GreylistRetryAfter))
		}
	default:
		r.Status, r.Detail = Unknown, "Could not talk to the domain's mail servers"
		var ne net.Error
		switch {
		case o.reply.Code != 0:
			r.Reason = ReasonNoConnect
			r.Detail = fmt.Sprintf("The mail server refused the connection (%d).", o.reply.Code)
			if o.reply.class() == 4 {
				retry(b.v.cfg.GreylistRetryAfter)
			}
		case errors.Is(o.err, context.DeadlineExceeded) || (errors.As(o.err, &ne) && ne.Timeout()):
			r.Reason = ReasonTimeout
			r.Detail = "The mail server did not answer in time."
			retry(time.Minute)
		case errors.Is(o.err, errReplyTooLong) || errors.Is(o.err, errBadReply):
			r.Reason = ReasonSMTPError
			r.Detail = "The mail server sent a malformed or oversized reply."
		case errors.Is(o.err, errConnLost):
			r.Reason = ReasonSMTPError
			r.Detail = "The mail server closed the connection: " + o.err.Error()
			retry(time.Minute)
		default:
			r.Reason = ReasonNoConnect
			if o.err != nil {
				r.Detail = "Could not connect to the mail server: " + o.err.Error()
			}
			retry(5 * time.Minute)
		}
	}
	return r
}
