package csvin

import (
	"errors"
	"io"
	"strings"
	"testing"

	"mailvet/verify/address"
)

// FuzzReader checks the Reader's invariants on arbitrary input. The seed
// corpus is in testdata/fuzz/FuzzReader; run with
//
//	go test -run '^$' -fuzz FuzzReader -fuzztime 30s ./lists/csvin/
func FuzzReader(f *testing.F) {
	f.Fuzz(func(t *testing.T, in string) {
		for _, opts := range []Options{{}, {MaxLineBytes: 16, MaxRows: 3}, {EmailColumn: "2"}} {
			checkReader(t, in, opts)
		}
	})
}

func checkReader(t *testing.T, in string, opts Options) {
	r, err := NewReader(strings.NewReader(in), opts)
	if err != nil {
		var fe *FileError
		if !errors.As(err, &fe) || fe.Line < 1 {
			t.Fatalf("%+v: NewReader error %#v is not a *FileError with a line", opts, err)
		}
		return
	}
	if r.EmailIndex() < 0 {
		t.Fatalf("%+v: email column %d", opts, r.EmailIndex())
	}
	prevLine, prevNumber := 0, 0
	if r.Header() != nil {
		prevLine = 1
	}
	for range len(in) + 1 { // each row takes at least one byte
		row, err := r.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			var fe *FileError
			if errors.As(err, &fe) && fe.Line >= 1 || errors.Is(err, ErrTooManyRows) {
				return
			}
			t.Fatalf("%+v: Next error %#v", opts, err)
		}
		if row.Number != prevNumber+1 || row.Line <= prevLine {
			t.Fatalf("%+v: row %d on line %d follows row %d on line %d", opts, row.Number, row.Line, prevNumber, prevLine)
		}
		prevLine, prevNumber = row.Line, row.Number
		if len(row.Fields) == 0 {
			t.Fatalf("%+v: row %d has no fields", opts, row.Number)
		}
		switch row.Skip {
		case "":
			a, p := address.Parse(row.Email)
			if p != nil || a.Normalized != row.Address.Normalized {
				t.Fatalf("%+v: row %d: Email %q does not parse (%v) or differs from Address %q", opts, row.Number, row.Email, p, row.Address.Normalized)
			}
		case SkipInvalidEmail:
			if _, p := address.Parse(row.Email); p == nil || row.Problem == nil {
				t.Fatalf("%+v: row %d: invalid_email %q parses", opts, row.Number, row.Email)
			}
		case SkipEmptyRow, SkipNoEmail, SkipMissingColumn:
			if row.Email != "" {
				t.Fatalf("%+v: row %d: skip %s with Email %q", opts, row.Number, row.Skip, row.Email)
			}
		default:
			t.Fatalf("%+v: row %d: unknown skip %q", opts, row.Number, row.Skip)
		}
		if row.Skip == "" || row.Skip == SkipInvalidEmail || row.Skip == SkipNoEmail {
			if got := strings.TrimSpace(row.Fields[r.EmailIndex()]); got != row.Email {
				t.Fatalf("%+v: row %d: Email %q, column holds %q", opts, row.Number, row.Email, got)
			}
		}
	}
	t.Fatalf("%+v: more rows than bytes of input", opts)
}
