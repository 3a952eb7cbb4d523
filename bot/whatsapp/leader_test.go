package whatsapp

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow/types"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/postgres"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// Two instances share one PostgreSQL store and the linked device; the WhatsApp channel runs
// only on the instance holding the leader lock. When the leader's database session dies (its
// process died), the other instance connects and answers the citizen, and the dead one's
// client takes no more messages.
func TestWhatsAppLeaderFailover(t *testing.T) {
	url := pgtest.NewDatabase(t)
	device := newDevice(t, botPN, botLID)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := func(name string) *leaderInstance { return startLeaderInstance(ctx, t, url, device, name) }
	a := start("a")
	select {
	case <-a.fake.connected:
	case <-time.After(10 * time.Second):
		t.Fatal("the first instance never connected WhatsApp")
	}
	b := start("b")
	select {
	case <-b.fake.connected:
		t.Fatal("the second instance connected WhatsApp while the first leads")
	case <-time.After(500 * time.Millisecond):
	}
	citizen := pn(citizenPN)
	if got := a.say(citizen, "halo"); !strings.Contains(got, "1. Lapor") {
		t.Fatalf("the leader answered %q", got)
	}

	// a's process dies: the server ends its session and with it the lock.
	pgtest.KillLockHolders(t, url, 1)
	a.die() // and no code of it runs any more
	select {
	case <-a.ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the old leader kept running WhatsApp")
	}
	select {
	case <-b.fake.connected:
	case <-time.After(10 * time.Second):
		t.Fatal("the second instance did not take WhatsApp over")
	}
	// The dialogue continues where it was: the session is in the shared store.
	if got := b.say(citizen, "1"); !strings.Contains(got, "Siapa yang ingin Anda laporkan") {
		t.Errorf("after failover the new leader answered %q", got)
	}
	a.fake.mu.Lock()
	stale := a.fake.handler
	a.fake.mu.Unlock()
	if stale != nil {
		t.Error("the old leader's client still takes messages")
	}
}

// leaderInstance is one instance of the bot on a shared PostgreSQL database, running the
// WhatsApp channel (with a fake client of the shared device) in each of its terms as leader.
type leaderInstance struct {
	t      *testing.T
	ctx    context.Context
	db     *postgres.DB
	fake   *fakeClient
	wa     *Channel
	sender *bot.Sender
	ended  chan struct{}      // one value per term that ended
	die    context.CancelFunc // the process dies: no code of it runs any more
}

func startLeaderInstance(ctx context.Context, t *testing.T, url string, device *device, name string) *leaderInstance {
	t.Helper()
	dir := t.TempDir()
	db := postgres.New(url)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	reg, area := testRegistry(ctx, t, dir)
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.ErrorLevel)
	engine := &flows.Engine{Store: db, Registry: reg, Area: area, StaffChats: []storage.ChatAddr{{Channel: Name, ID: staffGroup}},
		Log: log, Agency: "Dinas Sosial", Retention: "5 tahun", VerifySLA: 3 * time.Hour, DeliverySLA: 12 * time.Hour,
		SessionTTL: time.Hour, CheckLimit: 10}
	ictx, die := context.WithCancel(ctx)
	in := &leaderInstance{t: t, ctx: ctx, db: db, fake: newFakeClient(device), ended: make(chan struct{}, 16), die: die}
	// The inbox is the shared table, as serve has it with PostgreSQL.
	in.wa = New(Options{Inbox: db.WhatsAppInbox(), Client: in.fake, LIDs: fakeLIDs{}, Store: db, StaffGroups: []string{staffGroup},
		Limits: &bot.Limits{}, Log: log, Typing: -1, Wake: func() {}})
	in.sender = &bot.Sender{Outbox: db, Channels: map[string]bot.Channel{Name: in.wa}, Log: log}
	disp := &bot.Dispatcher{Engine: engine, Log: log}
	go db.Lead(ictx, "leader", 50*time.Millisecond, func(term context.Context) {
		if err := in.wa.Run(term, disp); err != nil && term.Err() == nil {
			t.Errorf("%s: Run: %v", name, err)
		}
		<-term.Done()
		in.ended <- struct{}{}
	})
	return in
}

// say delivers a citizen's text to the instance's client, waits until it is handled and
// returns what the instance sent.
func (in *leaderInstance) say(citizen types.JID, text string) string {
	t := in.t
	t.Helper()
	h := &harness{t: t, nextID: int(time.Now().UnixNano() % 1e6)}
	if !in.fake.emit(h.direct(citizen, types.JID{}, textMessage(text))) {
		t.Fatal("message refused")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !in.wa.idle() {
		if time.Now().After(deadline) {
			t.Fatal("message not handled")
		}
		time.Sleep(time.Millisecond)
	}
	if err := in.sender.Flush(in.ctx, 0); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range in.fake.takeSent() {
		out = append(out, messageText(s.Msg))
	}
	return strings.Join(out, "\n")
}

// An instance that loses its leadership (its lock's database session ends while its process
// lives on) disconnects WhatsApp at once, and when it leads again runs the channel again: the
// same channel the sender holds, connected anew, continuing the citizen's dialogue.
func TestWhatsAppRunsAgainAfterLeadershipRegained(t *testing.T) {
	url := pgtest.NewDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a := startLeaderInstance(ctx, t, url, newDevice(t, botPN, botLID), "a")
	select {
	case <-a.fake.connected:
	case <-time.After(10 * time.Second):
		t.Fatal("the leader never connected WhatsApp")
	}
	citizen := pn(citizenPN)
	if got := a.say(citizen, "halo"); !strings.Contains(got, "1. Lapor") {
		t.Fatalf("the leader answered %q", got)
	}
	pgtest.KillLockHolders(t, url, 1)
	select {
	case <-a.ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the term did not end with the lock's session")
	}
	select {
	case <-a.fake.disconnect:
	default:
		t.Fatal("WhatsApp still connected after the term ended")
	}
	if got := a.wa.State(); got != "standby" {
		t.Errorf("between terms the channel says %q, want standby", got)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if n, online := a.fake.state(); n >= 2 && online {
			break
		}
		if time.Now().After(deadline) {
			n, online := a.fake.state()
			t.Fatalf("WhatsApp not run again in the next term: %d connects, online %v", n, online)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := a.say(citizen, "1"); !strings.Contains(got, "Siapa yang ingin Anda laporkan") {
		t.Errorf("in the second term the channel answered %q", got)
	}
	if got := a.wa.State(); got != "connected" {
		t.Errorf("in the second term the channel says %q", got)
	}
}
