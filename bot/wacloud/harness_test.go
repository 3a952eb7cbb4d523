package wacloud

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/bot/wacloud/wacloudtest"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
)

const (
	citizen   = "6281234567001"
	citizen2  = "6281234567002"
	nikFresh  = "3510091506800004"
	staffChat = "staf-1" // a console-style staff chat: staff are not on the Cloud API
)

var fastLimits = bot.Limits{PerChat: time.Millisecond, Global: time.Millisecond, FirstBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}

// clock is the injected clock shared by the engine, the sender, the channel and the fake.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type env struct {
	t      *testing.T
	graph  *wacloudtest.Graph
	clock  *clock
	db     *bolt.DB
	reg    *registry.Registry
	engine *flows.Engine
	sender *bot.Sender
	disp   *bot.Dispatcher
	ch     *Channel
	hook   *httptest.Server
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, graph: wacloudtest.New(t), clock: &clock{t: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)}}
	e.graph.SetNow(e.clock.Now)
	dir := t.TempDir()
	e.reg = &registry.Registry{Dir: dir}
	if err := e.reg.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.reg.Close() })
	e.db = bolt.NewDB(filepath.Join(dir, "bot.db"))
	if err := e.db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.db.Close() })
	area, err := flows.NewArea("35.10", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.engine = &flows.Engine{
		Store: e.db, Registry: e.reg, Area: area, StaffChats: []storage.ChatAddr{{Channel: "console", ID: staffChat}},
		Now: e.clock.Now, Agency: "Dinas Sosial", Retention: "2 tahun", VerifySLA: 3 * time.Hour, DeliverySLA: 12 * time.Hour,
		SessionTTL: 48 * time.Hour, CheckLimit: 10, Log: zerolog.Nop(),
	}
	// The sender paces by the wall clock: the fake clock stands still between steps.
	e.sender = &bot.Sender{Outbox: e.db, Channels: map[string]bot.Channel{}, Log: zerolog.Nop()}
	e.disp = &bot.Dispatcher{Engine: e.engine, Sender: e.sender, Log: zerolog.Nop()}
	e.open()
	return e
}

// open builds the channel on the store (again: a restart of the process).
func (e *env) open() {
	e.t.Helper()
	ch, err := New(Options{
		Token: e.graph.Token, PhoneNumberID: e.graph.PhoneNumberID, AppSecret: e.graph.AppSecret, VerifyToken: "verify-me",
		APIURL: e.graph.URL(), Template: "kabar_laporan", Store: e.db, Handler: e.disp, Wake: e.sender.Wake,
		Now: e.clock.Now, Limits: &fastLimits, Log: zerolog.Nop(),
	})
	if err != nil {
		e.t.Fatal(err)
	}
	e.ch = ch
	e.sender.Channels[Name] = ch
	if e.hook != nil {
		e.hook.Close()
	}
	e.hook = httptest.NewServer(ch.Handler())
	e.t.Cleanup(e.hook.Close)
}

// flush sends what is due, synchronously.
func (e *env) flush() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.sender.Flush(ctx, 100*time.Millisecond); err != nil {
		e.t.Fatal(err)
	}
}

// say delivers a text from wa_id now, sends the replies, and returns the ones that went out.
func (e *env) say(from, text string) []wacloudtest.Sent {
	e.t.Helper()
	body, _ := e.graph.Text(from, e.clock.Now(), text)
	return e.deliver(from, body)
}

// press answers with the button or list row labelled label of the newest interactive message.
func (e *env) press(from, label string) []wacloudtest.Sent {
	e.t.Helper()
	sent := e.graph.SentTo(from)
	for i := len(sent) - 1; i >= 0; i-- {
		in := sent[i].Msg.Interactive
		if in == nil {
			continue
		}
		for _, b := range in.Action.Buttons {
			if b.Reply.Title == label {
				body, _ := e.graph.Reply(from, e.clock.Now(), "button_reply", b.Reply.ID, b.Reply.Title)
				return e.deliver(from, body)
			}
		}
		for _, s := range in.Action.Sections {
			for _, r := range s.Rows {
				if r.Title == label || r.Description == label {
					body, _ := e.graph.Reply(from, e.clock.Now(), "list_reply", r.ID, r.Title)
					return e.deliver(from, body)
				}
			}
		}
		e.t.Fatalf("no choice %q in the newest interactive message: %s", label, sent[i].Body)
	}
	e.t.Fatalf("no interactive message to %s", from)
	return nil
}

func (e *env) deliver(from string, body []byte) []wacloudtest.Sent {
	e.t.Helper()
	before := len(e.graph.SentTo(from))
	if code := e.graph.Post(e.hook.URL+WebhookPath, body); code != 200 {
		e.t.Fatalf("webhook answered %d", code)
	}
	e.flush()
	return e.graph.SentTo(from)[before:]
}

// text is what a sent message shows: its body, the interactive body, or the template's text.
func text(s wacloudtest.Sent) string {
	m := s.Msg
	switch {
	case m.Text != nil:
		return m.Text.Body
	case m.Interactive != nil:
		return m.Interactive.Body.Text
	case m.Template != nil:
		var parts []string
		for _, c := range m.Template.Components {
			for _, p := range c.Parameters {
				parts = append(parts, p.Text)
			}
		}
		return strings.Join(parts, " | ")
	}
	return ""
}

func wantText(t *testing.T, got []wacloudtest.Sent, want string) wacloudtest.Sent {
	t.Helper()
	for _, s := range got {
		if strings.Contains(text(s), want) {
			return s
		}
	}
	var all []string
	for _, s := range got {
		all = append(all, s.Body)
	}
	t.Fatalf("no message with %q among:\n%s", want, strings.Join(all, "\n"))
	return wacloudtest.Sent{}
}

func jsonReply(r flows.Reply) ([]byte, error) { return json.Marshal(r) }
