package bolt

import (
	"slices"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// SaveReport writes back a report whose status, kind, number and NIK are unchanged (see
// storage.CheckSave).
func (tx *boltTx) SaveReport(r *Report) error {
	old, err := tx.Report(r.ID)
	if err != nil {
		return err
	}
	if err := storage.CheckSave(old, r); err != nil {
		return err
	}
	return tx.putReport(r)
}

// ReceiptStats reads every delivered report.
func (tx *boltTx) ReceiptStats() (storage.ReceiptStats, error) {
	rs, err := tx.Reports(storage.DeliveredReports)
	if err != nil {
		return storage.ReceiptStats{}, err
	}
	return storage.CountReceipts(rs), nil
}

// AwaitingReceipt lists delivered reports whose citizen was asked before `before` and has not
// answered.
func (tx *boltTx) AwaitingReceipt(before time.Time) ([]*Report, error) {
	rs, err := tx.Reports(storage.DeliveredReports)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(rs, func(r *Report) bool { return !storage.AwaitsReceipt(r, before) }), nil
}
