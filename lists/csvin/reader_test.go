package csvin

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

// readAll reads every row, returning the first error other than io.EOF.
func readAll(in string, opts Options) (*Reader, []Row, error) {
	r, err := NewReader(strings.NewReader(in), opts)
	if err != nil {
		return nil, nil, err
	}
	var rows []Row
	for {
		row, err := r.Next()
		if err == io.EOF {
			return r, rows, nil
		}
		if err != nil {
			return r, rows, err
		}
		rows = append(rows, row)
	}
}

// brief renders a row as "line:number:email:skip".
func brief(row Row) string {
	return fmt.Sprintf("%d:%d:%s:%s", row.Line, row.Number, row.Email, row.Skip)
}

func TestFormats(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		opts   Options
		delim  rune
		header []string // nil: no header
		index  int
		rows   []string
	}{
		{name: "comma with header", in: "name,email\nJo,jo@x.com\nAnn,ann@y.org\n",
			delim: ',', header: []string{"name", "email"}, index: 1,
			rows: []string{"2:1:jo@x.com:", "3:2:ann@y.org:"}},
		{name: "first data row wider than the header", in: "name,email\nJo,jo@x.com,extra\nAnn,ann@y.org\n",
			delim: ',', header: []string{"name", "email"}, index: 1,
			rows: []string{"2:1:jo@x.com:", "3:2:ann@y.org:"}},
		{name: "comma without header", in: "jo@x.com,Jo\nann@y.org,Ann",
			delim: ',', index: 0, rows: []string{"1:1:jo@x.com:", "2:2:ann@y.org:"}},
		{name: "semicolon", in: "Nom;Prénom;Courriel\nDoe;Jo;jo@x.fr\n",
			delim: ';', header: []string{"Nom", "Prénom", "Courriel"}, index: 2, rows: []string{"2:1:jo@x.fr:"}},
		{name: "semicolon with commas in names", in: "Doe, John;jo@x.com\nRoe, Ann;ann@y.com\n",
			delim: ';', index: 1, rows: []string{"1:1:jo@x.com:", "2:2:ann@y.com:"}},
		{name: "tab", in: "E-Mail\tname\njo@x.com\tJo\n",
			delim: '\t', header: []string{"E-Mail", "name"}, index: 0, rows: []string{"2:1:jo@x.com:"}},
		{name: "BOM", in: "\xEF\xBB\xBFemail,name\njo@x.com,Jo\n",
			delim: ',', header: []string{"email", "name"}, index: 0, rows: []string{"2:1:jo@x.com:"}},
		{name: "BOM plain text", in: "\xEF\xBB\xBFjo@x.com\n",
			rows: []string{"1:1:jo@x.com:"}},
		{name: "quoted fields", in: "name,email,note\n\"Doe, Jo\",jo@x.com,\"said \"\"hi\"\"\"\n\"Multi\nline\",ann@y.com,\"a\r\nb\"\nZ,\"z@z.com\",\n",
			delim: ',', header: []string{"name", "email", "note"}, index: 1,
			rows: []string{"2:1:jo@x.com:", "3:2:ann@y.com:", "6:3:z@z.com:"}},
		{name: "CRLF", in: "email,name\r\njo@x.com,Jo\r\nann@y.com,Ann\r\n",
			delim: ',', header: []string{"email", "name"}, rows: []string{"2:1:jo@x.com:", "3:2:ann@y.com:"}},
		{name: "CR only", in: "email,name\rjo@x.com,Jo\rann@y.com,Ann\r",
			delim: ',', header: []string{"email", "name"}, rows: []string{"2:1:jo@x.com:", "3:2:ann@y.com:"}},
		{name: "plain text", in: "jo@x.com\nann@y.com\n\nnot-an-address\n  \n\"ann@z.com\"\n\"john doe\"@example.com\r\n",
			rows: []string{"1:1:jo@x.com:", "2:2:ann@y.com:", "4:3:not-an-address:invalid_email",
				"5:4::empty_row", "6:5:ann@z.com:", `7:6:"john doe"@example.com:`}},
		{name: "plain text with header", in: "Email\njo@x.com\n",
			header: []string{"Email"}, rows: []string{"2:1:jo@x.com:"}},
		{name: "trailing and inner blank lines", in: "email\n\njo@x.com\n\r\nann@y.com\n\n\n\n",
			delim: 0, header: []string{"email"}, rows: []string{"3:1:jo@x.com:", "5:2:ann@y.com:"}},
		{name: "header only", in: "name,email\n", delim: ',', header: []string{"name", "email"}, index: 1},
		{name: "column by header name", in: "name,Work,Home\nJo,jo@x.com,jo@y.com\n", opts: Options{EmailColumn: "work"},
			delim: ',', header: []string{"name", "Work", "Home"}, index: 1, rows: []string{"2:1:jo@x.com:"}},
		{name: "column by index", in: "x@y.com,n,jo@x.com\nz@y.com,m,ann@y.com\n", opts: Options{EmailColumn: "3"},
			delim: ',', index: 2, rows: []string{"1:1:jo@x.com:", "2:2:ann@y.com:"}},
		{name: "column by index with header", in: "a,b\nJo,jo@x.com\n", opts: Options{EmailColumn: " 2 "},
			delim: ',', header: []string{"a", "b"}, index: 1, rows: []string{"2:1:jo@x.com:"}},
		{name: "column detected, not first", in: "Jo,Doe,jo@x.com,Paris\nAnn,Roe,ann@y.com,Lyon\nBob,Poe,,Nice\n",
			delim: ',', index: 2, rows: []string{"1:1:jo@x.com:", "2:2:ann@y.com:", "3:3::no_email"}},
		{name: "header found by the next row", in: "Name,Contact,City\n,,\nJo,jo@x.com,Paris\n",
			delim: ',', header: []string{"Name", "Contact", "City"}, index: 1, rows: []string{"2:1::empty_row", "3:2:jo@x.com:"}},
		{name: "header name with addresses wins", in: "Email opt in,Work email\nyes,jo@x.com\n",
			delim: ',', header: []string{"Email opt in", "Work email"}, index: 1, rows: []string{"2:1:jo@x.com:"}},
		{name: "header name without addresses", in: "name,email,other\nJo,,x\n",
			delim: ',', header: []string{"name", "email", "other"}, index: 1, rows: []string{"2:1::no_email"}},
		{name: "skip reasons", in: "name,email,city\n,,\n  ,  ,  \nJo\nJo,,Paris\nJo,not an address,Paris\nJo, jo@x.com ,Paris\n",
			delim: ',', header: []string{"name", "email", "city"}, index: 1,
			rows: []string{"2:1::empty_row", "3:2::empty_row", "4:3::missing_column", "5:4::no_email",
				"6:5:not an address:invalid_email", "7:6:jo@x.com:"}},
		{name: "empty rows do not count towards MaxRows", in: "email,name\na@x.com,A\n,\nb@x.com,B\n", opts: Options{MaxRows: 2},
			delim: ',', header: []string{"email", "name"}, rows: []string{"2:1:a@x.com:", "3:2::empty_row", "4:3:b@x.com:"}},
		{name: "line of exactly MaxLineBytes with CRLF", in: "email\r\n12345678@example.com\r\n", opts: Options{MaxLineBytes: 20},
			header: []string{"email"}, rows: []string{"2:1:12345678@example.com:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, rows, err := readAll(tt.in, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if r.Delimiter() != tt.delim {
				t.Errorf("Delimiter = %q, want %q", r.Delimiter(), tt.delim)
			}
			if !slices.Equal(r.Header(), tt.header) || (r.Header() == nil) != (tt.header == nil) {
				t.Errorf("Header = %q, want %q", r.Header(), tt.header)
			}
			if r.EmailIndex() != tt.index {
				t.Errorf("EmailIndex = %d, want %d", r.EmailIndex(), tt.index)
			}
			var got []string
			for _, row := range rows {
				got = append(got, brief(row))
				if (row.Skip == "") != (row.Address.Normalized != "") {
					t.Errorf("row %d: Skip %q with Address %q", row.Number, row.Skip, row.Address.Normalized)
				}
				if (row.Skip == SkipInvalidEmail) != (row.Problem != nil) {
					t.Errorf("row %d: Skip %q with Problem %v", row.Number, row.Skip, row.Problem)
				}
			}
			if !slices.Equal(got, tt.rows) {
				t.Errorf("rows:\n got %q\nwant %q", got, tt.rows)
			}
		})
	}
}

