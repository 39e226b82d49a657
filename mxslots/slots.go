// Package mxslots keeps the engine's cap of connections per MX host across
// every process that probes from one source address, through PostgreSQL:
// a receiver counts our connections per client IP, so three worker
// processes each keeping to 5 would open 15 and be answered 421 or
// distrusted. A process holds a row of mx_slots for each connection it
// has open (verify.ConnSlots), renews its rows while it runs, and gives
// each back when the connection closes; the rows of a process that
// crashed expire and are taken again. No service beyond the database.
package mxslots

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"mailvet/db"
)

// Timing: a slot's row lives TTL unless renewed (every TTL/3). A process
// waiting for a slot notes its wait at most every waitNote (the row lives
// waitTTL), and holders look for others' waits every waitPoll.
const (
	TTL      = 30 * time.Second
	waitNote = 500 * time.Millisecond
	waitTTL  = 2 * time.Second
	waitPoll = 250 * time.Millisecond
)

// acquireSQL takes the lowest slot of the host that no live row holds, in
// one statement that two processes may run at once: the primary key lets
// one of them have a free slot, and the other's ON CONFLICT finds it taken
// (no row back, so it asks again). A slot whose row expired is taken over.
const acquireSQL = `INSERT INTO mx_slots (identity, mx, slot, holder, expires_at)
	SELECT $1, $2, s, $3, now() + make_interval(secs => $5)
	FROM generate_series(0, $4 - 1) AS s
	WHERE NOT EXISTS (SELECT 1 FROM mx_slots m WHERE m.identity = $1 AND m.mx = $2 AND m.slot = s AND m.expires_at > now())
	ORDER BY s LIMIT 1
	ON CONFLICT (identity, mx, slot) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
		WHERE mx_slots.expires_at <= now()
	RETURNING slot`

// Slots is one process's share of the slots of its identity.
type Slots struct {
	db       *db.DB
	identity string
	holder   uuid.UUID // this process, for as long as it runs
	log      *slog.Logger

	stop chan struct{}
	wg   sync.WaitGroup

	mu     sync.Mutex
	noted  map[string]time.Time // this process's waits, by MX, when last noted
	wanted map[string]bool      // MXs another process waits for, not yet handed over
}

// New starts renewing this process's slots of identity; Close stops and
// gives every slot back.
func New(d *db.DB, identity string, log *slog.Logger) *Slots {
	s := &Slots{db: d, identity: identity, holder: uuid.New(), log: log, stop: make(chan struct{}),
		noted: map[string]time.Time{}, wanted: map[string]bool{}}
	s.wg.Add(2)
	go s.renew()
	go s.watchWaits()
	return s
}

// TryAcquire takes a free slot of addr among limit, if there is one;
// release gives it back. The engine asks again after short waits: a slot
// frees when another process closes a connection, which it does not
// announce.
func (s *Slots) TryAcquire(ctx context.Context, addr string, limit int) (func(), bool, error) {
	var slot int
	err := s.db.QueryRow(ctx, db.Platform(), acquireSQL, s.identity, addr, s.holder, limit, TTL.Seconds()).Scan(&slot)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, false, s.noteWait(ctx, addr)
	case err != nil:
		return nil, false, err
	}
	s.endWait(addr)
	return func() { s.release(addr, slot) }, true, nil
}

// noteWait makes this process's wait for addr's slots visible to the
// holders (at most every waitNote).
func (s *Slots) noteWait(ctx context.Context, addr string) error {
	s.mu.Lock()
	last, ok := s.noted[addr]
	if ok && time.Since(last) < waitNote {
		s.mu.Unlock()
		return nil
	}
	s.noted[addr] = time.Now()
	s.mu.Unlock()
	_, err := s.db.Exec(ctx, db.Platform(), `INSERT INTO mx_waits (identity, mx, holder, expires_at)
		VALUES ($1, $2, $3, now() + make_interval(secs => $4))
		ON CONFLICT (identity, mx, holder) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
		s.identity, addr, s.holder, waitTTL.Seconds())
	return err
}

// endWait withdraws this process's wait for addr, if it noted one.
func (s *Slots) endWait(addr string) {
	s.mu.Lock()
	_, ok := s.noted[addr]
	delete(s.noted, addr)
	s.mu.Unlock()
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.db.Exec(ctx, db.Platform(), `DELETE FROM mx_waits WHERE identity = $1 AND mx = $2 AND holder = $3`,
		s.identity, addr, s.holder); err != nil {
		s.log.Warn("withdrawing an MX wait", "mx", addr, "err", err) // it expires within waitTTL
	}
}

// HandOver reports whether another process waits for addr's slots, once
// per notice: the engine then gives one connection's slot back.
func (s *Slots) HandOver(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.wanted[addr] {
		return false
	}
	delete(s.wanted, addr)
	return true
}

// watchWaits reads, every waitPoll, the MXs other processes of this
// identity wait for.
func (s *Slots) watchWaits() {
	defer s.wg.Done()
	t := time.NewTicker(waitPoll)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), waitPoll)
		rows, err := s.db.Pool.Query(ctx, `SELECT DISTINCT mx FROM mx_waits WHERE identity = $1 AND holder <> $2 AND expires_at > now()`,
			s.identity, s.holder)
		wanted := map[string]bool{}
		if err == nil {
			for rows.Next() {
				var mx string
				if err = rows.Scan(&mx); err != nil {
					break
				}
				wanted[mx] = true
			}
			rows.Close()
			err = cmp.Or(err, rows.Err())
		}
		cancel()
		if err != nil {
			s.log.Warn("reading MX waits", "err", err)
			continue
		}
		s.mu.Lock()
		s.wanted = wanted
		s.mu.Unlock()
	}
}

// release deletes the slot's row, if it is still this process's.
func (s *Slots) release(addr string, slot int) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.db.Exec(ctx, db.Platform(), `DELETE FROM mx_slots WHERE identity = $1 AND mx = $2 AND slot = $3 AND holder = $4`,
		s.identity, addr, slot, s.holder); err != nil {
		// The row expires within TTL; until then the slot stays taken.
		s.log.Warn("giving back an MX slot", "mx", addr, "err", err)
	}
}

// renew keeps this process's rows alive until Close.
func (s *Slots) renew() {
	defer s.wg.Done()
	t := time.NewTicker(TTL / 3)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), TTL/3)
		if _, err := s.db.Exec(ctx, db.Platform(), `UPDATE mx_slots SET expires_at = now() + make_interval(secs => $2) WHERE holder = $1`,
			s.holder, TTL.Seconds()); err != nil {
			s.log.Warn("renewing MX slots", "err", err)
		}
		// Expired waits are no one's: any process may clear them.
		if _, err := s.db.Exec(ctx, db.Platform(), `DELETE FROM mx_waits WHERE identity = $1 AND expires_at < now()`, s.identity); err != nil {
			s.log.Warn("clearing MX waits", "err", err)
		}
		cancel()
	}
}

// Close stops renewing and gives back the slots still held (the engine,
// closed first, has closed their connections).
func (s *Slots) Close() {
	close(s.stop)
	s.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.db.Exec(ctx, db.Platform(), `DELETE FROM mx_slots WHERE holder = $1`, s.holder); err != nil {
		s.log.Warn("giving back MX slots", "err", err)
	}
}
