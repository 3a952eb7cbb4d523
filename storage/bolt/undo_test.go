package bolt

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestUndo(t *testing.T) {
	now := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	ana := Actor{Channel: "telegram", ID: "1", Name: "Ana"}
	budi := Actor{Channel: "telegram", ID: "2", Name: "Budi"}
	cases := []struct {
		name   string
		steps  func(db *DB, id string)
		by     Actor
		anyone bool
		after  time.Duration
		want   error
		status Status
	}{
		{"the maker, within the window", func(db *DB, id string) { mustTransition(t, db, id, StatusEligible, ana, "") }, ana, false, 5 * time.Minute, nil, StatusSubmitted},
		{"after the window", func(db *DB, id string) { mustTransition(t, db, id, StatusEligible, ana, "") }, ana, false, 11 * time.Minute, ErrUndoExpired, StatusEligible},
		{"someone else", func(db *DB, id string) { mustTransition(t, db, id, StatusEligible, ana, "") }, budi, false, time.Minute, ErrUndoNotAllowed, StatusEligible},
		{"a supervisor", func(db *DB, id string) { mustTransition(t, db, id, StatusEligible, ana, "") }, budi, true, time.Minute, nil, StatusSubmitted},
		{"a delivery goes back to layak", func(db *DB, id string) {
			mustTransition(t, db, id, StatusEligible, ana, "")
			mustTransition(t, db, id, StatusDelivered, ana, "")
		}, ana, false, time.Minute, nil, StatusEligible},
		{"nothing decided", func(*DB, string) {}, ana, true, time.Minute, ErrNothingToUndo, StatusSubmitted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clock := now
			db := NewDB(t.TempDir() + "/u.db")
			db.Now = func() time.Time { return clock }
			if err := db.Open(); err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			r := &Report{Kind: KindReport, Status: StatusSubmitted, NIK: "3510091506800004", Name: "Sumarni", From: ChatAddr{Channel: "telegram", ID: "9"}}
			if err := db.CreateReport(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			tc.steps(db, r.ID)
			clock = clock.Add(tc.after)
			var got *Report
			err := db.Update(context.Background(), func(tx Tx) error {
				var err error
				got, _, err = tx.Undo(r.ID, tc.by, 10*time.Minute, tc.anyone)
				return err
			})
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			cur, _ := db.Report(context.Background(), r.ID)
			if cur.Status != tc.status {
				t.Errorf("status %s, want %s", cur.Status, tc.status)
			}
			if err == nil {
				last := got.History[len(got.History)-1]
				if !last.Undo || last.By != tc.by || last.To != tc.status {
					t.Errorf("undo step %+v", last)
				}
				if v, ok := cur.Verdict(); ok && tc.status == StatusSubmitted {
					t.Errorf("an undone verdict still stands: %+v", v)
				}
			}
		})
	}
}

func mustTransition(t *testing.T, db *DB, id string, to Status, by Actor, note string) {
	t.Helper()
	if _, err := db.Transition(context.Background(), id, to, by, note); err != nil {
		t.Fatal(err)
	}
}
