package bolt

import (
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// Undo takes back the last staff step on report id (a verdict or a delivery); the rule is
// storage.UndoStep. The report returns to the status before that step; the undo is appended to
// the history and the audit log as its own transition (Undo set), so nothing is erased.
func (tx *boltTx) Undo(id string, by Actor, window time.Duration, anyone bool) (*Report, Transition, error) {
	if by.ID == "" {
		_, _, err := storage.UndoStep(&Report{}, by, window, anyone, tx.Now())
		return nil, Transition{}, err
	}
	r, err := tx.Report(id)
	if err != nil {
		return nil, Transition{}, err
	}
	last, t, err := storage.UndoStep(r, by, window, anyone, tx.Now())
	if err != nil {
		return nil, last, err
	}
	if err := tx.bucket(bucketReportStatus).Delete(statusKey(r)); err != nil {
		return nil, Transition{}, err
	}
	r.Status = t.To
	r.History = append(r.History, t)
	if err := tx.putReport(r); err != nil {
		return nil, Transition{}, err
	}
	if err := tx.bucket(bucketReportStatus).Put(statusKey(r), nil); err != nil {
		return nil, Transition{}, err
	}
	if err := tx.appendAudit(r.ID, t); err != nil {
		return nil, Transition{}, err
	}
	return r, last, nil
}
