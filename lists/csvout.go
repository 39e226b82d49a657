package lists

import (
	"encoding/csv"
	"io"

	"mailvet/safetext"
)

// csvOut is the one way lists write CSV: every cell goes through
// safetext.CSVCell, so an uploaded "=HYPERLINK(…)" comes back as text a
// spreadsheet shows, never as a formula it runs (OWASP "CSV injection").
type csvOut struct{ w *csv.Writer }

func newCSVOut(w io.Writer) csvOut { return csvOut{w: csv.NewWriter(w)} }

// Write writes one record, neutralising its cells in place.
func (c csvOut) Write(record []string) error {
	for i, cell := range record {
		record[i] = safetext.CSVCell(cell)
	}
	return c.w.Write(record)
}

// Flush writes what is buffered and reports any error of the writes.
func (c csvOut) Flush() error {
	c.w.Flush()
	return c.w.Error()
}
