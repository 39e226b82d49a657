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
	claimed, err := c.strings(ctx, `INSERT INTO import_records (tenant_id, file, source_id, run_id, target_type)
		SELECT ?, ?, unnest(?::text[]), ?, ? ON CONFLICT DO NOTHING RETURNING source_id`,
		c.tenantID, c.file, pgdialect.Array(ids), c.run, c.target)
	if err != nil {
		return err
	}
	var thisRun map[string]bool
	if len(claimed) < len(ids) {
		dups, err := c.strings(ctx, `SELECT source_id FROM import_records WHERE tenant_id = ? AND file = ? AND source_id = ANY(?::text[]) AND run_id = ?`,
			c.tenantID, c.file, pgdialect.Array(ids), c.run)
		if err != nil {
			return err
		}
		thisRun = set(dups)
	}
	isClaimed := set(claimed)
	var todo []item
	for _, it := range batch {
		switch {
		case isClaimed[it.id] && first[it.id] == it.rec.Index:
			todo = append(todo, it)
		case isClaimed[it.id] || thisRun[it.id]:
			fr.skip(it.rec, it.id, errors.New("duplicate id: an earlier record of the file has it"))
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

func (c claimer) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := c.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("import records: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func set(s []string) map[string]bool {
	m := make(map[string]bool, len(s))
	for _, v := range s {
		m[v] = true
	}
	return m
}
