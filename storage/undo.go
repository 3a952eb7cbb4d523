package storage

import (
	"errors"
	"fmt"
	"time"
)

// Errors of Tx.Undo.
var (
	// ErrNothingToUndo: the report's last step is not a staff decision (it was filed, rejected
	// by the registry check, or the decision was undone already).
	ErrNothingToUndo = errors.New("storage: nothing to undo")
	// ErrUndoExpired: the decision is older than the undo window.
	ErrUndoExpired = errors.New("storage: too late to undo")
	// ErrUndoNotAllowed: someone else made the decision and the caller may not overrule it.
	ErrUndoNotAllowed = errors.New("storage: undo by someone else")
)

// Undo takes back the last staff step on report id (a verdict or a delivery) when it was made
// within window of tx.Now by `by` — or by anyone when anyone is true (a supervisor). The report
// returns to the status before that step; the undo is appended to the history and the audit log
// as its own transition (Undo set), so nothing is erased. It returns the report and the step
// undone.
//
// Errors: ErrNotFound, ErrNothingToUndo, ErrUndoExpired, ErrUndoNotAllowed; ErrInvalid when by
// has no ID.
func (tx *Tx) Undo(id string, by Actor, window time.Duration, anyone bool) (*Report, Transition, error) {
	if by.ID == "" {
		return nil, Transition{}, fmt.Errorf("%w: undo without an actor", ErrInvalid)
	}
	r, err := tx.Report(id)
	if err != nil {
		return nil, Transition{}, err
	}
	if len(r.History) < 2 {
		return nil, Transition{}, ErrNothingToUndo
	}
	last := r.History[len(r.History)-1]
	if last.Undo || last.By.Name == CitizenActorName || last.By.ID == "system" || last.From == "" {
		return nil, Transition{}, ErrNothingToUndo
	}
	if tx.Now.Sub(last.At) > window {
		return nil, last, ErrUndoExpired
	}
	if !anyone && (last.By.Channel != by.Channel || last.By.ID != by.ID) {
		return nil, last, ErrUndoNotAllowed
	}
	if err := tx.bucket(bucketReportStatus).Delete(statusKey(r)); err != nil {
		return nil, Transition{}, err
	}
	t := Transition{From: r.Status, To: last.From, At: tx.Now, By: by, Undo: true}
	r.Status = last.From
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

// Verdict is the staff verdict on r that stands: its latest move out of submitted that was not
// undone (BATAL) afterwards. False when there is none.
func (r *Report) Verdict() (Transition, bool) {
	for i := len(r.History) - 1; i >= 0; i-- {
		t := r.History[i]
		if t.From != StatusSubmitted || t.Undo {
			continue
		}
		if i+1 < len(r.History) && r.History[i+1].Undo {
			continue
		}
		return t, true
	}
	return Transition{}, false
}
