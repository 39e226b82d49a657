package verify

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Reply limits. RFC 5321 caps a reply line at 512 octets; real servers
// exceed it a little, malicious ones a lot. Past these caps the connection
// is dropped instead of buffering without end.
const (
	maxReplyLineLen = 2048
	maxReplyLines   = 64
)

var (
	errReplyTooLong = errors.New("smtp: reply exceeds size limit")
	errBadReply     = errors.New("smtp: malformed reply")
)

// reply is one SMTP server reply, possibly multi-line.
type reply struct {
	Code     int
	Enhanced string   // e.g. "5.1.1", when the server sent one
	Lines    []string // text of each line, without code and separator
}

// Text joins the reply's lines, as shown in results.
func (r reply) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d", r.Code)
	if r.Enhanced != "" {
		b.WriteString(" " + r.Enhanced)
	}
	for _, l := range r.Lines {
		b.WriteString(" ")
		b.WriteString(strings.TrimSpace(strings.TrimPrefix(l, r.Enhanced)))
	}
	return strings.TrimSpace(b.String())
}

func (r reply) class() int { return r.Code / 100 }

// readReply reads one reply: lines "ddd-text" continue, "ddd text" (or a
// bare "ddd") ends it. The caller sets the read deadline; this bounds size.
func readReply(br *bufio.Reader) (reply, error) {
	var r reply
	for n := 0; ; n++ {
		if n >= maxReplyLines {
			return r, errReplyTooLong
		}
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) || len(line) > maxReplyLineLen {
			return r, errReplyTooLong
		}
		if err != nil {
			return r, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) < 3 {
			return r, errBadReply
		}
		code, err := strconv.Atoi(string(line[:3]))
		if err != nil || code < 200 || code > 599 {
			return r, errBadReply
		}
		if r.Code == 0 {
			r.Code = code
		} else if code != r.Code {
			return r, errBadReply
		}
		last := len(line) == 3 || line[3] == ' '
		if !last && line[3] != '-' {
			return r, errBadReply
		}
		text := ""
		if len(line) > 4 {
			text = string(line[4:])
		}
		if n == 0 {
			r.Enhanced = enhancedCode(text, code)
		}
		r.Lines = append(r.Lines, text)
		if last {
			return r, nil
		}
	}
}

// enhancedCode extracts an RFC 3463 status like "5.1.1" from the start of
// text when its class matches the reply code's.
func enhancedCode(text string, code int) string {
	field, _, _ := strings.Cut(text, " ")
	parts := strings.Split(field, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || parts[0][0] != byte('0'+code/100) {
		return ""
	}
	for _, p := range parts[1:] {
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 999 || len(p) > 3 {
			return ""
		}
	}
	return field
}
