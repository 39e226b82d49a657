package audit

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// A cursor is where a page ended: the last event's time and id, the
// log's order (created_at is its transaction's start, so ids alone may
// disagree with the times shown).
func encodeCursor(e Event) string {
	return base64.RawURLEncoding.EncodeToString([]byte(e.CreatedAt.UTC().Format(time.RFC3339Nano) + "|" + strconv.FormatInt(e.ID, 10)))
}

type cursor struct {
	at time.Time
	id int64
}

func decodeCursor(c string) (*cursor, error) {
	if c == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, ErrBadCursor
	}
	at, id, ok := strings.Cut(string(raw), "|")
	t, err := time.Parse(time.RFC3339Nano, at)
	n, nErr := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || nErr != nil {
		return nil, ErrBadCursor
	}
	return &cursor{at: t, id: n}, nil
}
