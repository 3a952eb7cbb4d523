package bot

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
)

// fullDisk is the real store whose writes fail while full is set, as bbolt's do when the disk
// is full (the commit's write or fsync fails and the transaction is rolled back).
type fullDisk struct {
	*bolt.DB
	full atomic.Bool
}

var errDiskFull = errors.New("write laporbansos.db: no space left on device")

func (d *fullDisk) Update(ctx context.Context, fn func(tx storage.Tx) error) error {
	if d.full.Load() {
		return errDiskFull
	}
	return d.DB.Update(ctx, fn)
}

// After the platform accepted a message and its ack could not be written, the message is held
// as sent, unacked: not sent again, the chat's next message waits, and the ack is written once
// the disk has room.
func TestSenderHoldsSentUnackedMessage(t *testing.T) {
	db := &fullDisk{DB: openDB(t)}
	ch := &recorder{name: "tg"}
	to := chat("tg", 1)
	queue(t, db.DB, to, "a", "b")
	s := &Sender{Outbox: db, Channels: map[string]Channel{"tg": ch}}
	ch.fail = func(storage.ChatAddr, flows.Reply) error {
		db.full.Store(true) // the disk fills while "a" is in flight
		return nil
	}
	if err := s.Flush(context.Background(), 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	ch.fail = nil
	// Several passes while the disk is full: nothing is resent, "b" waits behind the held "a".
	for range 3 {
		if err := s.Flush(context.Background(), 20*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	if got := ch.texts(to); len(got) != 1 || got[0] != "a" {
		t.Fatalf("while the ack cannot be written: sent %v, want [a]", got)
	}
	db.full.Store(false)
	if err := s.Flush(context.Background(), 2*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := ch.texts(to); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("after the disk has room: sent %v, want [a b]", got)
	}
	if p, _ := db.Pending(context.Background(), 0); len(p) != 0 {
		t.Errorf("%d left in the queue", len(p))
	}
}

// committer is a Committer recording what it sent; its bookkeeping writes a marker that must
// land in the ack's transaction.
type committer struct{ recorder }

func (c *committer) SendCommit(ctx context.Context, to storage.ChatAddr, r flows.Reply) (Bookkeeping, error) {
	if err := c.recorder.Send(ctx, to, r); err != nil {
		return nil, err
	}
	return func(tx storage.Tx) error { return tx.Put("test", r.Text, []byte("posted")) }, nil
}

func TestSenderWritesBookkeepingWithTheAck(t *testing.T) {
	db := &fullDisk{DB: openDB(t)}
	ch := &committer{recorder{name: "tg"}}
	to := chat("tg", 1)
	queue(t, db.DB, to, "a")
	s := &Sender{Outbox: db, Channels: map[string]Channel{"tg": ch}}
	if err := s.Flush(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Get(context.Background(), "test", "a"); err != nil || string(v) != "posted" {
		t.Errorf("bookkeeping = %q, %v", v, err)
	}
	if p, _ := db.Pending(context.Background(), 0); len(p) != 0 {
		t.Errorf("%d left in the queue", len(p))
	}
}

func queueReplies(t *testing.T, db *bolt.DB, rs ...flows.Reply) {
	t.Helper()
	var msgs []*storage.Outbound
	for _, r := range rs {
		p, _ := json.Marshal(r)
		msgs = append(msgs, &storage.Outbound{To: r.To, Payload: p})
	}
	if err := db.Enqueue(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
}

// In a staff group, a decision edit and the answer to a typed command go before new-report
// posts queued earlier, but never before the post of their own report.
func TestSenderDecisionEditsBeforeNewPosts(t *testing.T) {
	group := chat("tg", -100)
	cases := []struct {
		name  string
		queue []flows.Reply
		want  []string
	}{
		{"decision overtakes other reports' posts, not its own",
			[]flows.Reply{
				{To: group, Text: "new A", Report: "A", Event: flows.EventStaffNew},
				{To: group, Text: "new B", Report: "B", Event: flows.EventStaffNew},
				{To: group, Text: "new C", Report: "C", Event: flows.EventStaffNew},
				{To: group, Text: "decided A", Report: "A", Event: flows.EventStaffDecided},
				{To: group, Text: "answer PENDING"},
			},
			[]string{"new A", "decided A", "answer PENDING", "new B", "new C"}},
		{"order among decisions and answers is kept",
			[]flows.Reply{
				{To: group, Text: "new B", Report: "B", Event: flows.EventStaffNew},
				{To: group, Text: "decided A", Report: "A", Event: flows.EventStaffDecided},
				{To: group, Text: "answer", Report: ""},
				{To: group, Text: "decided C", Report: "C", Event: flows.EventStaffDecided},
			},
			[]string{"decided A", "answer", "decided C", "new B"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t)
			ch := &recorder{name: "tg", limits: Limits{PerGroup: time.Millisecond, IsGroup: func(a storage.ChatAddr) bool { return a.ID[0] == '-' }}}
			queueReplies(t, db, tc.queue...)
			s := &Sender{Outbox: db, Channels: map[string]Channel{"tg": ch}}
			if err := s.Flush(context.Background(), time.Second); err != nil {
				t.Fatal(err)
			}
			got := ch.texts(group)
			if len(got) != len(tc.want) {
				t.Fatalf("sent %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("sent %q, want %q", got, tc.want)
				}
			}
		})
	}
}

// A chat that blocked the bot loses its queue; the news about reports in it is remembered for
// when the citizen writes again.
func TestSenderRemembersNewsOfStoppedChat(t *testing.T) {
	db := openDB(t)
	citizen := chat("tg", 7)
	ch := &recorder{name: "tg", fail: func(to storage.ChatAddr, _ flows.Reply) error {
		return &SendError{Err: errors.New("Forbidden: bot was blocked by the user"), Stopped: true}
	}}
	queueReplies(t, db, flows.Reply{To: citizen, Text: "Laporan LB-2611-0001 layak", Report: "LB-2611-0001"},
		flows.Reply{To: citizen, Text: "menu"})
	s := &Sender{Outbox: db, Channels: map[string]Channel{"tg": ch}}
	if err := s.Flush(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.Pending(context.Background(), 0); len(p) != 0 {
		t.Errorf("%d left in the queue", len(p))
	}
	var n int
	err := db.Update(context.Background(), func(tx storage.Tx) (err error) {
		n, err = flows.RememberMissed(tx, citizen, nil)
		return err
	})
	if err != nil || n != 1 {
		t.Errorf("remembered %d reports (%v), want 1", n, err)
	}
}
