package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// errKilled is what a store of a killed process returns: nothing more reaches the disk.
var errKilled = errors.New("process killed")

// Kill points: the commit of a dialogue or staff step (the engine's transaction, which
// records the update, uses up the keyboard and queues the replies) and the commit of a sent
// message (the sender's ack with the channel's bookkeeping). Before: the process dies with the
// transaction not committed. After: it dies right after the commit, before anything else.
const (
	siteStep = "step"
	siteAck  = "ack"
)

// killer kills the "process" once, at the armed site, and from then on refuses every write and
// every send, as a dead process makes none; a restart builds a new process without it.
type killer struct {
	mu     sync.Mutex
	site   string
	after  bool
	dead   bool
	sent   bool // Telegram accepted a message: the next ack site is the one after an answer
	killed chan struct{}
}

func newKiller(site string, after bool) *killer {
	return &killer{site: site, after: after, killed: make(chan struct{})}
}

func (k *killer) isDead() bool { k.mu.Lock(); defer k.mu.Unlock(); return k.dead }

func (k *killer) update(site string, ctx context.Context, fn func(tx storage.Tx) error, real func(context.Context, func(tx storage.Tx) error) error) error {
	k.mu.Lock()
	if k.dead {
		k.mu.Unlock()
		return errKilled
	}
	armed := k.site == site && (site != siteAck || k.sent)
	if armed {
		k.site = ""
	}
	k.mu.Unlock()
	if !armed {
		return real(ctx, fn)
	}
	if k.after {
		if err := real(ctx, fn); err != nil {
			return err
		}
	}
	k.mu.Lock()
	k.dead = true
	k.mu.Unlock()
	close(k.killed)
	return errKilled
}

// killStore is the store as one site of the process writes it.
type killStore struct {
	envStore
	k    *killer
	site string
}

func (s killStore) Update(ctx context.Context, fn func(tx storage.Tx) error) error {
	return s.k.update(s.site, ctx, fn, s.envStore.Update)
}

// mortalChannel is the real channel of a process that may have died: a dead one sends nothing.
type mortalChannel struct {
	*Channel
	k *killer
}

func (m mortalChannel) SendCommit(ctx context.Context, to storage.ChatAddr, r flows.Reply) (bot.Bookkeeping, error) {
	if m.k.isDead() {
		return nil, context.Canceled // stays queued, as in a dead process
	}
	book, err := m.Channel.SendCommit(ctx, to, r)
	if err == nil {
		m.k.mu.Lock()
		m.k.sent = true
		m.k.mu.Unlock()
	}
	return book, err
}

var _ bot.Committer = mortalChannel{}

// pressUpdate presses the newest button labelled label and returns the update, for Telegram to
// deliver again after the restart (the offset of a killed process was not confirmed).
func pressUpdate(t *testing.T, f *fakeAPI, chat, from int64, label string) tgbotapi.Update {
	t.Helper()
	m, data := f.button(chat, func(l string) bool { return l == label })
	if m == nil {
		t.Fatalf("no button %q in chat %d", label, chat)
	}
	f.mu.Lock()
	orig := f.msgs[[2]int64{chat, int64(m.ID)}].message(f.botID)
	f.updateID++
	id := f.updateID
	f.mu.Unlock()
	u := tgbotapi.Update{UpdateID: id, CallbackQuery: &tgbotapi.CallbackQuery{ID: fmt.Sprintf("q%d", id), From: user(from), Message: &orig, ChatInstance: "x", Data: data}}
	f.push(u)
	return u
}

// untilKirim plays the citizen's report up to the confirmation question.
func untilKirim(e *env, chat int64, nik string) {
	t, f := e.t, e.fake
	t.Helper()
	step := func(do func(), want string) {
		t.Helper()
		n := len(f.sent(chat))
		do()
		f.waitText(chat, n, want)
	}
	press := func(label string) func() { return func() { f.press(chat, chat, label) } }
	step(func() { f.text(chat, chat, "/start") }, "Silakan pilih layanan")
	step(press("Lapor warga butuh bantuan"), "Siapa yang ingin Anda laporkan")
	step(press("Diri sendiri"), "Ketik NIK")
	step(func() { f.text(chat, chat, nik) }, "nama lengkap")
	step(func() { f.text(chat, chat, "Siti Aminah") }, "alamat lengkap")
	step(func() { f.text(chat, chat, "Dusun Krajan RT 02 RW 03") }, "Pilih kecamatan")
	step(press("Genteng"), "Pilih desa")
	step(func() { e.pressFirst(t, chat) }, "alasan utama")
	step(press("Lansia"), "nomor HP")
	step(func() { f.contact(chat, "+6281234567890") }, "Kirim laporan ini?")
}

