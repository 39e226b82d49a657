package importjson

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/uuid"

	"mailvet/actor"
	"mailvet/audit"
	"mailvet/db"
	"mailvet/webhooks"
)

// AuditFileImported is the audit action of one imported file, with its
// counts.
const AuditFileImported = "import_json.file_imported"

// Endpoints makes the webhook endpoints of CRM configs (webhooks.Service).
type Endpoints interface {
	ImportEndpoint(ctx context.Context, tx db.Tx, tenantID uuid.UUID, rawURL, description string) (webhooks.Endpoint, error)
}

// Importer imports the old service's files into a tenant.
type Importer struct {
	db        *db.DB
	endpoints Endpoints
}

// New returns an Importer.
func New(d *db.DB, endpoints Endpoints) *Importer {
	return &Importer{db: d, endpoints: endpoints}
}

// Options of a run.
type Options struct {
	// DryRun runs every file's import in its transaction and rolls it
	// back: the report is the one a real run would print.
	DryRun bool
	By     actor.Actor // who the audit log says imported
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// Run imports the files of dir it knows into the tenant, each in one
// transaction, and reports what it imported and skipped. A file that
// cannot be read to its end imports nothing and is reported failed; the
// other files still run. The error is for the run as a whole (dir
// unreadable, the database gone).
func (im *Importer) Run(ctx context.Context, tenantID uuid.UUID, dir string, opts Options) (Report, error) {
	rep := Report{DryRun: opts.DryRun}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return rep, err
	}
	files := im.files()
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") && !slices.ContainsFunc(files, func(f file) bool { return f.name == e.Name() }) {
			rep.Ignored = append(rep.Ignored, e.Name())
		}
	}
	for _, f := range files {
		fr, err := im.runFile(ctx, tenantID, filepath.Join(dir, f.name), f, opts)
		if err != nil {
			return rep, fmt.Errorf("%s: %w", f.name, err)
		}
		rep.Files = append(rep.Files, fr)
	}
	return rep, nil
}

// file is one kind of file: how its records become rows of ours.
type file struct {
	name   string
	target string // the import_records target type
	batch  int    // records claimed and written together
	// parse checks a record; its error is the reason it is skipped.
	parse func(Record) (any, error)
	// write imports claimed records in tx and returns each one's outcome.
	write func(ctx context.Context, tx db.Tx, tenantID uuid.UUID, items []item, fr *FileReport) ([]outcome, error)
}

// item is a parsed record under its source id.
type item struct {
	rec   Record
	id    string
	value any
}

// outcome is what became of one written item: the row it made, or why
// it was skipped after all.
type outcome struct {
	target string
	skip   error
}

func (im *Importer) files() []file {
	return []file{emailsFile(), jobsFile(), keysFile(), crmConfigsFile(im.endpoints), crmUploadsFile()}
}

// runFile imports one file in one transaction. Its errors are the
// database's; the file's own problems go to the report.
func (im *Importer) runFile(ctx context.Context, tenantID uuid.UUID, path string, f file, opts Options) (FileReport, error) {
	fr := FileReport{File: f.name}
	in, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		fr.Missing = true
		return fr, nil
	}
	if err != nil {
		fr.Err = err
		return fr, nil
	}
	defer in.Close()
	var fileErr error
	err = im.db.Tx(ctx, db.Tenant(tenantID), func(ctx context.Context, tx db.Tx) error {
		c := claimer{tx: tx, tenantID: tenantID, file: f.name, target: f.target, run: uuid.New()}
		var batch []item
		flush := func() error {
			if err := c.importBatch(ctx, f, batch, &fr); err != nil {
				return err
			}
			batch = batch[:0]
			return nil
		}
		var dbErr error
		readErr := Each(in, func(rec Record) error {
			fr.Read++
			if rec.Err != nil {
				fr.skip(rec, "", rec.Err)
				return nil
			}
			id := rec.SourceID()
			if len(id) > 512 {
				fr.skip(rec, "", errors.New("id longer than 512 characters"))
				return nil
			}
			v, err := f.parse(rec)
			if err != nil {
				fr.skip(rec, id, err)
				return nil
			}
			if batch = append(batch, item{rec: rec, id: id, value: v}); len(batch) >= f.batch {
				dbErr = flush()
			}
			return dbErr
		})
		switch {
		case dbErr != nil:
			return dbErr
		case readErr != nil:
			fileErr = readErr
			return readErr
		}
		if err := flush(); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, tenantID, opts.By, AuditFileImported, "import_file", f.name, map[string]any{
			"read": fr.Read, "imported": fr.Imported, "already_imported": fr.Already, "skipped": fr.Skipped,
		}); err != nil {
			return err
		}
		if opts.DryRun {
			return errDryRun
		}
		return nil
	})
	switch {
	case fileErr != nil && errors.Is(err, fileErr):
		fr.Err = fileErr
		fr.Imported, fr.Already = 0, 0
		return fr, nil
	case errors.Is(err, errDryRun):
		return fr, nil
	}
	return fr, err
}