func TestQuotedFieldValues(t *testing.T) {
	in := "name,email,note\n\"Doe, Jo\",jo@x.com,\"said \"\"hi\"\"\"\n\"Multi\nline\",ann@y.com,\"a\r\nb\"\n"
	_, rows, err := readAll(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"Doe, Jo", "jo@x.com", `said "hi"`}, {"Multi\nline", "ann@y.com", "a\nb"}}
	for i, row := range rows {
		if !slices.Equal(row.Fields, want[i]) {
			t.Errorf("row %d: Fields %q, want %q", i+1, row.Fields, want[i])
		}
	}
}

func TestMalformed(t *testing.T) {
	long := strings.Repeat("x", 70<<10)
	tests := []struct {
		name string
		in   string
		opts Options
		want string // error text, as a prefix
	}{
		{"bare quote", "email,name\njo@x.com,Jo\nann@y.com,An\"n\n", Options{},
			`line 3: bare " in non-quoted field`},
		{"bare quote after a multi-line record", "email,note\njo@x.com,\"a\nb\"\nann@y.com,x\"y\n", Options{},
			`line 4: bare " in non-quoted field`},
		{"quote not closed", "email,note\njo@x.com,\"abc\nann@y.com,x\n", Options{},
			`line 2: extraneous or missing " in quoted field (the record runs on to line 3)`},
		{"text after closing quote", "email,note\njo@x.com,\"abc\"x\n", Options{},
			`line 2: extraneous or missing " in quoted field`},
		{"invalid UTF-8", "email,name\njo@x.com,Jo\nann@y.com,\xff\n", Options{}, "line 3: invalid UTF-8"},
		{"invalid UTF-8 inside a multi-line field", "email,note\njo@x.com,\"a\n\xffb\"\n", Options{}, "line 3: invalid UTF-8"},
		{"invalid UTF-8 in the header", "Pr\xe9nom,email\nJo,jo@x.com\n", Options{}, "line 1: invalid UTF-8"},
		{"invalid UTF-8 in plain text", "jo@x.com\n\xff@x.com\n", Options{}, "line 2: invalid UTF-8"},
		{"line over MaxLineBytes", "email\njo@x.com\nann@y.com," + strings.Repeat("y", 30) + "\nz@z.com\n",
			Options{MaxLineBytes: 20}, "line 3: line is longer than 20 bytes"},
		{"line over MaxLineBytes, plain text", "email\njo@x.com\n" + strings.Repeat("y", 30) + "@x.com\n",
			Options{MaxLineBytes: 20}, "line 3: line is longer than 20 bytes"},
		{"last line over MaxLineBytes", "email\njo@x.com\n" + strings.Repeat("y", 21),
			Options{MaxLineBytes: 20}, "line 3: line is longer than 20 bytes"},
		{"first line longer than the sniff buffer", long + "\njo@x.com\n", Options{},
			"line 1: line is longer than 65536 bytes"},
		{"line after the sniff buffer over the limit", "email\njo@x.com\n" + strings.Repeat("a@x.com\n", 10000) + long + "\n", Options{},
			"line 10003: line is longer than 65536 bytes"},
		{"quote left open on a big file", "email,note\njo@x.com,\"open\n" + strings.Repeat(strings.Repeat("z", 49)+"\n", 100),
			Options{MaxLineBytes: 100}, "line 2: record is longer than 1600 bytes"},
		{"too many rows", "email\na@x.com\nb@x.com\nc@x.com\n", Options{MaxRows: 2}, "line 4: the file has more than 2 rows"},
		{"no email column", "a,b\nc,d\n", Options{}, "line 1: no column of email addresses found; name it with email_column"},
		{"no email column, plain text", "hello\nworld\n", Options{}, "line 1: no column of email addresses found"},
		{"unknown named column", "name,email\nJo,jo@x.com\n", Options{EmailColumn: "mail2"},
			`line 1: email column "mail2" not found; the header has: "name", "email"`},
		{"named column without a header", "Jo,jo@x.com\n", Options{EmailColumn: "mail"},
			`line 1: email column "mail" not found: the file has no header row`},
		{"column index out of range", "name,email\nJo,jo@x.com\n", Options{EmailColumn: "3"},
			"line 1: email column 3 is out of range: the file has 2 columns"},
		{"column index zero", "name,email\nJo,jo@x.com\n", Options{EmailColumn: "0"}, "line 1: email column 0"},
		{"syntax error beats no column", "name,\"bad\"x\nfoo,bar\n", Options{}, `line 1: extraneous or missing "`},
		{"empty", "", Options{}, "line 1: the file is empty"},
		{"only a BOM and blank lines", "\xEF\xBB\xBF\r\n\n", Options{}, "line 1: the file is empty"},
		{"UTF-16", "\xFF\xFEe\x00m\x00", Options{}, "line 1: the file is UTF-16 text"},
		{"xlsx", "PK\x03\x04\x14\x00", Options{}, "line 1: this looks like an Excel workbook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(tt.in, tt.opts)
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %q, want prefix %q", err, tt.want)
			}
			var fe *FileError
			if !errors.As(err, &fe) && !errors.Is(err, ErrTooManyRows) {
				t.Fatalf("error %T is neither a *FileError nor ErrTooManyRows", err)
			}
		})
	}
}

