package bot

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
)

// recorder is a Channel that records what it was asked to send; fail, when set, decides a
// send's fate.
type recorder struct {
	name   string
	limits Limits
	fail   func(to storage.ChatAddr, r flows.Reply) error
	delay  time.Duration
	// started, when set, is told each time a send begins.
	started chan struct{}

	mu   sync.Mutex
	sent []sent
}

type sent struct {
	to   storage.ChatAddr
	text string
	at   time.Time
}

func (c *recorder) Name() string   { return c.name }
func (c *recorder) Limits() Limits { return c.limits }
func (c *recorder) Send(ctx context.Context, to storage.ChatAddr, r flows.Reply) error {
	if c.started != nil {
		c.started <- struct{}{}
	}
	time.Sleep(c.delay)
	if c.fail != nil {
		if err := c.fail(to, r); err != nil {
			return err
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, sent{to, r.Text, time.Now()})
	return nil
}

func (c *recorder) texts(to storage.ChatAddr) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, s := range c.sent {
		if s.to == to {
			out = append(out, s.text)
		}
	}
	return out
}

func openDB(t *testing.T) *bolt.DB {
	t.Helper()
	db := bolt.NewDB(filepath.Join(t.TempDir(), "q.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queue enqueues a text reply to to for each of texts, and returns their Seqs.
func queue(t *testing.T, db storage.Store, to storage.ChatAddr, texts ...string) []uint64 {
	t.Helper()
	var msgs []*storage.Outbound
	for _, text := range texts {
		p, _ := json.Marshal(flows.Reply{To: to, Text: text})
		msgs = append(msgs, &storage.Outbound{To: to, Payload: p})
	}
	if err := db.Enqueue(context.Background(), msgs...); err != nil {
		t.Fatal(err)
	}
	seqs := make([]uint64, len(msgs))
	for i, o := range msgs {
		seqs[i] = o.Seq
	}
	return seqs
}

func chat(ch string, n int) storage.ChatAddr {
	return storage.ChatAddr{Channel: ch, ID: strconv.Itoa(n)}
}

func TestSenderKeepsOrderPerChatWithConcurrentSends(t *testing.T) {
	db := openDB(t)
	ch := &recorder{name: "tg", delay: 2 * time.Millisecond}
	s := &Sender{Outbox: db, Channels: map[string]Channel{"tg": ch}, Workers: 4}
	for i := 0; i < 10; i++ {
		for c := 0; c < 6; c++ {
			queue(t, db, chat("tg", c), strconv.Itoa(i))
		}
	}
	if err := s.Flush(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	for c := 0; c < 6; c++ {
		got := ch.texts(chat("tg", c))
		if len(got) != 10 {
			t.Fatalf("chat %d got %d messages", c, len(got))
		}
		for i, text := range got {
			if text != strconv.Itoa(i) {
				t.Fatalf("chat %d order %v", c, got)
			}
		}
	}
}

// Messages for a channel that is not running must not hide the ones behind them.
func TestSenderNoHeadOfLineBlockingByIdleChannel(t *testing.T) {
	db := openDB(t)
	for i := 0; i < 700; i++ {
		queue(t, db, chat("whatsapp", i), "wa")
	}
	queue(t, db, chat("tg", 1), "tg")
	ch := &recorder{name: "tg"}
	s := &Sender{Outbox: db, Channels: map[string]Channel{"tg": ch}}
	if err := s.Flush(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	if got := ch.texts(chat("tg", 1)); len(got) != 1 {
		t.Fatalf("telegram message not sent behind 700 WhatsApp ones: %v", got)
	}
	if p, _ := db.Pending(context.Background(), 0); len(p) != 700 {
		t.Errorf("%d left, want the 700 WhatsApp messages", len(p))
	}
}

func TestSenderRetryPolicy(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		wantSent int
		wantLeft int
	}{
		{"retry_after is waited for", &SendError{Err: errors.New("429"), RetryAfter: 30 * time.Millisecond}, 2, 0},
		{"temporary backs off", &SendError{Err: errors.New("502"), Temporary: true}, 2, 0},
		{"unclassified error retried", errors.New("boom"), 2, 0},
		{"stopped drops the chat's queue", &SendError{Err: errors.New("403"), Stopped: true}, 0, 0},
		{"permanent drops the message", &SendError{Err: errors.New("400")}, 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t)
			failed := false
			ch := &recorder{name: "tg", limits: Limits{FirstBackoff: 20 * time.Millisecond}, fail: func(_ storage.ChatAddr, r flows.Reply) error {
				if !failed {
					failed = true
					return tc.err
				}
				return nil
			}}
			queue(t, db, chat("tg", 1), "a", "b")
			s := &Sender{Outbox: db, Channels: map[string]Channel{"tg": ch}}
			start := time.Now()
			if err := s.Flush(context.Background(), time.Second); err != nil {
				t.Fatal(err)
			}
			if got := ch.texts(chat("tg", 1)); len(got) != tc.wantSent {
				t.Errorf("sent %v", got)
			}
			if se, ok := tc.err.(*SendError); ok && se.RetryAfter > 0 && time.Since(start) < se.RetryAfter {
				t.Errorf("retried before retry_after")
			}
			if p, _ := db.Pending(context.Background(), 0); len(p) != tc.wantLeft {
				t.Errorf("%d left", len(p))
			}
		})
	}
}

func TestSenderPacing(t *testing.T) {
	db := openDB(t)
	ch := &recorder{name: "tg", limits: Limits{PerChat: 40 * time.Millisecond, Global: 5 * time.Millisecond}}
	s := &Sender{Outbox: db, Channels: map[string]Channel{"tg": ch}}
	queue(t, db, chat("tg", 1), "1", "2", "3")
	queue(t, db, chat("tg", 2), "1", "2", "3")
	if err := s.Flush(context.Background(), time.Second); err != nil {
		t.Fatal(err)
	}
	last := map[storage.ChatAddr]time.Time{}
	var prev time.Time
	for _, m := range ch.sent {
		if l, ok := last[m.to]; ok && m.at.Sub(l) < 35*time.Millisecond {
			t.Errorf("two messages to %v %v apart", m.to, m.at.Sub(l))
		}
		if !prev.IsZero() && m.at.Sub(prev) < 3*time.Millisecond {
			t.Errorf("two messages %v apart", m.at.Sub(prev))
		}
		last[m.to], prev = m.at, m.at
	}
}

func TestSenderPrunesPacingMemory(t *testing.T) {
	db := openDB(t)
	ch := &recorder{name: "tg", limits: Limits{PerChat: time.Millisecond}}
	now := time.Now()
	s := &Sender{Outbox: db, Channels: map[string]Channel{"tg": ch}, Now: func() time.Time { return now }}
	s.init()
	for i := 0; i < 5000; i++ {
		s.lastTo[strconv.Itoa(i)] = now.Add(-time.Minute)
	}
	s.prune(now)
	if len(s.lastTo) != 0 {
		t.Errorf("%d pacing entries kept", len(s.lastTo))
	}
}

func TestSenderRunStopsAfterSendsInHand(t *testing.T) {
	db := openDB(t)
	ch := &recorder{name: "tg", delay: 50 * time.Millisecond, started: make(chan struct{}, 1)}
	s := &Sender{Outbox: db, Channels: map[string]Channel{"tg": ch}}
	queue(t, db, chat("tg", 1), "a")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = s.Run(ctx); close(done) }()
	<-ch.started // cancel while the send is in hand, however slow the machine
	cancel()
	<-done
	// The send in hand completed and was acknowledged.
	if len(ch.texts(chat("tg", 1))) != 1 {
		t.Fatal("send in hand not finished")
	}
	if p, _ := db.Pending(context.Background(), 0); len(p) != 0 {
		t.Errorf("sent message left queued (would go out twice)")
	}
}
