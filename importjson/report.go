package importjson

import (
	"fmt"
	"io"
)

// maxListed bounds the skip lines one file's report keeps: a file of
// millions of bad records is counted in full but listed only so far, so
// the report, like the reading, stays small.
const maxListed = 1000

// Report is what one run imported, skipped and why.
type Report struct {
	DryRun bool
	Files  []FileReport
	// Ignored are the files of the directory the old service did not write.
	Ignored []string
}

// FileReport is one file's part of the run.
type FileReport struct {
	File     string
	Missing  bool  // the directory has no such file
	Err      error // the file could not be read to its end: nothing of it was imported
	Read     int   // records read
	Imported int   // records imported
	Already  int   // records an earlier run imported
	Skipped  int   // records skipped (Skips lists them, up to maxListed)
	Skips    []Line
	// Notes are parts of imported records left out (a job's row without
	// an address or verdict), listed like the skips.
	Notes    []Line
	NoteRows int
	Unlisted int // skips and notes counted but not listed
}

// Line is one record's line of the report.
type Line struct {
	Index    int    // the record's position in the file, from 1
	SourceID string // "" when it has none to tell
	Reason   string
}

func (f *FileReport) skip(rec Record, id string, reason error) {
	f.Skipped++
	f.add(&f.Skips, Line{Index: rec.Index, SourceID: id, Reason: reason.Error()})
}

func (f *FileReport) note(l Line) {
	f.NoteRows++
	f.add(&f.Notes, l)
}

func (f *FileReport) add(to *[]Line, l Line) {
	if len(f.Skips)+len(f.Notes) >= maxListed {
		f.Unlisted++
		return
	}
	*to = append(*to, l)
}

// Failed reports whether a file could not be imported.
func (r Report) Failed() bool {
	for _, f := range r.Files {
		if f.Err != nil {
			return true
		}
	}
	return false
}

// Write prints the report: a summary line per file, then one line per
// skipped record and per note.
func (r Report) Write(w io.Writer) error {
	ew := &errWriter{w: w}
	if r.DryRun {
		ew.printf("dry run: nothing was written\n")
	}
	for _, f := range r.Files {
		switch {
		case f.Missing:
			ew.printf("%s: not in the directory\n", f.File)
			continue
		case f.Err != nil:
			ew.printf("%s: FAILED after %d records, nothing of it imported: %v\n", f.File, f.Read, f.Err)
		default:
			ew.printf("%s: %d read, %d imported, %d already imported, %d skipped\n", f.File, f.Read, f.Imported, f.Already, f.Skipped)
		}
		for _, l := range f.Skips {
			ew.printf("  %s: skipped: %s\n", l.where(), l.Reason)
		}
		for _, l := range f.Notes {
			ew.printf("  %s: %s\n", l.where(), l.Reason)
		}
		if f.Unlisted > 0 {
			ew.printf("  … and %d more lines not listed\n", f.Unlisted)
		}
	}
	for _, name := range r.Ignored {
		ew.printf("%s: ignored: not a file of the old service\n", name)
	}
	return ew.err
}

func (l Line) where() string {
	if l.SourceID == "" {
		return fmt.Sprintf("#%d", l.Index)
	}
	return fmt.Sprintf("#%d (id %q)", l.Index, clip(l.SourceID))
}

// errWriter keeps the first write error, so Write checks once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
