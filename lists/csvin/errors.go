package csvin

import (
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// FileError reports a malformed or unusable file. Line is the 1-based
// physical line the problem was found on; Msg is English, safe to show
// to the customer.
type FileError struct {
	Line int
	Msg  string
}

func (e *FileError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// ErrTooManyRows is matched (errors.Is) by every *TooManyRowsError.
var ErrTooManyRows = errors.New("too many rows")

// TooManyRowsError is returned by Next on the first row over
// Options.MaxRows.
type TooManyRowsError struct {
	Limit int // Options.MaxRows
	Line  int // line of the first row over the limit
}

func (e *TooManyRowsError) Error() string {
	return fmt.Sprintf("line %d: the file has more than %d rows", e.Line, e.Limit)
}

// Is makes errors.Is(err, ErrTooManyRows) true.
func (e *TooManyRowsError) Is(target error) bool { return target == ErrTooManyRows }

// fromParseError maps an encoding/csv syntax error to a FileError.
func fromParseError(pe *csv.ParseError) *FileError {
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return &FileError{Line: pe.Line, Msg: `bare " in non-quoted field (quote the whole field and double the quote: "a ""b"" c")`}
	case errors.Is(pe.Err, csv.ErrQuote) && pe.StartLine != pe.Line:
		// Usually a quote left open: point at the record where it starts.
		return &FileError{Line: pe.StartLine, Msg: fmt.Sprintf(`extraneous or missing " in quoted field (the record runs on to line %d)`, pe.Line)}
	case errors.Is(pe.Err, csv.ErrQuote):
		return &FileError{Line: pe.Line, Msg: `extraneous or missing " in quoted field`}
	}
	return &FileError{Line: pe.Line, Msg: pe.Err.Error()}
}

// checkUTF8 returns a FileError when a field of a record starting on
// line is not valid UTF-8; pos gives the line each field starts on.
func checkUTF8(fields []string, pos func(int) int) *FileError {
	for i, f := range fields {
		if utf8.ValidString(f) {
			continue
		}
		bad := 0
		for bad < len(f) {
			r, n := utf8.DecodeRuneInString(f[bad:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			bad += n
		}
		return invalidUTF8(pos(i) + strings.Count(f[:bad], "\n"))
	}
	return nil
}

func invalidUTF8(line int) *FileError {
	return &FileError{Line: line, Msg: "invalid UTF-8 (save the file as CSV UTF-8)"}
}
