package main

import "time"

// seenIDs remembers the webhook ids of the deliveries already handled, so a
// retry or a manual redelivery of the same event is recognised. It is
// bounded twice over: an id is forgotten after ttl, and beyond max ids the
// oldest go first, so a flood of distinct ids cannot exhaust memory.
//
// It lives in memory, so a restart forgets everything. A real CRM stores the
// webhook id with the work the event causes, in the same database
// transaction (a unique column is enough), so that "done" and "seen" can
// never disagree.
//
// seenIDs is not safe for concurrent use; the receiver holds its lock.
type seenIDs struct {
	ttl   time.Duration
	max   int
	at    map[string]time.Time
	order []seenID // oldest first
}

type seenID struct {
	id string
	at time.Time
}

func newSeenIDs(ttl time.Duration, max int) *seenIDs {
	return &seenIDs{ttl: ttl, max: max, at: make(map[string]time.Time)}
}

// add records id as seen at now and reports whether it had been seen
// within ttl already.
func (s *seenIDs) add(id string, now time.Time) (duplicate bool) {
	s.expire(now)
	if at, ok := s.at[id]; ok && now.Sub(at) < s.ttl {
		return true
	}
	for len(s.order) >= s.max {
		s.drop(s.order[0])
		s.order = s.order[1:]
	}
	s.at[id] = now
	s.order = append(s.order, seenID{id: id, at: now})
	return false
}

// forget undoes add, for a delivery that could not be handled after all:
// its retry must then count as new.
func (s *seenIDs) forget(id string) {
	delete(s.at, id)
}

// expire drops the ids older than ttl from the front of the queue.
func (s *seenIDs) expire(now time.Time) {
	for len(s.order) > 0 && now.Sub(s.order[0].at) >= s.ttl {
		s.drop(s.order[0])
		s.order = s.order[1:]
	}
}

// drop removes a queue entry's id from the map, unless the id was
// forgotten and added again since (then the map holds a newer time and a
// later queue entry owns it).
func (s *seenIDs) drop(e seenID) {
	if at, ok := s.at[e.id]; ok && at.Equal(e.at) {
		delete(s.at, e.id)
	}
}
