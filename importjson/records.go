package importjson

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun/dialect/pgdialect"

	"mailvet/db"
)

// claimer keeps import_records for one file of one run. Its statements
// are bun raw SQL with ? placeholders, on the file's transaction.
type claimer struct {
	tx       db.Tx
	tenantID uuid.UUID
	file     string
	target   string
	run      uuid.UUID
}

// importBatch claims the batch's source ids and writes the records whose
// id was free: an id an earlier run claimed is counted as already
// imported, one this run claimed before is a duplicate in the file.
func (c claimer) importBatch(ctx context.Context, f file, batch []item, fr *FileReport) error {
	if len(batch) == 0 {
		return nil
	}
	first := map[string]int{} // id -> index of its first record in the batch
	ids := make([]string, 0, len(batch))
	for _, it := range batch {
		if _, dup := first[it.id]; !dup {
			first[it.id] = it.rec.Index
			ids = append(ids, it.id)
		}
	}
	// A free id is inserted; one an earlier run claimed is taken over by
	// this run (so a later duplicate of it in the file is told apart); one
	// this run already claimed returns no row: a duplicate in the file.
	rows, err := c.tx.QueryContext(ctx, `INSERT INTO import_records AS r (tenant_id, file, source_id, run_id, target_type)
		SELECT ?, ?, unnest(?::text[]), ?, ?
		ON CONFLICT (tenant_id, file, source_id) DO UPDATE SET run_id = EXCLUDED.run_id WHERE r.run_id <> EXCLUDED.run_id
		RETURNING source_id, xmax = 0`,
		c.tenantID, c.file, pgdialect.Array(ids), c.run, c.target)
	if err != nil {
		return fmt.Errorf("import records: %w", err)
	}
	inserted := map[string]bool{} // id -> new (true) or an earlier run's (false)
	for rows.Next() {
		var id string
		var isNew bool
		if err := rows.Scan(&id, &isNew); err != nil {
			rows.Close()
			return err
		}
		inserted[id] = isNew
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var todo []item
	for _, it := range batch {
		isNew, returned := inserted[it.id]
		switch {
		case !returned || first[it.id] != it.rec.Index:
			fr.skip(it.rec, it.id, errors.New("duplicate id: an earlier record of the file has it"))
		case isNew:
			todo = append(todo, it)
		default:
			fr.Already++
		}
	}
	if len(todo) == 0 {
		return nil
	}
	outcomes, err := f.write(ctx, c.tx, c.tenantID, todo, fr)
	if err != nil {
		return err
	}
	var undo, targets, targetIDs []string
	for i, o := range outcomes {
		switch {
		case o.skip != nil:
			fr.skip(todo[i].rec, todo[i].id, o.skip)
			undo = append(undo, todo[i].id)
		default:
			fr.Imported++
			if o.target != "" {
				targets, targetIDs = append(targets, todo[i].id), append(targetIDs, o.target)
			}
		}
	}
	if len(undo) > 0 {
		// Not imported after all: a later run may try again.
		if _, err := c.tx.ExecContext(ctx, `DELETE FROM import_records WHERE tenant_id = ? AND file = ? AND source_id = ANY(?::text[])`,
			c.tenantID, c.file, pgdialect.Array(undo)); err != nil {
			return err
		}
	}
	if len(targets) > 0 {
		if _, err := c.tx.ExecContext(ctx, `UPDATE import_records AS r SET target_id = t.target_id
			FROM unnest(?::text[], ?::text[]) AS t(source_id, target_id)
			WHERE r.tenant_id = ? AND r.file = ? AND r.source_id = t.source_id`,
			pgdialect.Array(targets), pgdialect.Array(targetIDs), c.tenantID, c.file); err != nil {
			return err
		}
	}
	return nil
}
