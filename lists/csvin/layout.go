package csvin

import (
	"fmt"
	"strconv"
	"strings"
)

// layout is what sniffing decides besides the delimiter.
type layout struct {
	header bool
	index  int // 0-based email column
}

func noColumnError() *FileError {
	return &FileError{Line: 1, Msg: "no column of email addresses found; name it with email_column"}
}

// detectLayout decides whether recs[0] is a header and which column holds
// the addresses. column is Options.EmailColumn.
func detectLayout(recs [][]string, column string) (layout, *FileError) {
	if column = strings.TrimSpace(column); column != "" {
		return namedLayout(recs, column)
	}
	if len(recs) == 0 {
		return layout{}, noColumnError()
	}
	header := isHeader(recs)
	data := recs
	if header {
		data = recs[1:]
	}
	data = data[:min(len(data), sampleRows)]
	hits := columnHits(data)
	named := -1
	if header {
		withHits, first := namedColumn(recs[0], hits)
		if withHits >= 0 {
			return layout{header: true, index: withHits}, nil
		}
		named = first
	}
	best := 0
	for i, h := range hits {
		if h > hits[best] {
			best = i
		}
	}
	switch {
	case len(hits) > 0 && hits[best] > 0:
		return layout{header: header, index: best}, nil
	case named >= 0:
		// The header says so, though the sample has no address there.
		return layout{header: true, index: named}, nil
	}
	return layout{}, noColumnError()
}

// namedLayout applies an explicit email column: a header name (matched
// case-insensitively, which makes recs[0] the header) or a 1-based index.
func namedLayout(recs [][]string, column string) (layout, *FileError) {
	if len(recs) > 0 {
		for i, name := range recs[0] {
			if strings.EqualFold(strings.TrimSpace(name), column) {
				return layout{header: true, index: i}, nil
			}
		}
	}
	header := isHeader(recs)
	n, err := strconv.Atoi(column)
	if err != nil {
		if header {
			return layout{}, &FileError{Line: 1, Msg: fmt.Sprintf("email column %q not found; the header has: %s", column, listNames(recs[0]))}
		}
		return layout{}, &FileError{Line: 1, Msg: fmt.Sprintf("email column %q not found: the file has no header row; give the column number instead", column)}
	}
	width := 0
	for _, rec := range recs {
		width = max(width, len(rec))
	}
	switch {
	case n < 1:
		return layout{}, &FileError{Line: 1, Msg: fmt.Sprintf("email column %d: columns are numbered from 1", n)}
	case width > 0 && n > width:
		return layout{}, &FileError{Line: 1, Msg: fmt.Sprintf("email column %d is out of range: the file has %d columns", n, width)}
	}
	return layout{header: header, index: n - 1}, nil
}

// listNames quotes header names for an error message, up to a point.
func listNames(header []string) string {
	const most = 20
	var b strings.Builder
	for i, name := range header {
		if i == most {
			fmt.Fprintf(&b, ", … (%d more)", len(header)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(name))
	}
	return b.String()
}
