package bolt

import (
	"errors"
	"testing"
	"time"
)

func TestOutboundQueue(t *testing.T) {
	db, clock := openTestDB(t)
	other := ChatAddr{Channel: "whatsapp", ID: "6281234567890@s.whatsapp.net"}
	staff := ChatAddr{Channel: "staff", ID: "all"}
	msgs := []*Outbound{
		{To: citizenChat, Payload: []byte("1")},
		{To: other, Payload: []byte("2")},
		{To: citizenChat, Payload: []byte("3")},
		{To: staff, Payload: []byte("4"), CreatedAt: t0.Add(-time.Hour)},
	}
	if err := db.Enqueue(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		if m.Seq != uint64(i+1) {
			t.Errorf("msg %d Seq = %d", i, m.Seq)
		}
	}
	if !msgs[0].CreatedAt.Equal(t0) || !msgs[3].CreatedAt.Equal(t0.Add(-time.Hour)) {
		t.Errorf("CreatedAt not set (or overwritten): %v, %v", msgs[0].CreatedAt, msgs[3].CreatedAt)
	}

	steps := []struct {
		name string
		do   func() error
		want string // payloads of Pending(0), in order
	}{
		{"all pending in order", func() error { return nil }, "1234"},
		{"ack the first", func() error { return db.AckOutbound(ctx, 1) }, "234"},
		{"ack twice is fine", func() error { return db.AckOutbound(ctx, 1) }, "234"},
		{"retry later keeps position", func() error {
			clock.Advance(time.Second)
			return db.UpdateOutbound(ctx, &Outbound{Seq: 2, To: other, Payload: []byte("2"), Attempts: 1, NotBefore: t0.Add(time.Minute), CreatedAt: t0})
		}, "234"},
		{"drop a blocked chat", func() error {
			n, err := db.DropOutbound(ctx, citizenChat)
			if err == nil && n != 1 {
				t.Errorf("dropped %d, want 1", n)
			}
			return err
		}, "24"},
		{"update of a dropped message", func() error {
			err := db.UpdateOutbound(ctx, &Outbound{Seq: 3, To: citizenChat, Attempts: 1})
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("UpdateOutbound of dropped = %v, want ErrNotFound", err)
			}
			return nil
		}, "24"},
		{"new messages go last", func() error {
			return db.Enqueue(ctx, &Outbound{To: citizenChat, Payload: []byte("5")})
		}, "245"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if err := st.do(); err != nil {
				t.Fatal(err)
			}
			got, err := db.Pending(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			s := ""
			for _, o := range got {
				s += string(o.Payload)
			}
			if s != st.want {
				t.Errorf("pending = %q, want %q", s, st.want)
			}
		})
	}
	got, _ := db.Pending(ctx, 1)
	if len(got) != 1 || got[0].Seq != 2 || got[0].Attempts != 1 || !got[0].NotBefore.Equal(t0.Add(time.Minute)) {
		t.Errorf("Pending(1) = %+v", got)
	}
	if got[0].To != other {
		t.Errorf("To = %+v", got[0].To)
	}
}

