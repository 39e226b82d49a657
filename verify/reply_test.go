package verify

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReadReply(t *testing.T) {
	for _, tc := range []struct {
		in       string
		code     int
		enhanced string
		lines    int
		err      error
	}{
		{"250 OK\r\n", 250, "", 1, nil},
		{"250\r\n", 250, "", 1, nil},
		{"550 5.1.1 <a@b>: User unknown\r\n", 550, "5.1.1", 1, nil},
		{"250-mx.example.test\r\n250-PIPELINING\r\n250 SIZE 1000\r\n", 250, "", 3, nil},
		{"550-5.1.1 The email account\r\n550-5.1.1 does not exist\r\n550 5.1.1 x\r\n", 550, "5.1.1", 3, nil},
		{"452 4.5.3 Too many recipients\n", 452, "4.5.3", 1, nil},
		{"250 2.1.0 Ok\r\n", 250, "2.1.0", 1, nil},
		{"550 4.1.1 wrong class\r\n", 550, "", 1, nil},
		{"250-a\r\n251 b\r\n", 0, "", 0, errBadReply},
		{"2x0 nope\r\n", 0, "", 0, errBadReply},
		{"25\r\n", 0, "", 0, errBadReply},
		{"250?x\r\n", 0, "", 0, errBadReply},
		{"999 x\r\n", 0, "", 0, errBadReply},
		{"250-never ends\r\n", 0, "", 0, io.EOF},
		{strings.Repeat("250-x\r\n", 1000), 0, "", 0, errReplyTooLong},
		{"250 " + strings.Repeat("x", 10<<20) + "\r\n", 0, "", 0, errReplyTooLong},
	} {
		r, err := readReply(bufio.NewReaderSize(strings.NewReader(tc.in), maxReplyLineLen))
		name := tc.in
		if len(name) > 40 {
			name = name[:40]
		}
		if tc.err != nil {
			if !errors.Is(err, tc.err) {
				t.Errorf("%q: err %v, want %v", name, err, tc.err)
			}
			continue
		}
		if err != nil || r.Code != tc.code || r.Enhanced != tc.enhanced || len(r.Lines) != tc.lines {
			t.Errorf("%q: got %+v %v", name, r, err)
		}
	}
}

func TestReplyText(t *testing.T) {
	r, _ := readReply(bufio.NewReader(strings.NewReader("550-5.1.1 The account\r\n550 5.1.1 does not exist\r\n")))
	if got := r.Text(); got != "550 5.1.1 The account does not exist" {
		t.Fatalf("%q", got)
	}
}

func FuzzReadReply(f *testing.F) {
	for _, s := range []string{"250 OK\r\n", "250-a\r\n250 b\r\n", "550 5.1.1 x\r\n", "421\r\n", "250-x\n250", "\r\n", "5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := readReply(bufio.NewReaderSize(strings.NewReader(in), maxReplyLineLen))
		if err != nil {
			return
		}
		if r.Code < 200 || r.Code > 599 || len(r.Lines) == 0 || len(r.Lines) > maxReplyLines {
			t.Fatalf("accepted bad reply %+v from %q", r, in)
		}
		_ = r.Text()
	})
}
