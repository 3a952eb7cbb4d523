package bolt

import (
	"context"
	"io"

	"github.com/laporbansos/laporbansos/storage"
)

// ExportCSV writes every report and sanggah, in creation order, as CSV with full details (NIK,
// address): it is for staff, not for the group chat. Cells that a spreadsheet would run as a
// formula are neutralised (see neutralise).
func (db *DB) ExportCSV(w io.Writer, opts ExportOptions) error {
	// Read everything first so the read transaction is not held open by a slow writer.
	var reports []*Report
	err := db.View(context.Background(), func(tx Tx) error {
		reports = reports[:0]
		return tx.ForEachReport(func(r *Report) error {
			reports = append(reports, r)
			return nil
		})
	})
	if err != nil {
		return err
	}
	return storage.WriteCSV(w, reports, opts)
}