func TestEnqueueRefuses(t *testing.T) {
	db, _ := openTestDB(t)
	tests := []struct {
		name string
		msg  *Outbound
	}{
		{"nil", nil},
		{"no channel", &Outbound{To: ChatAddr{ID: "1"}}},
		{"no chat id", &Outbound{To: ChatAddr{Channel: "telegram"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The valid message before it must not be queued either: one step, one commit.
			err := db.Enqueue(ctx, &Outbound{To: citizenChat}, tt.msg)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if got, _ := db.Pending(ctx, 0); len(got) != 0 {
				t.Errorf("queue has %d messages after a refused Enqueue", len(got))
			}
		})
	}
}

func TestSessions(t *testing.T) {
	db, clock := openTestDB(t)
	wa := ChatAddr{Channel: "whatsapp", ID: "6281234567890:12@s.whatsapp.net"}
	if _, err := db.Session(ctx, citizenChat); !errors.Is(err, ErrNotFound) {
		t.Fatalf("new chat: %v, want ErrNotFound", err)
	}
	s := &Session{Flow: "lapor", State: "nik", Back: []string{"who"}, Data: map[string]string{"who": "self"}}
	if err := db.PutSession(ctx, citizenChat, s); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if err := db.PutSession(ctx, wa, &Session{Flow: "cek", Checks: []time.Time{t0}}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Session(ctx, citizenChat)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != "nik" || got.Data["who"] != "self" || len(got.Back) != 1 || !got.UpdatedAt.Equal(t0) {
		t.Errorf("session = %+v", got)
	}
	seen := map[ChatAddr]string{}
	err = db.View(ctx, func(tx Tx) error {
		clear(seen)
		return tx.ForEachSession(func(c ChatAddr, s *Session) error { seen[c] = s.Flow; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[wa] != "cek" || seen[citizenChat] != "lapor" {
		t.Errorf("ForEachSession saw %v", seen)
	}
	if err := db.DeleteSession(ctx, citizenChat); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, citizenChat); !errors.Is(err, ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := db.DeleteSession(ctx, citizenChat); err != nil {
		t.Errorf("second delete: %v", err)
	}
	if err := db.PutSession(ctx, ChatAddr{Channel: "telegram"}, s); !errors.Is(err, ErrInvalid) {
		t.Errorf("session without chat id: %v", err)
	}
}

func TestStateAndSeen(t *testing.T) {
	db, clock := openTestDB(t)
	if _, err := db.Get(ctx, "telegram", "offset"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing bucket: %v", err)
	}
	if err := db.Put(ctx, "telegram", "offset", []byte("100")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Get(ctx, "telegram", "other"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing key: %v", err)
	}
	// a channel's bucket named like an internal one stays separate
	if err := db.Put(ctx, "reports", "x", []byte("y")); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get(ctx, "telegram", "offset"); err != nil || string(v) != "100" {
		t.Errorf("Get = %q, %v", v, err)
	}
	err := db.Update(ctx, func(tx Tx) error {
		if err := tx.Delete("telegram", "offset"); err != nil {
			return err
		}
		if err := tx.Delete("telegram", "never-there"); err != nil {
			return err
		}
		return tx.Delete("no-such-bucket", "x")
	})
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := db.Get(ctx, "telegram", "offset"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after Delete: %v", err)
	}

	seen := []struct {
		name      string
		advance   time.Duration
		ns, id    string
		wantFresh bool
	}{
		{"first time", 0, "tg-update", "1", true},
		{"redelivered", time.Minute, "tg-update", "1", false},
		{"other id", 0, "tg-update", "2", true},
		{"same id other namespace", 0, "wa-msg", "1", true},
	}
	for _, s := range seen {
		t.Run(s.name, func(t *testing.T) {
			clock.Advance(s.advance)
			fresh, err := db.MarkSeen(ctx, s.ns, s.id)
			if err != nil || fresh != s.wantFresh {
				t.Errorf("MarkSeen = %v, %v; want %v", fresh, err, s.wantFresh)
			}
		})
	}
	// "1" was seen at t0, "2" at t0+1m: pruning before t0+30s forgets only "1".
	n, err := db.PruneSeen(ctx, "tg-update", t0.Add(30*time.Second))
	if err != nil || n != 1 {
		t.Fatalf("PruneSeen = %d, %v; want 1", n, err)
	}
	if fresh, _ := db.MarkSeen(ctx, "tg-update", "1"); !fresh {
		t.Error("pruned id is still seen")
	}
	if fresh, _ := db.MarkSeen(ctx, "tg-update", "2"); fresh {
		t.Error("unpruned id was forgotten")
	}
	if n, err := db.PruneSeen(ctx, "never-used", t0); n != 0 || err != nil {
		t.Errorf("PruneSeen on unknown namespace = %d, %v", n, err)
	}
	if _, err := db.MarkSeen(ctx, "tg-update", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty id: %v", err)
	}
}
