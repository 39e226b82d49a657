package csvin

import (
	"io"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// listGen generates a contact list (name, email, company, city) with a
// header, one row at a time: the whole input never exists in memory.
type listGen struct {
	rows, next int
	buf        []byte
	pos        int
}

func newListGen(rows int) *listGen {
	return &listGen{rows: rows, buf: []byte("name,email,company,city\r\n")}
}

func (g *listGen) Read(p []byte) (int, error) {
	cities := [...]string{"Paris", "Lyon", "Berlin", `"Washington, D.C."`, "São Paulo"}
	n := 0
	for n < len(p) {
		if g.pos == len(g.buf) {
			if g.next == g.rows {
				break
			}
			g.next++
			i := int64(g.next)
			b := append(g.buf[:0], "Jane Doe "...)
			b = strconv.AppendInt(b, i, 10)
			b = append(b, ",jane.doe"...)
			b = strconv.AppendInt(b, i, 10)
			b = append(b, "@example.com,\"Acme, Inc. "...)
			b = strconv.AppendInt(b, i%1000, 10)
			b = append(b, "\","...)
			b = append(b, cities[i%int64(len(cities))]...)
			g.buf, g.pos = append(b, "\r\n"...), 0
		}
		c := copy(p[n:], g.buf[g.pos:])
		g.pos += c
		n += c
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

func BenchmarkReader1M(b *testing.B) {
	const rows = 1_000_000
	b.ReportAllocs()
	var elapsed time.Duration
	for b.Loop() {
		start := time.Now()
		r, err := NewReader(newListGen(rows), Options{MaxRows: rows})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			row, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if row.Skip != "" {
				b.Fatalf("row %d skipped: %s", row.Number, row.Skip)
			}
			n++
		}
		if n != rows || r.EmailIndex() != 1 {
			b.Fatalf("read %d rows, email column %d", n, r.EmailIndex())
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(rows), "rows/op")
}

// TestMemoryFlat reads a generated list and checks that the live heap
// does not grow with the number of rows read.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 300,000 rows")
	}
	const rows, every = 300_000, 50_000
	r, err := NewReader(newListGen(rows), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	var first uint64
	for n := 1; ; n++ {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n%every == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if first == 0 {
				first = ms.HeapAlloc
			} else if ms.HeapAlloc > first+2<<20 {
				t.Fatalf("after %d rows the live heap is %d bytes, was %d after %d", n, ms.HeapAlloc, first, every)
			}
		}
	}
	runtime.KeepAlive(r)
}
