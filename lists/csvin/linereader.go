package csvin

import (
	"bytes"
	"fmt"
	"io"
)

// lineReader sits between the input and the parser. It counts lines,
// refuses a line longer than maxLine, turns old-Mac CR line ends into LF
// and bounds the size of one record.
//
// encoding/csv has no limits of its own: it would buffer a whole 100 MB
// line, or everything after an unclosed quote. The parser only asks for
// more input when the data it has holds no complete line, so everything
// delivered since the end of the last record (recStart) belongs to the
// record being parsed.
type lineReader struct {
	r       io.Reader
	maxLine int
	maxRec  int64 // 0: no record bound (plain text, where a record is a line)
	crOnly  bool

	line     int   // 1-based number of the line being delivered
	lineLen  int   // bytes of that line delivered so far, '\n' excluded
	lastCR   bool  // the last byte delivered was '\r'
	off      int64 // bytes delivered
	recStart int64 // offset where the current record starts; set by Reader

	err       *FileError // line too long: returned for ever after
	eof       bool
	truncated bool // fake EOF given because a record outgrew maxRec
}

func newLineReader(r io.Reader, maxLine int, maxRec int64, crOnly bool) *lineReader {
	return &lineReader{r: r, maxLine: maxLine, maxRec: maxRec, crOnly: crOnly, line: 1}
}

func (l *lineReader) Read(p []byte) (int, error) {
	switch {
	case l.err != nil:
		return 0, l.err
	case l.eof:
		return 0, io.EOF
	case l.truncated:
		return 0, io.EOF
	case l.maxRec > 0 && l.off-l.recStart > l.maxRec:
		// A fake EOF makes the parser give up on the record; an open
		// quote then comes back as a ParseError naming its first line.
		l.truncated = true
		return 0, io.EOF
	}
	n, err := l.r.Read(p)
	p = p[:n]
	if l.crOnly {
		for i, c := range p {
			if c == '\r' {
				p[i] = '\n'
			}
		}
	}
	if k, ok := l.scan(p); !ok {
		l.off += int64(k)
		return k, l.err
	}
	l.off += int64(n)
	if err == io.EOF {
		l.eof = true
		// The last line has no '\n'; encoding/csv drops a final '\r'.
		content := l.lineLen
		if l.lastCR {
			content--
		}
		if content > l.maxLine {
			l.tooLong()
			return n, l.err
		}
	}
	return n, err
}

// scan updates the line count over p. When a line is too long it sets
// l.err and returns how many bytes of p may still be delivered.
func (l *lineReader) scan(p []byte) (int, bool) {
	for i := 0; i < len(p); {
		j := bytes.IndexByte(p[i:], '\n')
		if j < 0 {
			l.lineLen += len(p) - i
			l.lastCR = p[len(p)-1] == '\r'
			if l.lineLen > l.maxLine+1 { // even a final '\r' cannot excuse it
				l.tooLong()
				return i + (len(p) - i) - (l.lineLen - l.maxLine - 1), false
			}
			return len(p), true
		}
		l.lineLen += j
		if j > 0 {
			l.lastCR = p[i+j-1] == '\r'
		}
		content := l.lineLen
		if l.lastCR {
			content--
		}
		if content > l.maxLine {
			l.tooLong()
			return i, false
		}
		l.line++
		l.lineLen, l.lastCR = 0, false
		i += j + 1
	}
	return len(p), true
}

func (l *lineReader) tooLong() {
	l.err = &FileError{Line: l.line, Msg: fmt.Sprintf("line is longer than %d bytes", l.maxLine)}
}
