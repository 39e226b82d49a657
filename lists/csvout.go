package lists

import (
	"encoding/csv"
	"io"

	"mailvet/safetext"
)

// CSVOut is the one way lists (and their runs' changes) write CSV: every cell goes through
// safetext.CSVCell, so an uploaded "=HYPERLINK(…)" comes back as text a
// spreadsheet shows, never as a formula it runs (OWASP "CSV injection").
type CSVOut struct{ w *csv.Writer }

// NewCSVOut writes CSV to w.
func NewCSVOut(w io.Writer) CSVOut { return CSVOut{w: csv.NewWriter(w)} }

// Write writes one record, neutralising its cells in place.
func (c CSVOut) Write(record []string) error {
	for i, cell := range record {
		record[i] = safetext.CSVCell(cell)
	}
	return c.w.Write(record)
}

// Flush writes what is buffered and reports any error of the writes.
func (c CSVOut) Flush() error {
	c.w.Flush()
	return c.w.Error()
}
