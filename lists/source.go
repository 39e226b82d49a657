package lists

import (
	"io"
	"strings"

	"mailvet/lists/csvin"
	"mailvet/verify/address"
)

// rowSource yields upload rows; csvin.Reader is one.
type rowSource interface {
	Next() (csvin.Row, error)
	Header() []string
	EmailIndex() int
}

// sliceSource serves a JSON upload's addresses as rows.
type sliceSource struct {
	emails []string
	i      int
}

func (s *sliceSource) Next() (csvin.Row, error) {
	if s.i >= len(s.emails) {
		return csvin.Row{}, io.EOF
	}
	s.i++
	e := strings.TrimSpace(s.emails[s.i-1])
	r := csvin.Row{Line: s.i, Number: s.i, Fields: []string{s.emails[s.i-1]}, Email: e}
	switch a, problem := address.Parse(e); {
	case e == "":
		r.Skip = csvin.SkipNoEmail
	case problem != nil:
		r.Skip = csvin.SkipInvalidEmail
	default:
		r.Address = a
	}
	return r, nil
}

func (s *sliceSource) Header() []string { return []string{"email"} }
func (s *sliceSource) EmailIndex() int  { return 0 }