// settle waits until the queue is empty and nothing was sent for a moment.
func settle(e *env) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	last, quiet := -1, 0
	for quiet < 3 {
		if time.Now().After(deadline) {
			e.t.Fatal("the queue did not drain")
		}
		time.Sleep(30 * time.Millisecond)
		p, err := e.db.Pending(context.Background(), 0)
		e.fake.mu.Lock()
		n := len(e.fake.calls)
		e.fake.mu.Unlock()
		if err == nil && len(p) == 0 && n == last {
			quiet++
		} else {
			quiet = 0
		}
		last = n
	}
}

// current is the text a message shows now, after its edits.
func current(f *fakeAPI, chat int64, msg int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.msgs[[2]int64{chat, int64(msg)}].Text
}

// repeated counts sendMessage calls that delivered a text a chat had already received.
func repeated(f *fakeAPI) (n int, which []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	seen := map[string]bool{}
	for _, m := range f.log {
		if m.Method != "sendMessage" {
			continue
		}
		k := fmt.Sprintf("%d|%s", m.Chat, m.Text)
		if seen[k] {
			n++
			which = append(which, k)
		}
		seen[k] = true
	}
	return n, which
}

// TestCrashAtEachStepBoundary kills the process at each boundary of a citizen's filing press
// and of a staff decision press, restarts it on the same bbolt file, has Telegram deliver the
// press again, and counts: no report lost or filed twice, each press applied once, and a
// message repeated only when the kill falls between Telegram's answer and the ack's commit.
func TestCrashAtEachStepBoundary(t *testing.T) {
	cases := []struct {
		name       string
		press      string // "kirim" or "layak"
		site       string
		after      bool
		maxRepeats int  // messages Telegram may receive twice
		mustRepeat bool // the killed message is a new one, so its repeat shows
	}{
		{"filing: killed before the step commits", "kirim", siteStep, false, 0, false},
		{"filing: killed after the step commits, before the answer", "kirim", siteStep, true, 0, false},
		{"filing: killed between Telegram's answer and the ack", "kirim", siteAck, false, 1, true},
		{"filing: killed right after the ack", "kirim", siteAck, true, 0, false},
		{"decision: killed before the step commits", "layak", siteStep, false, 0, false},
		{"decision: killed after the step commits, before the answer", "layak", siteStep, true, 0, false},
		// The killed message may be the edit of a staff post: edited again with the same text,
		// Telegram answers "not modified" and nothing shows twice.
		{"decision: killed between Telegram's answer and the ack", "layak", siteAck, false, 1, false},
		{"decision: killed right after the ack", "layak", siteAck, true, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envConfig{noRun: true})
			f := e.fake
			var k *killer // nil: not armed
			e.wrap = func(e *env) {
				if k == nil {
					return
				}
				e.engine.Store = killStore{envStore: e.db, k: k, site: siteStep}
				e.sender.Outbox = killStore{envStore: e.db, k: k, site: siteAck}
				e.sender.Workers = 1 // one send at a time: one message in the window of one commit
				e.sender.Channels[Name] = mortalChannel{Channel: e.ch, k: k}
			}
			e.start(true)
			untilKirim(e, citizen, nikFresh)
			settle(e) // the question's keyboard is recorded with its ack
			var id string
			decided := map[int64]int{} // decision lines in each staff post before the press
			if tc.press == "layak" {
				f.press(citizen, citizen, "Kirim")
				m := f.waitText(citizen, 0, "Laporan diterima")
				id = reportNo.FindString(m.Text)
				settle(e)
				for _, chat := range []int64{staffChat, staffChat2} {
					decided[chat] = strings.Count(current(f, chat, e.posted(chat, id).ID), " oleh ")
				}
			}

			// Arm, in a process built with the kill points, and press.
			k = newKiller(tc.site, tc.after)
			e.restart(true)
			var u tgbotapi.Update
			if tc.press == "kirim" {
				u = pressUpdate(t, f, citizen, citizen, "Kirim")
			} else {
				u = pressUpdate(t, f, staffChat, staffAna, "Layak")
			}
			select {
			case <-k.killed:
			case <-time.After(5 * time.Second):
				t.Fatal("the kill point was never reached")
			}
			// The restart: a new process on the same file; Telegram delivers the press again.
			k = nil
			e.restart(true)
			waitFor(t, 5*time.Second, "the restarted channel to run", func() bool {
				e.ch.mu.Lock()
				defer e.ch.mu.Unlock()
				return e.ch.handler != nil
			})
			e.ch.HandleUpdate(context.Background(), u)
			settle(e)

			rs, err := e.db.ReportsByNIK(context.Background(), nikFresh)
			if err != nil || len(rs) != 1 {
				t.Fatalf("reports on the NIK: %d (%v), want exactly 1", len(rs), err)
			}
			r := rs[0]
			if id != "" && r.ID != id {
				t.Fatalf("report %s, want %s", r.ID, id)
			}
			got := map[string]int{}
			for _, m := range f.sent(citizen) {
				if m.Method == "sendMessage" {
					got[strings.SplitN(m.Text, "\n", 2)[0]]++
				}
			}
			if tc.press == "layak" {
				if r.Status != storage.StatusEligible || len(r.History) != 2 {
					t.Errorf("decision applied %d times (status %s), want once", len(r.History)-1, r.Status)
				}
				for _, chat := range []int64{staffChat, staffChat2} {
					text := current(f, chat, e.posted(chat, r.ID).ID)
					if n := strings.Count(text, " oleh ") - decided[chat]; n != 1 {
						t.Errorf("staff post in %d shows the decision %d times:\n%s", chat, n, text)
					}
				}
			}
			n, which := repeated(f)
			if n > tc.maxRepeats {
				t.Errorf("%d messages repeated (%v), want at most %d", n, which, tc.maxRepeats)
			}
			if tc.mustRepeat && n == 0 {
				// The kill fell between Telegram's answer and the commit: the message goes out
				// again after the restart (Telegram has no idempotency key).
				t.Errorf("a kill between the answer and the ack repeated nothing: the ack was not the only commit after the send")
			}
		})
	}
}

