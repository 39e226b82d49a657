package csvin

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"mailvet/verify/address"
)

// DefaultMaxLineBytes is the line length limit when Options.MaxLineBytes
// is zero.
const DefaultMaxLineBytes = 64 << 10

// Skip reasons (Row.Skip).
const (
	SkipEmptyRow      = "empty_row"      // every field is blank
	SkipNoEmail       = "no_email"       // the email column is blank
	SkipInvalidEmail  = "invalid_email"  // the email column is not an address
	SkipMissingColumn = "missing_column" // the row is too short to have the email column
)

// Options configure a Reader. The zero value detects everything.
type Options struct {
	// EmailColumn is a header name (case-insensitive) or a 1-based column
	// number ("3"); empty means detect.
	EmailColumn string
	// MaxRows is the most data rows accepted (empty rows aside); Next
	// returns a *TooManyRowsError past it. 0 means no limit.
	MaxRows int
	// MaxLineBytes bounds a physical line, line end excluded. 0 means
	// DefaultMaxLineBytes.
	MaxLineBytes int
}

// Row is one data row.
type Row struct {
	Line   int      // 1-based physical line the record starts on
	Number int      // 1-based data row number, header excluded
	Fields []string // the fields as read; the caller may keep them
	// Email is the trimmed value of the email column ("" when the row has
	// none). For an invalid_email skip it is the offending value.
	Email string
	// Address is the parsed Email when Skip is "".
	Address address.Address
	// Problem says why Email is not an address (invalid_email only).
	Problem *address.Problem
	// Skip is why the row has no usable address (Skip* constants), or "".
	Skip string
}

// Reader yields the rows of a contact list one by one.
type Reader struct {
	lr     *lineReader
	csv    *csv.Reader   // nil for plain text
	plain  *bufio.Reader // plain text only
	buf    []byte        // plain text: a line longer than plain's buffer
	line   int           // plain text: lines read
	delim  rune
	header []string
	index  int

	maxRows int
	number  int // rows yielded
	counted int // rows counted against maxRows
	err     error
}

// NewReader sniffs the first 64 KiB of r to detect the format, then
// reads the header, if any.
//
// The first record is a header when none of its fields is an address
// and either a field is named like an email column ("Email", "E-mail
// address", "courriel", …) or the next record holds an address. The email
// column is Options.EmailColumn if given, else the header column named
// like one (holding addresses in the sample if several are), else the
// column with the most addresses among the first 50 data rows.
//
// A malformed or unusable file gives a *FileError; a read error from r is
// returned wrapped.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	if opts.MaxRows < 0 || opts.MaxLineBytes < 0 {
		return nil, errors.New("csvin: negative MaxRows or MaxLineBytes")
	}
	maxLine := opts.MaxLineBytes
	if maxLine == 0 {
		maxLine = DefaultMaxLineBytes
	}

	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	complete := err != nil
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("csvin: read: %w", err)
	}
	if fe := refuseFormat(head); fe != nil {
		return nil, fe
	}
	bom := 0
	if bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")) {
		bom = 3
	}
	sample := head[bom:]
	if len(bytes.TrimSpace(sample)) == 0 && complete {
		return nil, &FileError{Line: 1, Msg: "the file is empty"}
	}
	crOnly := bytes.IndexByte(sample, '\r') >= 0 && bytes.IndexByte(sample, '\n') < 0
	if crOnly {
		sample = bytes.ReplaceAll(sample, []byte("\r"), []byte("\n")) // a copy
	}
	if i := bytes.LastIndexByte(sample, '\n'); !complete && i >= 0 {
		sample = sample[:i+1] // only whole lines
	}

	delim := sniffDelimiter(sample)
	recs := sampleRecords(sample, delim)
	lay, layoutErr := detectLayout(recs, opts.EmailColumn)

	if _, err := br.Discard(bom); err != nil {
		return nil, fmt.Errorf("csvin: read: %w", err)
	}
	rd := &Reader{delim: delim, index: lay.index, maxRows: opts.MaxRows}
	if delim == 0 {
		rd.lr = newLineReader(br, maxLine, 0, crOnly)
		rd.plain = bufio.NewReader(rd.lr)
	} else {
		rd.lr = newLineReader(br, maxLine, 16*int64(maxLine), crOnly)
		rd.csv = csv.NewReader(rd.lr)
		rd.csv.Comma = delim
		rd.csv.FieldsPerRecord = -1
	}

	if layoutErr != nil {
		// A syntax error in the sample is the better explanation.
		for range len(recs) + 1 {
			if _, _, err := rd.record(); err != nil {
				if err != io.EOF {
					return nil, err
				}
				break
			}
		}
		return nil, layoutErr
	}
	if lay.header {
		fields, _, err := rd.record()
		if err == io.EOF {
			return nil, &FileError{Line: 1, Msg: "the file is empty"}
		} else if err != nil {
			return nil, err
		}
		rd.header = fields
	}
	return rd, nil
}

