package importjson_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"mailvet/importjson"
)

// FuzzEach: the streamed reader never panics, and on any document it
// reads to the end it agrees with decoding the whole document at once:
// as many records, each object's fields the same.
func FuzzEach(f *testing.F) {
	for _, s := range []string{`[]`, `{}`, `[{"id":1,"email":"a@b.c"}]`, `{"a":{"x":1},"a":{"x":2}}`, `[1,"x",{"y":null}]`, `[{"a":1}] trailing`, `[{"a":`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var recs []importjson.Record
		err := importjson.Each(bytes.NewReader(data), func(r importjson.Record) error {
			if r.Index != len(recs)+1 {
				t.Fatalf("record %d has index %d", len(recs)+1, r.Index)
			}
			if (r.Fields == nil) == (r.Err == nil) {
				t.Fatalf("record %d: fields %v and error %v", r.Index, r.Fields, r.Err)
			}
			recs = append(recs, r)
			return nil
		})
		var whole any
		wholeErr := json.Unmarshal(data, &whole)
		if err != nil {
			if arr, ok := whole.([]any); wholeErr == nil && ok {
				t.Fatalf("a valid array of %d values refused: %v", len(arr), err)
			}
			return
		}
		if wholeErr != nil {
			t.Fatalf("read to the end a document json.Unmarshal refuses (%v)", wholeErr)
		}
		switch top := whole.(type) {
		case []any:
			if len(top) != len(recs) {
				t.Fatalf("%d records, the array has %d", len(recs), len(top))
			}
			for i, v := range top {
				obj, isObj := v.(map[string]any)
				if isObj != (recs[i].Fields != nil) {
					t.Fatalf("record %d: object %v, fields %v", i+1, isObj, recs[i].Fields)
				}
				if isObj && len(obj) != len(recs[i].Fields) {
					t.Fatalf("record %d: %d fields, want %d", i+1, len(recs[i].Fields), len(obj))
				}
			}
		case map[string]any:
			// Unmarshal keeps one value per key; the stream sees each.
			if len(recs) < len(top) {
				t.Fatalf("%d records, the object has %d keys", len(recs), len(top))
			}
		default:
			t.Fatalf("read a %T as records", whole)
		}
	})
}

// A file far larger than the memory it may use streams through in flat
// memory: the heap in use stays under 32 MB however many records. Run
// with MAILVET_BIG_IMPORT_MB=2000 for a file of 2 GB.
func TestEachLargeFileFlatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 200 MB file")
	}
	size := int64(200) << 20
	if mb := os.Getenv("MAILVET_BIG_IMPORT_MB"); mb != "" {
		var n int64
		if _, err := fmt.Sscan(mb, &n); err != nil {
			t.Fatal(err)
		}
		size = n << 20
	}
	path := filepath.Join(t.TempDir(), "emails.json")
	written, records := writeBigEmails(t, path, size)
	in, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	runtime.GC()
	var ms runtime.MemStats
	var peak uint64
	n := 0
	err = importjson.Each(in, func(r importjson.Record) error {
		if n++; n%20000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
		if r.Err != nil {
			return r.Err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&ms)
	peak = max(peak, ms.HeapInuse)
	if n != records {
		t.Fatalf("read %d records, wrote %d", n, records)
	}
	t.Logf("streamed %d MB (%d records): peak heap in use %.1f MB, total allocated %.0f MB",
		written>>20, records, float64(peak)/(1<<20), float64(ms.TotalAlloc)/(1<<20))
	if peak > 32<<20 {
		t.Fatalf("peak heap in use %.1f MB for a %d MB file: not streaming", float64(peak)/(1<<20), written>>20)
	}
}

// writeBigEmails writes an emails.json of about size bytes, record by
// record (never whole in memory), and returns its size and records.
func writeBigEmails(t *testing.T, path string, size int64) (int64, int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cw := &countWriter{w: f}
	w := bufio.NewWriterSize(cw, 1<<20)
	n := 0
	w.WriteString("[\n")
	for ; cw.n+int64(w.Buffered()) < size; n++ {
		if n > 0 {
			w.WriteString(",\n")
		}
		fmt.Fprintf(w, `{"id": "e%d", "email": "user%d@example%d.com", "status": "deliverable", "reason": "accepted_email", "score": 95, "checked_at": "2026-10-01T10:00:00Z", "free": false, "mx": "mx1.example.com"}`, n, n, n%1000)
	}
	w.WriteString("\n]\n")
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return cw.n, n
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
