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

// UndoStep is the rule of Tx.Undo, shared by the backends: it checks that the last step on r
// is a staff step made within window of now by `by` (or anyone may undo) and returns that step
// and the transition that takes it back. r is not changed.
func UndoStep(r *Report, by Actor, window time.Duration, anyone bool, now time.Time) (last, undo Transition, err error) {
	if by.ID == "" {
		return Transition{}, Transition{}, fmt.Errorf("%w: undo without an actor", ErrInvalid)
	}
	if len(r.History) < 2 {
		return Transition{}, Transition{}, ErrNothingToUndo
	}
	last = r.History[len(r.History)-1]
	if last.Undo || last.By.Name == CitizenActorName || last.By.ID == "system" || last.From == "" {
		return Transition{}, Transition{}, ErrNothingToUndo
	}
	if now.Sub(last.At) > window {
		return last, Transition{}, ErrUndoExpired
	}
	if !anyone && (last.By.Channel != by.Channel || last.By.ID != by.ID) {
		return last, Transition{}, ErrUndoNotAllowed
	}
	return last, Transition{From: r.Status, To: last.From, At: now, By: by, Undo: true}, nil
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