// Header returns the header fields, or nil when the file has none.
func (r *Reader) Header() []string { return r.header }

// EmailIndex returns the 0-based index of the email column.
func (r *Reader) EmailIndex() int { return r.index }

// Delimiter returns ',', ';' or '\t', or 0 for plain text (one value per
// line).
func (r *Reader) Delimiter() rune { return r.delim }

// Next returns the next data row, or io.EOF after the last one.
func (r *Reader) Next() (Row, error) {
	if r.err != nil {
		return Row{}, r.err
	}
	fields, line, err := r.record()
	if err != nil {
		r.err = err
		return Row{}, err
	}
	r.number++
	row := Row{Line: line, Number: r.number, Fields: fields}
	switch {
	case blankRecord(fields):
		row.Skip = SkipEmptyRow
		return row, nil
	case r.index >= len(fields):
		row.Skip = SkipMissingColumn
	default:
		row.Email = strings.TrimSpace(fields[r.index])
		if row.Email == "" {
			row.Skip = SkipNoEmail
		} else if a, p := address.Parse(row.Email); p != nil {
			row.Skip, row.Problem = SkipInvalidEmail, p
		} else {
			row.Address = a
		}
	}
	r.counted++
	if r.maxRows > 0 && r.counted > r.maxRows {
		r.err = &TooManyRowsError{Limit: r.maxRows, Line: line}
		return Row{}, r.err
	}
	return row, nil
}

// record reads the next record and the line it starts on.
func (r *Reader) record() ([]string, int, error) {
	if r.csv == nil {
		return r.plainRecord()
	}
	fields, err := r.csv.Read()
	if r.lr.truncated {
		return nil, 0, r.recordTooLong(fields, err)
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if r.lr.err != nil && pe.Line >= r.lr.err.Line {
				return nil, 0, r.lr.err // the line was cut short
			}
			return nil, 0, fromParseError(pe)
		}
		return nil, 0, readError(err)
	}
	r.lr.recStart = r.csv.InputOffset()
	if fe := checkUTF8(fields, func(i int) int { l, _ := r.csv.FieldPos(i); return l }); fe != nil {
		return nil, 0, fe
	}
	line, _ := r.csv.FieldPos(0)
	return fields, line, nil
}

func (r *Reader) recordTooLong(fields []string, err error) error {
	line := r.lr.line
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		line = pe.StartLine
	} else if err == nil && len(fields) > 0 {
		line, _ = r.csv.FieldPos(0)
	}
	return &FileError{Line: line, Msg: fmt.Sprintf("record is longer than %d bytes (is a quote left open?)", r.lr.maxRec)}
}

// plainRecord reads one non-blank line of a plain-text file.
func (r *Reader) plainRecord() ([]string, int, error) {
	for {
		b, err := r.plain.ReadSlice('\n')
		if err == bufio.ErrBufferFull { // lineReader bounds the line
			r.buf = append(r.buf[:0], b...)
			for err == bufio.ErrBufferFull {
				b, err = r.plain.ReadSlice('\n')
				r.buf = append(r.buf, b...)
			}
			b = r.buf
		}
		if err != nil && err != io.EOF || len(b) == 0 {
			return nil, 0, readError(err)
		}
		r.line++
		b = bytes.TrimSuffix(bytes.TrimSuffix(b, []byte("\n")), []byte("\r"))
		if len(b) == 0 {
			continue
		}
		if !utf8.Valid(b) {
			return nil, 0, invalidUTF8(r.line)
		}
		return []string{unquoteLine(string(b))}, r.line, nil
	}
}

// readError passes io.EOF and FileErrors through and wraps anything else.
func readError(err error) error {
	var fe *FileError
	if err == io.EOF || errors.As(err, &fe) {
		return err
	}
	return fmt.Errorf("csvin: read: %w", err)
}
