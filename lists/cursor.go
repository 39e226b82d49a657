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

// EncodeTimeCursor and DecodeTimeCursor are the newest-first cursor of
// lists, for the list's other pages (its runs), so that every cursor of a
// list reads the same and a bad one is the same ErrBadCursor. An empty
// cursor decodes to the zero time: the first page.
func EncodeTimeCursor(at time.Time, id uuid.UUID) string { return encodeListCursor(at, id) }

// DecodeTimeCursor: see EncodeTimeCursor.
func DecodeTimeCursor(s string) (*time.Time, uuid.UUID, error) {
	if s == "" {
		return nil, uuid.Nil, nil
	}
	c, err := decodeListCursor(s)
	if err != nil {
		return nil, uuid.Nil, err
	}
	return &c.at, c.id, nil
}

// EncodeRowCursor and DecodeRowCursor are the row-order cursor of a list's
// results, for the other pages in row order (a run's changes).
func EncodeRowCursor(row int) string { return encodeRowCursor(row) }

// DecodeRowCursor: see EncodeRowCursor ("" is row 0, the first page).
func DecodeRowCursor(s string) (int, error) { return decodeRowCursor(s) }