// A citizen who blocked the bot misses the decision notice (Telegram refuses it for good); when
// they write again, they are told the news first.
func TestBlockedThenReturningCitizen(t *testing.T) {
	e := newEnv(t, envConfig{})
	f := e.fake
	id := e.report(citizen, nikFresh)
	e.posted(staffChat, id)
	settle(e) // nothing to the citizen still in flight when the block starts
	f.mu.Lock()
	f.fail = func(method string, p url.Values) *fakeErr {
		if method == "sendMessage" && p.Get("chat_id") == itoa(citizen) {
			return &fakeErr{Code: 403, Desc: "Forbidden: bot was blocked by the user"}
		}
		return nil
	}
	f.mu.Unlock()
	n := len(f.sent(citizen))
	f.press(staffChat, staffAna, "Layak")
	waitFor(t, 5*time.Second, "the refused notice", func() bool {
		for _, c := range f.callsOf("sendMessage") {
			if c.Err != nil && c.Params.Get("chat_id") == itoa(citizen) {
				return true
			}
		}
		return false
	})
	settle(e)
	if len(f.sent(citizen)) != n {
		t.Fatal("a message reached a chat that blocked the bot")
	}
	f.mu.Lock()
	f.fail = nil
	f.mu.Unlock()

	e.restart(true) // remembered in the store
	f.text(citizen, citizen, "/start")
	news := f.waitText(citizen, n, "Kabar laporan "+id)
	if !strings.Contains(news.Text, "layak, menunggu penyaluran") {
		t.Errorf("news = %q", news.Text)
	}
	menu := f.waitText(citizen, n, "Silakan pilih layanan")
	if menu.ID < news.ID {
		t.Error("the news should come before the answer to what the citizen wrote")
	}
	settle(e)
	f.text(citizen, citizen, "/start")
	f.waitText(citizen, n+2, "Silakan pilih layanan")
	count := 0
	for _, m := range f.sent(citizen) {
		if strings.Contains(m.Text, "Kabar laporan") {
			count++
		}
	}
	if count != 1 {
		t.Errorf("the news was given %d times, want once", count)
	}
}

// A decision already shown in the staff post is not edited in again (a message resent after a
// crash between Telegram's answer and the ack, or queued twice).
func TestEditOfEditedStaffPostIsNoOp(t *testing.T) {
	e := newEnv(t, envConfig{})
	f := e.fake
	id := e.report(citizen, nikFresh)
	post := e.posted(staffChat, id)
	settle(e) // the post's id is recorded with its ack
	decided := flows.Reply{To: Addr(staffChat), Text: "✅ " + id + " *LAYAK* oleh Ana (tes).", Report: id, Event: flows.EventStaffDecided}
	for range 2 {
		if err := e.ch.Send(context.Background(), Addr(staffChat), decided); err != nil {
			t.Fatal(err)
		}
	}
	edits := 0
	for _, c := range f.callsOf("editMessageText") {
		if c.Params.Get("chat_id") == itoa(staffChat) && c.Params.Get("message_id") == strconv.Itoa(post.ID) {
			edits++
		}
	}
	if edits != 1 {
		t.Errorf("%d edits of the staff post, want 1", edits)
	}
	if text := current(f, staffChat, post.ID); strings.Count(text, "*LAYAK* oleh Ana")+strings.Count(text, "LAYAK oleh Ana") != 1 {
		t.Errorf("post shows the decision other than once:\n%s", text)
	}
}
