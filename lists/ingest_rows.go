package lists

import (
	"errors"
	"hash/fnv"
	"io"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"mailvet/lists/csvin"
	"mailvet/verify"
)

// ingest turns source rows into COPY rows, de-duplicating as it goes and
// noting where each verification batch starts and ends.
type ingest struct {
	// The IDs as pgtype.UUID, which COPY encodes directly: a uuid.UUID
	// goes through database/sql's Valuer, a failed encode plan with a
	// formatted error and a text round trip on every row, which cost about
	// a third of the ingest's CPU on a million rows.
	tenantID, listID pgtype.UUID
	mode             string
	src              rowSource
	seen             map[uint64]int32 // dedupe key hash -> first row number
	err              error            // the file's error, if it stopped the copy

	// unique counts the rows with an address of their own (not a
	// duplicate, not skipped); invalid those of them that do not parse,
	// which get their verdict here (verify.SyntaxVerdict) and cost
	// nothing; pending the rest, which the batches verify.
	total, unique, invalid, duplicates, skipped int
	widest                                      int   // most fields in one row
	marks                                       []int // first row number of every batchGrain pending rows
	pendingRows                                 int   // rows the batches verify
	lastPending                                 int
}

func newIngest(tenantID, listID uuid.UUID, mode string, src rowSource) *ingest {
	return &ingest{tenantID: pgtype.UUID{Bytes: tenantID, Valid: true}, listID: pgtype.UUID{Bytes: listID, Valid: true},
		mode: mode, src: src, seen: map[uint64]int32{}}
}

// next is the pgx CopyFromFunc: it reads one row per call.
func (g *ingest) next() ([]any, error) {
	row, err := g.src.Next()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		g.err = err
		return nil, err
	}
	g.total++
	g.widest = max(g.widest, len(row.Fields))
	// Judged before dropNUL: an address that held a NUL byte does not
	// parse, whatever is left of it once the byte is dropped.
	verdict, invalid := verify.Result{}, false
	if row.Skip == "" || row.Skip == csvin.SkipInvalidEmail {
		verdict, invalid = verify.SyntaxVerdict(row.Email)
	}
	dropNUL(&row)
	state, skip, dupOf := "pending", any(nil), any(nil)
	// v is the verdict's columns (status … checked_at), nil until known.
	var v [8]any
	switch {
	case invalid:
		// Not a skipped row: an address with the verdict /v1/verify gives
		// it (flags all false). Duplicates of it are found by its text.
		state = "done"
		v = [8]any{string(verdict.Status), string(verdict.Reason), verdict.Score, false, false, false, false, verdict.CheckedAt}
		dupOf = g.duplicateOf(invalidKey(g.mode, row.Email), row.Number)
	case row.Skip != "":
		state, skip = "skipped", row.Skip
		g.skipped++
	default:
		// The source parsed the address already (Row.Address).
		dupOf = g.duplicateOf(csvin.DedupeKey(g.mode, row.Address), row.Number)
	}
	switch {
	case dupOf != nil:
		state, v = "duplicate", [8]any{}
		g.duplicates++
	case state == "done":
		g.unique++
		g.invalid++
	case state == "pending":
		g.unique++
		g.notePending(row.Number)
	}
	return append([]any{g.tenantID, g.listID, row.Number, row.Line, row.Fields, row.Email, state, skip, dupOf}, v[:]...), nil
}

// duplicateOf returns the row number of the first row with the same dedupe
// key (nil: none, or key "", which is never a duplicate), noting this row
// as the first of its key otherwise.
func (g *ingest) duplicateOf(key string, rowNo int) any {
	if key == "" {
		return nil
	}
	h := hashKey(key)
	if first, ok := g.seen[h]; ok {
		return first
	}
	g.seen[h] = int32(rowNo)
	return nil
}

// invalidKey is the dedupe key of an address that does not parse: its
// text (ignoring case unless the mode is exact), apart from every valid
// address's key.
func invalidKey(mode, email string) string {
	switch mode {
	case csvin.DedupeNone:
		return ""
	case csvin.DedupeExact:
		return "\x00invalid:" + email
	}
	return "\x00invalid:" + strings.ToLower(email)
}

// dropNUL removes NUL bytes, which PostgreSQL text cannot hold, from a
// row's cells, so that such an upload is stored rather than refused with a
// server error. An address that held one is not the address that was sent:
// it was judged invalid_syntax before (verify.SyntaxVerdict), never
// verified as another address. Other cells are kept without their NULs.
func dropNUL(row *csvin.Row) {
	if strings.IndexByte(row.Email, 0) >= 0 {
		row.Email = withoutNUL(row.Email)
	}
	for i, f := range row.Fields { // the row's to keep (csvin.Row.Fields)
		if strings.IndexByte(f, 0) >= 0 {
			row.Fields[i] = withoutNUL(f)
		}
	}
}

func withoutNUL(s string) string { return strings.ReplaceAll(s, "\x00", "") }

// Batch sizes, decided once the whole list is read: a small list goes in
// small batches so that they spread over the workers; a big one starts
// with one small batch, for a first sight of progress, and goes on in
// large ones (Options.BatchRows), so that the engine pipelines many
// addresses of a domain per connection and the per-batch costs (reading
// the rows, locking the list, completing the job) count for thousands of
// rows at a time.
const (
	batchGrain = 100  // pending rows per mark; every batch is whole marks
	smallBatch = 100  // a small list's batches
	smallUntil = 2000 // pending rows up to which a list is small
	firstBatch = 1000 // a big list's first batch (at most its others')
)

func (g *ingest) notePending(rowNo int) {
	if g.pendingRows%batchGrain == 0 {
		g.marks = append(g.marks, rowNo)
	}
	g.pendingRows++
	g.lastPending = rowNo
}

// batches returns [from, to] row-number ranges covering every pending row,
// a big list's (after the first) of largeBatch rows (whole marks).
func (g *ingest) batches(largeBatch int) [][2]int {
	var out [][2]int
	for i := 0; i < len(g.marks); {
		size := largeBatch
		switch {
		case g.pendingRows <= smallUntil:
			size = smallBatch
		case i == 0:
			size = min(firstBatch, largeBatch)
		}
		size = max(size, batchGrain)
		next := i + size/batchGrain
		to := g.lastPending
		if next < len(g.marks) {
			to = g.marks[next] - 1
		}
		out = append(out, [2]int{g.marks[i], to})
		i = next
	}
	return out
}

// exportHeader is the header the list keeps for its exports: the file's,
// widened with column_N names when some row has more fields than it (or,
// for a file without a header, named column_1… with the address column
// called email), so that every exported row lines up with its columns.
// nil: a single-column file without a header.
func exportHeader(header []string, emailIndex, widest int) []string {
	if header == nil && widest <= 1 {
		return nil
	}
	out := make([]string, len(header), max(len(header), widest))
	for i, h := range header {
		out[i] = withoutNUL(h)
	}
	for i := len(out); i < widest; i++ {
		name := "column_" + strconv.Itoa(i+1)
		if header == nil && i == emailIndex {
			name = "email"
		}
		out = append(out, name)
	}
	return out
}

// hashKey maps a dedupe key to 64 bits: a set of 1M of them costs tens of
// megabytes where the keys themselves would cost hundreds.
func hashKey(k string) uint64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, k)
	return h.Sum64()
}
