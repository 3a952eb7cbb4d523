package bolt

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// step is one dialogue step as the dispatcher will run it: read the chat's session, file a
// report, save the session, queue the reply — one transaction.
func step(tx Tx, chat ChatAddr, nik string) error {
	s, err := tx.Session(chat)
	if errors.Is(err, ErrNotFound) {
		s, err = &Session{Flow: "lapor", Data: map[string]string{}}, nil
	}
	if err != nil {
		return err
	}
	r := newReport(KindReport, nik)
	r.From = chat
	if err := tx.CreateReport(r); err != nil {
		return err
	}
	s.Data["count"] = fmt.Sprint(len(s.Back) + 1)
	s.Back = append(s.Back, r.ID)
	if err := tx.PutSession(chat, s); err != nil {
		return err
	}
	return tx.Enqueue(&Outbound{To: chat, Payload: []byte(r.ID)})
}

func TestConcurrentChats(t *testing.T) {
	db, _ := openTestDB(t)
	const chats, steps = 64, 5
	var wg sync.WaitGroup
	errs := make(chan error, chats*steps)
	for c := 0; c < chats; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			chat := ChatAddr{Channel: "telegram", ID: fmt.Sprint(c)}
			for i := 0; i < steps; i++ {
				nik := fmt.Sprintf("35100141079%05d", c)
				errs <- db.Update(ctx, func(tx Tx) error { return step(tx, chat, nik) })
			}
		}(c)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	all, err := db.Reports(ctx, ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range all {
		if ids[r.ID] {
			t.Errorf("duplicate number %s", r.ID)
		}
		ids[r.ID] = true
	}
	// Numbers are dense: no step was half-committed and no number was skipped.
	for n := 1; n <= chats*steps; n++ {
		if id := fmt.Sprintf("LB-2611-%04d", n); !ids[id] {
			t.Errorf("missing %s", id)
		}
	}
	if len(all) != chats*steps {
		t.Errorf("%d reports, want %d", len(all), chats*steps)
	}
	queued, err := db.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(queued) != chats*steps {
		t.Errorf("%d queued replies, want %d", len(queued), chats*steps)
	}
	// Each chat's session lists exactly its own reports, and its replies are queued in that order.
	replies := map[ChatAddr][]string{}
	for _, o := range queued {
		replies[o.To] = append(replies[o.To], string(o.Payload))
	}
	for c := 0; c < chats; c++ {
		chat := ChatAddr{Channel: "telegram", ID: fmt.Sprint(c)}
		s, err := db.Session(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Back) != steps || s.Data["count"] != fmt.Sprint(steps) {
			t.Errorf("chat %d session = %+v", c, s)
			continue
		}
		for i, id := range s.Back {
			if replies[chat][i] != id {
				t.Errorf("chat %d reply %d = %s, want %s", c, i, replies[chat][i], id)
			}
		}
		rs, _ := db.ReportsByNIK(ctx, fmt.Sprintf("35100141079%05d", c))
		if len(rs) != steps {
			t.Errorf("chat %d has %d reports on its NIK", c, len(rs))
		}
	}
}

// A step that fails is rolled back on its own: bolt rolls back the whole group commit and
// re-runs the others, which must then be committed exactly once.
func TestBatchErrorKeepsOthersWrites(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name        string
		failerFirst bool
	}{
		{"failing step joins first", true},
		{"failing step joins last", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &testClock{t: t0}
			db := NewDB(filepath.Join(t.TempDir(), "b.db"))
			db.Now = clock.Now
			// long enough that both steps surely share one group commit
			db.MaxBatchDelay = 50 * time.Millisecond
			if err := db.Open(); err != nil {
				t.Fatal(err)
			}
			defer db.Close()

			var goodRuns, badRuns atomic.Int32
			good := newReport(KindReport, "3510014107900001")
			good.From = ChatAddr{Channel: "telegram", ID: "good"}
			bad := newReport(KindReport, "3510014107900002")
			bad.From = ChatAddr{Channel: "telegram", ID: "bad"}

			runGood := func() error {
				return db.Update(ctx, func(tx Tx) error {
					goodRuns.Add(1)
					if err := tx.CreateReport(good); err != nil {
						return err
					}
					return tx.Put("test", "good", []byte("1"))
				})
			}
			runBad := func() error {
				return db.Update(ctx, func(tx Tx) error {
					badRuns.Add(1)
					if err := tx.CreateReport(bad); err != nil {
						return err
					}
					if err := tx.Put("test", "bad", []byte("1")); err != nil {
						return err
					}
					return errBoom
				})
			}
			first, second := runGood, runBad
			if tt.failerFirst {
				first, second = runBad, runGood
			}
			var wg sync.WaitGroup
			var firstErr, secondErr error
			wg.Add(2)
			go func() { defer wg.Done(); firstErr = first() }()
			time.Sleep(10 * time.Millisecond)
			go func() { defer wg.Done(); secondErr = second() }()
			wg.Wait()
			goodErr, badErr := firstErr, secondErr
			if tt.failerFirst {
				goodErr, badErr = secondErr, firstErr
			}

			if goodErr != nil {
				t.Fatalf("good step: %v", goodErr)
			}
			if !errors.Is(badErr, errBoom) {
				t.Fatalf("failing step returned %v, want its own error", badErr)
			}
			if !tt.failerFirst && goodRuns.Load() < 2 {
				t.Errorf("good step ran %d times; the test meant it to share a batch with the failure", goodRuns.Load())
			}
			if badRuns.Load() < 2 {
				t.Errorf("failing step ran %d times, want a solo re-run", badRuns.Load())
			}
			// The re-run left one history entry and the first number: the rolled-back run
			// consumed nothing.
			if good.ID != "LB-2611-0001" || len(good.History) != 1 {
				t.Errorf("good report = %s with %d history entries", good.ID, len(good.History))
			}
			stored, err := db.Report(ctx, good.ID)
			if err != nil || stored.From.ID != "good" || len(stored.History) != 1 {
				t.Errorf("stored good report = %+v, %v", stored, err)
			}
			if v, err := db.Get(ctx, "test", "good"); err != nil || string(v) != "1" {
				t.Errorf("good write lost: %q, %v", v, err)
			}
			if _, err := db.Get(ctx, "test", "bad"); !errors.Is(err, ErrNotFound) {
				t.Errorf("failed step's write survived: %v", err)
			}
			all, _ := db.Reports(ctx, ReportFilter{})
			if len(all) != 1 {
				t.Errorf("%d reports stored, want only the good one", len(all))
			}
			audit, _ := db.Audit(ctx, time.Time{})
			if len(audit) != 1 || audit[0].Report != good.ID {
				t.Errorf("audit = %+v", audit)
			}
		})
	}
}

// Each run of an Update function sees the same tx.Now(), so re-runs write the same times.
func TestUpdateNowFixedAcrossReruns(t *testing.T) {
	db, clock := openTestDB(t)
	var seen []time.Time
	errOnce := errors.New("first run fails")
	err := db.Update(ctx, func(tx Tx) error {
		seen = append(seen, tx.Now())
		clock.Advance(time.Hour)
		if len(seen) == 1 {
			return errOnce
		}
		return nil
	})
	// bolt re-runs a failed batch function on its own; this one succeeds the second time.
	if err != nil {
		t.Fatalf("err = %v", err)
	}
	if len(seen) != 2 {
		t.Fatalf("fn ran %d times, want 2", len(seen))
	}
	for _, s := range seen {
		if !s.Equal(t0) {
			t.Errorf("run saw Now = %v, want %v", s, t0)
		}
	}
}
