package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/laporbansos/laporbansos/storage"
)

// nameDesaKey is the reports.name_desa of r: empty when ReportsByNameDesa does not find it.
// Normalised names and desas hold letters, digits and single spaces only, so "/" cannot occur
// inside one.
func nameDesaKey(r *storage.Report) string {
	if !storage.NameDesaIndexed(r) {
		return ""
	}
	return nameDesaLookup(r.KecamatanCode, r.Desa, r.Name)
}

func nameDesaLookup(kecCode, desa, name string) string {
	return kecCode + "/" + storage.NormalizeName(desa) + "/" + storage.NormalizeName(name)
}

// ReportsByNameDesa follows storage.Tx: newest first, a damaged record skipped as bbolt does.
func (tx *pgTx) ReportsByNameDesa(kecCode, desa, name string) ([]*storage.Report, error) {
	if storage.NormalizeName(name) == "" || desa == "" {
		return []*storage.Report{}, nil
	}
	rows, err := tx.tx.Query(tx.ctx, `SELECT id, doc FROM reports WHERE name_desa = $1`, nameDesaLookup(kecCode, desa, name))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*storage.Report{}
	for rows.Next() {
		var id string
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, err
		}
		r, err := decodeReport(id, doc)
		if err != nil {
			if err := tx.skipDamaged(err); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	storage.SortNewestFirst(out)
	return out, nil
}

// backfillNameDesa fills reports.name_desa for rows written before the column existed.
func backfillNameDesa(ctx context.Context, pool *pgxpool.Pool) error {
	rows, err := pool.Query(ctx, `SELECT id, doc FROM reports WHERE name_desa IS NULL`)
	if err != nil {
		return fmt.Errorf("storage: index reports by name and desa: %w", err)
	}
	keys := map[string]string{}
	for rows.Next() {
		var id string
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			rows.Close()
			return err
		}
		var r storage.Report
		if json.Unmarshal(doc, &r) != nil {
			// Left to the damage checks, as bbolt's backfill leaves it.
			keys[id] = ""
			continue
		}
		keys[id] = nameDesaKey(&r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for id, k := range keys {
		if _, err := pool.Exec(ctx, `UPDATE reports SET name_desa = $2 WHERE id = $1 AND name_desa IS NULL`, id, k); err != nil {
			return fmt.Errorf("storage: index report %s by name and desa: %w", id, err)
		}
	}
	return nil
}

// SaveReport follows storage.Tx: the row is locked, its status, kind, NIK and creation kept.
func (tx *pgTx) SaveReport(r *storage.Report) error {
	canon, ok := storage.ParseReportID(r.ID)
	if !ok {
		return fmt.Errorf("%w: not a report number", storage.ErrNotFound)
	}
	old, err := tx.getReport(canon, true)
	if err != nil {
		return err
	}
	if err := storage.CheckSave(old, r); err != nil {
		return err
	}
	return tx.putReport(r)
}

func (tx *pgTx) ReceiptStats() (storage.ReceiptStats, error) {
	rs, err := tx.Reports(storage.DeliveredReports)
	if err != nil {
		return storage.ReceiptStats{}, err
	}
	return storage.CountReceipts(rs), nil
}

func (tx *pgTx) AwaitingReceipt(before time.Time) ([]*storage.Report, error) {
	rs, err := tx.Reports(storage.DeliveredReports)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(rs, func(r *storage.Report) bool { return !storage.AwaitsReceipt(r, before) }), nil
}

// Undo follows storage.Tx (storage.UndoStep has the rule); the row is locked first, so an undo
// and a late decision on the same report are serialised.
func (tx *pgTx) Undo(id string, by storage.Actor, window time.Duration, anyone bool) (*storage.Report, storage.Transition, error) {
	if by.ID == "" {
		_, _, err := storage.UndoStep(&storage.Report{}, by, window, anyone, tx.Now())
		return nil, storage.Transition{}, err
	}
	canon, ok := storage.ParseReportID(id)
	if !ok {
		return nil, storage.Transition{}, fmt.Errorf("%w: not a report number", storage.ErrNotFound)
	}
	r, err := tx.getReport(canon, true)
	if err != nil {
		return nil, storage.Transition{}, err
	}
	last, t, err := storage.UndoStep(r, by, window, anyone, tx.Now())
	if err != nil {
		return nil, last, err
	}
	r.Status = t.To
	r.History = append(r.History, t)
	if err := tx.putReport(r); err != nil {
		return nil, storage.Transition{}, err
	}
	if err := tx.appendAudit(r.ID, t); err != nil {
		return nil, storage.Transition{}, err
	}
	return r, last, nil
}
