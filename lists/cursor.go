package lists

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ErrBadCursor is a pagination cursor that was not made by us.
var ErrBadCursor = errors.New("invalid cursor")

type listCursor struct {
	at time.Time
	id uuid.UUID
}

func encodeListCursor(at time.Time, id uuid.UUID) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at.UnixMicro(), 10) + "," + id.String()))
}

func decodeListCursor(s string) (listCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return listCursor{}, ErrBadCursor
	}
	ts, idStr, ok := strings.Cut(string(b), ",")
	micros, err1 := strconv.ParseInt(ts, 10, 64)
	id, err2 := uuid.Parse(idStr)
	if !ok || err1 != nil || err2 != nil {
		return listCursor{}, ErrBadCursor
	}
	return listCursor{at: time.UnixMicro(micros), id: id}, nil
}

// Row cursors are the last row number seen.
func encodeRowCursor(row int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("r" + strconv.Itoa(row)))
}

func decodeRowCursor(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != 'r' {
		return 0, ErrBadCursor
	}
	n, err := strconv.Atoi(string(b[1:]))
	if err != nil || n < 0 {
		return 0, ErrBadCursor
	}
	return n, nil
}
