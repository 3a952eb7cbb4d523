package bot

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/postgres"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// sharedQueue opens n stores on one fresh PostgreSQL database: n instances of the bot.
func sharedQueue(t *testing.T, n int) []*postgres.DB {
	t.Helper()
	url := pgtest.NewDatabase(t)
	var dbs []*postgres.DB
	for i := 0; i < n; i++ {
		db := postgres.New(url)
		if err := db.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	return dbs
}

// log is what every instance's channel sent, in the order the platform accepted it.
type sendLog struct {
	mu   sync.Mutex
	sent []sent
}

func (l *sendLog) add(to storage.ChatAddr, text string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sent = append(l.sent, sent{to, text, time.Now()})
}

// loggingChannel is an instance's channel: it takes delay per send and writes to the shared log,
// which stands for the platform both instances talk to.
type loggingChannel struct {
	log   *sendLog
	delay time.Duration
	block chan struct{} // when set, a send waits for it or for ctx
}

func (c *loggingChannel) Name() string   { return "tg" }
func (c *loggingChannel) Limits() Limits { return Limits{} }
func (c *loggingChannel) Send(ctx context.Context, to storage.ChatAddr, r flows.Reply) error {
	if c.block != nil {
		select {
		case <-c.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	select {
	case <-time.After(c.delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	c.log.add(to, r.Text)
	return nil
}

// Two instances that both believe they lead (a leader that lost its lock while sending, and the
// next one) send from one queue: every message goes out once, each chat in its order.
func TestSharedQueueTwoSendersSendEachMessageOnce(t *testing.T) {
	dbs := sharedQueue(t, 2)
	const chats, per = 12, 6
	for i := 0; i < per; i++ {
		for c := 0; c < chats; c++ {
			queue(t, dbs[c%2], chat("tg", c), strconv.Itoa(i))
		}
	}
	log := &sendLog{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, db := range dbs {
		s := &Sender{Outbox: db, Channels: map[string]Channel{"tg": &loggingChannel{log: log, delay: 3 * time.Millisecond}}, Workers: 4, Instance: "instance-" + strconv.Itoa(i)}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Flush(ctx, 2*time.Second)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("instance %d: %v", i, err)
		}
	}
	if left, err := dbs[0].Pending(ctx, 0); err != nil || len(left) != 0 {
		t.Fatalf("queue after both flushed: %d left, %v", len(left), err)
	}
	byChat := map[storage.ChatAddr][]string{}
	for _, s := range log.sent {
		byChat[s.to] = append(byChat[s.to], s.text)
	}
	for c := 0; c < chats; c++ {
		got := byChat[chat("tg", c)]
		if len(got) != per {
			t.Errorf("chat %d: sent %d times, want %d: %v", c, len(got), per, got)
			continue
		}
		for i, text := range got {
			if text != strconv.Itoa(i) {
				t.Errorf("chat %d out of order: %v", c, got)
				break
			}
		}
	}
}

// A leader that died mid-send leaves its claim behind: the next one leaves that chat alone
// until the lease ends (the message may have reached the platform), then sends it and the rest
// in order. Other chats are not held up.
func TestSharedQueueDeadSendersClaimEndsWithItsLease(t *testing.T) {
	dbs := sharedQueue(t, 2)
	ctx := context.Background()
	held := queue(t, dbs[0], chat("tg", 1), "a", "b")
	queue(t, dbs[0], chat("tg", 2), "other")
	const lease = 700 * time.Millisecond
	if ok, err := dbs[0].ClaimOutbound(ctx, "dead-leader", lease, &storage.Outbound{Seq: held[0]}); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	claimed := time.Now()
	log := &sendLog{}
	s := &Sender{Outbox: dbs[1], Channels: map[string]Channel{"tg": &loggingChannel{log: log}}, Instance: "next-leader"}
	if err := s.Flush(ctx, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, m := range log.sent {
		order = append(order, m.to.ID+":"+m.text)
		if m.to == chat("tg", 1) && m.at.Sub(claimed) < lease {
			t.Errorf("%q sent %v after the dead leader's claim, inside its %v lease", m.text, m.at.Sub(claimed), lease)
		}
		if m.to == chat("tg", 2) && m.at.Sub(claimed) >= lease {
			t.Errorf("the other chat waited for the claim: sent after %v", m.at.Sub(claimed))
		}
	}
	if want := []string{"2:other", "1:a", "1:b"}; !equalStrings(order, want) {
		t.Errorf("sent %v, want %v", order, want)
	}
}

// A sender whose run ends mid-send (shutdown, or its term as leader ended) hands its claims
// back: the next leader does not wait out the lease.
func TestSharedQueueClaimReleasedWhenRunEnds(t *testing.T) {
	dbs := sharedQueue(t, 2)
	queue(t, dbs[0], chat("tg", 1), "a")
	log := &sendLog{}
	first := &Sender{Outbox: dbs[0], Channels: map[string]Channel{"tg": &loggingChannel{log: log, block: make(chan struct{})}}, Instance: "old"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- first.Run(ctx) }()
	waitFor(t, func() bool { return claimedBy(t, dbs[1], "old") })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	next := &Sender{Outbox: dbs[1], Channels: map[string]Channel{"tg": &loggingChannel{log: log}}, Instance: "new"}
	if err := next.Flush(context.Background(), 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if len(log.sent) != 1 || log.sent[0].text != "a" {
		t.Fatalf("sent %v, want [a] once", log.sent)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("next leader waited %v: the claim was not handed back", took)
	}
}

// claimedBy reports whether owner holds a claim on a queued message: another owner cannot take it.
func claimedBy(t *testing.T, db *postgres.DB, owner string) bool {
	t.Helper()
	msgs, err := db.Pending(context.Background(), 0)
	if err != nil || len(msgs) == 0 {
		return false
	}
	ok, err := db.ClaimOutbound(context.Background(), "probe-"+owner, time.Millisecond, msgs[0])
	return err == nil && !ok
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The claim rules, on the store: one owner at a time, all or none, ended by the ack, by a
// reschedule, by a release, and by the lease.
func TestClaimOutboundRules(t *testing.T) {
	dbs := sharedQueue(t, 1)
	db := dbs[0]
	ctx := context.Background()
	seqs := queue(t, db, chat("tg", 1), "a", "b", "c")
	type step struct {
		name  string
		owner string
		lease time.Duration
		seqs  []uint64
		want  bool
	}
	steps := []step{
		{"A claims a", "A", time.Minute, seqs[:1], true},
		{"B cannot take a", "B", time.Minute, seqs[:1], false},
		{"A claims a again", "A", time.Minute, seqs[:1], true},
		{"B's digest a+b is all or none", "B", time.Minute, seqs[:2], false},
		{"b stayed free", "B", time.Minute, seqs[1:2], true},
		{"none is a claim of nothing", "B", time.Minute, nil, true},
	}
	run := func(steps []step) {
		for _, s := range steps {
			got, err := db.ClaimOutbound(ctx, s.owner, s.lease, current(t, db, s.seqs)...)
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if got != s.want {
				t.Errorf("%s: claimed %v, want %v", s.name, got, s.want)
			}
		}
	}
	run(steps)
	if err := db.AckOutbound(ctx, seqs[0]); err != nil {
		t.Fatal(err)
	}
	msgs, err := db.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	msgs[0].Attempts++
	if err := db.UpdateOutbound(ctx, msgs[0]); err != nil { // b, rescheduled by B
		t.Fatal(err)
	}
	run([]step{
		{"an acked message cannot be claimed", "B", time.Minute, seqs[:1], false},
		{"a reschedule ends the claim", "A", 50 * time.Millisecond, seqs[1:2], true},
	})
	time.Sleep(100 * time.Millisecond)
	run([]step{{"a claim ends with its lease", "B", time.Minute, seqs[1:2], true}})
	if err := db.ReleaseOutbound(ctx, "A", seqs[1]); err != nil {
		t.Fatal(err)
	}
	run([]step{{"only the owner releases", "A", time.Minute, seqs[1:2], false}})
	if err := db.ReleaseOutbound(ctx, "B", seqs[1]); err != nil {
		t.Fatal(err)
	}
	run([]step{{"released", "A", time.Minute, seqs[1:2], true}})
	if _, err := db.ClaimOutbound(ctx, "", time.Minute, outs(seqs[2:])...); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("claim without an owner: %v, want ErrInvalid", err)
	}
	// A copy read before another sender rescheduled the message is stale: no claim from it.
	msgs, err = db.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	stale := *msgs[len(msgs)-1] // c
	fresh := stale
	fresh.Attempts++
	if err := db.UpdateOutbound(ctx, &fresh); err != nil {
		t.Fatal(err)
	}
	if ok, err := db.ClaimOutbound(ctx, "A", time.Minute, &stale); err != nil || ok {
		t.Errorf("claim from a stale copy: %v, %v; want refused", ok, err)
	}
	if ok, err := db.ClaimOutbound(ctx, "A", time.Minute, &fresh); err != nil || !ok {
		t.Errorf("claim from the fresh copy: %v, %v", ok, err)
	}
}

// current returns the queued messages seqs as the store has them now (a gone one by its Seq).
func current(t *testing.T, db *postgres.DB, seqs []uint64) []*storage.Outbound {
	t.Helper()
	pending, err := db.Pending(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	out := outs(seqs)
	for i := range out {
		for _, o := range pending {
			if o.Seq == out[i].Seq {
				out[i] = o
			}
		}
	}
	return out
}

func outs(seqs []uint64) []*storage.Outbound {
	out := make([]*storage.Outbound, len(seqs))
	for i, s := range seqs {
		out[i] = &storage.Outbound{Seq: s}
	}
	return out
}

// A send longer than the claim's lease renews it: another sender does not send that message
// meanwhile.
func TestSharedQueueLongSendKeepsItsClaim(t *testing.T) {
	dbs := sharedQueue(t, 2)
	queue(t, dbs[0], chat("tg", 1), "a 10 MB photo on a slow line")
	log := &sendLog{}
	slow := &Sender{Outbox: dbs[0], Channels: map[string]Channel{"tg": &loggingChannel{log: log, delay: 3 * time.Second}}, Instance: "slow", ClaimLease: 300 * time.Millisecond}
	other := &Sender{Outbox: dbs[1], Channels: map[string]Channel{"tg": &loggingChannel{log: log}}, Instance: "other", ClaimLease: 300 * time.Millisecond}
	ctx := context.Background()
	done := make(chan error, 1)
	go func() { done <- slow.Flush(ctx, time.Second) }()
	waitFor(t, func() bool { return claimedBy(t, dbs[1], "slow") })
	deadline := time.Now().Add(2500 * time.Millisecond) // eight leases, two claim retries
	for time.Now().Before(deadline) {
		if err := other.Flush(ctx, 0); err != nil {
			t.Fatal(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(log.sent) != 1 {
		t.Errorf("sent %d times, want once: %v", len(log.sent), log.sent)
	}
}

// ackFails is an instance whose database stops taking writes after a send: the ack of a
// delivered message cannot be written.
type ackFails struct {
	*postgres.DB
	fail atomic.Bool
}

func (a *ackFails) Update(ctx context.Context, fn func(tx storage.Tx) error) error {
	if a.fail.Load() {
		return errors.New("connection lost")
	}
	return a.DB.Update(ctx, fn)
}

// A message delivered whose ack could not be written keeps its claim when the sender's term
// ends: the next sender does not send it again while the lease runs.
func TestSharedQueueHeldAckKeepsItsClaim(t *testing.T) {
	dbs := sharedQueue(t, 2)
	queue(t, dbs[0], chat("tg", 1), "a")
	log := &sendLog{}
	first := &ackFails{DB: dbs[0]}
	ch := &loggingChannel{log: log}
	ctx, cancel := context.WithCancel(context.Background())
	// The platform took the message; then the database connection drops, which also ends the
	// term: the ack cannot be written and the run is over.
	lost := func() { first.fail.Store(true); cancel() }
	s := &Sender{Outbox: first, Channels: map[string]Channel{"tg": &hookChannel{loggingChannel: ch, after: lost}}, Instance: "old", ClaimLease: 2 * time.Second}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	next := &Sender{Outbox: dbs[1], Channels: map[string]Channel{"tg": &loggingChannel{log: log}}, Instance: "new"}
	if err := next.Flush(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	if len(log.sent) != 1 {
		t.Errorf("the delivered message was sent %d times: its claim was handed back while its ack was held", len(log.sent))
	}
}

// hookChannel calls after once a send went out.
type hookChannel struct {
	*loggingChannel
	after func()
}

func (c *hookChannel) Send(ctx context.Context, to storage.ChatAddr, r flows.Reply) error {
	err := c.loggingChannel.Send(ctx, to, r)
	if err == nil {
		c.after()
	}
	return err
}