func TestTooManyRowsError(t *testing.T) {
	r, err := NewReader(strings.NewReader("email\na@x.com\nb@x.com\nc@x.com\n"), Options{MaxRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	var last error
	for n := 0; n < 5 && last == nil; n++ {
		_, last = r.Next()
	}
	var tm *TooManyRowsError
	if !errors.Is(last, ErrTooManyRows) || !errors.As(last, &tm) || tm.Limit != 2 || tm.Line != 4 {
		t.Fatalf("got %#v, want *TooManyRowsError{Limit: 2, Line: 4}", last)
	}
	if _, err := r.Next(); err != last {
		t.Fatalf("Next after the error = %v, want the same error", err)
	}
}

// failingReader returns its data, then err.
type failingReader struct {
	data string
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.data == "" {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadErrorPassesThrough(t *testing.T) {
	boom := errors.New("connection reset")
	for _, data := range []string{"", "email\njo@x.com\n", "jo@x.com,Jo\n"} {
		r, err := NewReader(&failingReader{data: data, err: boom}, Options{})
		if err == nil {
			for err == nil {
				_, err = r.Next()
			}
		}
		var fe *FileError
		if !errors.Is(err, boom) || errors.As(err, &fe) {
			t.Errorf("data %q: error %v, want the reader's error, not a FileError", data, err)
		}
	}
}

func TestFieldsAreNotReused(t *testing.T) {
	r, err := NewReader(strings.NewReader("email,name\na@x.com,A\nb@x.com,B\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := r.Next()
	kept := first.Fields
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(kept, []string{"a@x.com", "A"}) {
		t.Fatalf("first row's fields changed to %q", kept)
	}
}

func TestUnquoteLine(t *testing.T) {
	for in, want := range map[string]string{
		`"jo@x.com"`:             "jo@x.com",
		` "jo@x.com" `:           "jo@x.com",
		`"a""b@x.com"`:           `a"b@x.com`,
		`"john doe"@example.com`: `"john doe"@example.com`,
		`"a"b"`:                  `"a"b"`,
		`"`:                      `"`,
		`jo@x.com`:               "jo@x.com",
	} {
		if got := unquoteLine(in); got != want {
			t.Errorf("unquoteLine(%q) = %q, want %q", in, got, want)
		}
	}
}
