package bolt

import (
	"context"
	"strings"
	"testing"
	"time"
)

func spend(t *testing.T, db *DB, chat ChatAddr, lim LookupLimits) LookupGrant {
	t.Helper()
	var g LookupGrant
	err := db.Update(context.Background(), func(tx Tx) error {
		var err error
		g, err = tx.SpendLookup(chat, lim)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestSpendLookup(t *testing.T) {
	a := ChatAddr{Channel: "telegram", ID: "1"}
	b := ChatAddr{Channel: "whatsapp", ID: "6281234567890@s.whatsapp.net"}
	lim := LookupLimits{ChatHour: 3, ChatDay: 5, GlobalHour: 4}
	db, clock := openTestDB(t)
	t0 := clock.Now()
	for i := 0; i < 3; i++ {
		if g := spend(t, db, a, lim); !g.Allowed {
			t.Fatalf("lookup %d refused: %+v", i, g)
		}
		clock.Advance(time.Minute)
	}
	g := spend(t, db, a, lim)
	if g.Allowed || g.Scope != ScopeChatHour || !g.RetryAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("4th lookup in the hour: %+v", g)
	}
	// The budget is in the file: a reopened store still refuses.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	if g := spend(t, db, a, lim); g.Allowed {
		t.Fatal("a restart reset the budget")
	}
	clock.Set(t0.Add(time.Hour + 3*time.Minute))
	for i := 0; i < 2; i++ {
		if g := spend(t, db, a, lim); !g.Allowed {
			t.Fatalf("next hour, lookup %d refused: %+v", i, g)
		}
	}
	if g := spend(t, db, a, lim); g.Allowed || g.Scope != ScopeChatDay || !g.RetryAt.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("6th lookup in a day: %+v", g)
	}
	// Another chat has its own budget, but all share the global one per clock hour: 2 spent in
	// this one so far.
	for i := 0; i < 2; i++ {
		if g := spend(t, db, b, lim); !g.Allowed {
			t.Fatalf("chat b, lookup %d refused: %+v", i, g)
		}
	}
	g = spend(t, db, b, lim)
	hour := clock.Now().UTC().Truncate(time.Hour)
	if g.Allowed || g.Scope != ScopeGlobal || !g.RetryAt.Equal(hour.Add(time.Hour)) {
		t.Fatalf("global: %+v", g)
	}
}

func TestNoteRecipientLookup(t *testing.T) {
	db, clock := openTestDB(t)
	chat := ChatAddr{Channel: "telegram", ID: "9"}
	note := func(nik string) (int, bool) {
		var n int
		var alert bool
		err := db.Update(context.Background(), func(tx Tx) error {
			var err error
			n, alert, err = tx.NoteRecipientLookup(chat, nik, time.Hour, 3)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n, alert
	}
	niks := []string{"3510091203850001", "3510091203850002", "3510091203850001", "3510091203850003", "3510091203850004"}
	var alerts []int
	for i, nik := range niks {
		n, alert := note(nik)
		if alert {
			alerts = append(alerts, n)
		}
		if i == 2 && n != 2 {
			t.Fatalf("the same NIK twice counted as %d", n)
		}
	}
	if len(alerts) != 1 || alerts[0] != 3 {
		t.Fatalf("alerts %v, want one at 3", alerts)
	}
	// Only hashes are kept, never a NIK.
	_ = db.View(context.Background(), func(tx Tx) error {
		return tx.(*boltTx).bucket(bucketState).Bucket([]byte(budgetBucket)).ForEach(func(k, v []byte) error {
			if strings.Contains(string(v), "351009") {
				t.Errorf("%s holds a NIK: %s", k, v)
			}
			return nil
		})
	})
	clock.Advance(2 * time.Hour)
	if n, alert := note(niks[0]); n != 1 || alert {
		t.Fatalf("after the window: %d, alert %v", n, alert)
	}
}
