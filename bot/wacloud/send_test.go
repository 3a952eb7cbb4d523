package wacloud

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/bot/wacloud/wacloudtest"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// open the window: the citizen wrote just now.
func (e *env) wrote(waID string) {
	e.t.Helper()
	body, _ := e.graph.Text(waID, e.clock.Now(), "halo")
	rec := &recorder{}
	h := e.ch.opt.Handler
	e.ch.opt.Handler = rec
	defer func() { e.ch.opt.Handler = h }()
	if code := e.graph.Post(e.hook.URL+WebhookPath, body); code != 200 {
		e.t.Fatalf("webhook %d", code)
	}
}

func choices(labels ...string) []flows.Choice {
	var out []flows.Choice
	for i, l := range labels {
		out = append(out, flows.Choice{Label: l, Data: fmt.Sprintf("d%d", i+1)})
	}
	return out
}

func TestExactBodies(t *testing.T) {
	e := newEnv(t)
	e.wrote(citizen)
	many := make([]string, 12)
	for i := range many {
		many[i] = fmt.Sprintf("Kec %d", i+1)
	}
	cases := []struct {
		name  string
		reply flows.Reply
		body  string
	}{
		{"text", flows.Reply{Text: "Halo *warga*"},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567001","type":"text","text":{"body":"Halo *warga*","preview_url":false}}`},
		{"buttons", flows.Reply{Text: "Kirim laporan ini?", Step: "confirm", Choices: choices("Kirim", "Ubah", "Batal")},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567001","type":"interactive","interactive":{"type":"button","body":{"text":"Kirim laporan ini?"},"action":{"buttons":[{"type":"reply","reply":{"id":"c|confirm|d1","title":"Kirim"}},{"type":"reply","reply":{"id":"c|confirm|d2","title":"Ubah"}},{"type":"reply","reply":{"id":"c|confirm|d3","title":"Batal"}}]}}}`},
		{"list", flows.Reply{Text: "Alasan?", Step: "reason", Choices: choices("Kehilangan pekerjaan", "Pekerja harian", "Lansia", "Disabilitas", "Lainnya")},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567001","type":"interactive","interactive":{"type":"list","body":{"text":"Alasan?"},"action":{"button":"Pilih","sections":[{"rows":[{"id":"c|reason|d1","title":"Kehilangan pekerjaan"},{"id":"c|reason|d2","title":"Pekerja harian"},{"id":"c|reason|d3","title":"Lansia"},{"id":"c|reason|d4","title":"Disabilitas"},{"id":"c|reason|d5","title":"Lainnya"}]}]}}}`},
		{"button title too long: list", flows.Reply{Text: "Pilih", Step: "s", Choices: choices("Lapor warga butuh bantuan", "Cek")},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567001","type":"interactive","interactive":{"type":"list","body":{"text":"Pilih"},"action":{"button":"Pilih","sections":[{"rows":[{"id":"c|s|d1","title":"Lapor warga butuh bantu…","description":"Lapor warga butuh bantuan"},{"id":"c|s|d2","title":"Cek"}]}]}}}`},
		{"more than ten: numbered text", flows.Reply{Text: "Pilih kecamatan:", Step: "kec", Choices: choices(many...)},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567001","type":"text","text":{"body":"Pilih kecamatan:\n\n1. Kec 1\n2. Kec 2\n3. Kec 3\n4. Kec 4\n5. Kec 5\n6. Kec 6\n7. Kec 7\n8. Kec 8\n9. Kec 9\n10. Kec 10\n11. Kec 11\n12. Kec 12","preview_url":false}}`},
		{"body over 1024: numbered text", flows.Reply{Text: strings.Repeat("a", 1025), Step: "s", Choices: choices("Ya")},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567001","type":"text","text":{"body":"` + strings.Repeat("a", 1025) + `\n\n1. Ya","preview_url":false}}`},
		{"contact question", flows.Reply{Text: "Ketik nomor HP.\nAnda juga bisa menekan tombol \"Kirim nomor saya\".", AskContact: true},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567001","type":"text","text":{"body":"Ketik nomor HP.\nAnda juga bisa mengirim kartu kontak: 📎 → Kontak.","preview_url":false}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.graph.SentTo(citizen))
			if err := e.ch.Send(context.Background(), Addr(citizen), tc.reply); err != nil {
				t.Fatal(err)
			}
			sent := e.graph.SentTo(citizen)[before:]
			if len(sent) != 1 || sent[0].Body != tc.body {
				t.Fatalf("sent %d:\n%s\nwant\n%s", len(sent), bodies(sent), tc.body)
			}
		})
	}
	t.Run("text cut at 4096", func(t *testing.T) {
		if err := e.ch.Send(context.Background(), Addr(citizen), flows.Reply{Text: strings.Repeat("x", 5000)}); err != nil {
			t.Fatal(err)
		}
		s := e.graph.SentTo(citizen)
		if n := len([]rune(s[len(s)-1].Msg.Text.Body)); n != 4096 {
			t.Fatalf("%d characters", n)
		}
	})
}

func bodies(s []wacloudtest.Sent) string {
	var out []string
	for _, x := range s {
		out = append(out, x.Body)
	}
	return strings.Join(out, "\n")
}

func TestErrorCodes(t *testing.T) {
	cases := []struct {
		name      string
		err       *wacloudtest.Error
		retry     time.Duration
		temporary bool
		stopped   bool
		template  bool // the reply went out as the template instead
		unhealthy bool
	}{
		{"429", &wacloudtest.Error{HTTPStatus: 429, Code: 130429, Message: "(#130429) Rate limit hit"}, time.Minute, false, false, false, false},
		{"4 app rate", &wacloudtest.Error{HTTPStatus: 400, Code: 4, Message: "(#4) Application request limit reached"}, time.Minute, false, false, false, false},
		{"80007 account rate", &wacloudtest.Error{HTTPStatus: 400, Code: 80007, Message: "(#80007) Rate limit issues"}, time.Minute, false, false, false, false},
		{"131048 spam rate", &wacloudtest.Error{HTTPStatus: 400, Code: 131048, Message: "(#131048) Spam rate limit hit"}, time.Minute, false, false, false, false},
		{"131056 pair rate", &wacloudtest.Error{HTTPStatus: 400, Code: 131056, Message: "(#131056) (Business Account, Consumer Account) pair rate limit hit"}, 6 * time.Second, false, false, false, false},
		{"500", &wacloudtest.Error{HTTPStatus: 500, Code: 1, Message: "An unknown error occurred"}, 0, true, false, false, false},
		{"503", &wacloudtest.Error{HTTPStatus: 503, Code: 2, Message: "Service temporarily unavailable"}, 0, true, false, false, false},
		{"131026 undeliverable", &wacloudtest.Error{HTTPStatus: 400, Code: 131026, Message: "(#131026) Message Undeliverable"}, 0, false, true, false, false},
		{"131047 outside window", &wacloudtest.Error{HTTPStatus: 400, Code: 131047, Message: "(#131047) Re-engagement message"}, 0, false, false, true, false},
		{"190 bad token", &wacloudtest.Error{HTTPStatus: 401, Code: 190, Message: "Error validating access token"}, 10 * time.Minute, false, false, false, true},
		{"100 bad parameter", &wacloudtest.Error{HTTPStatus: 400, Code: 100, Message: "(#100) Invalid parameter"}, 0, false, false, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.wrote(citizen)
			e.graph.FailWith(func(m wacloudtest.OutMessage) *wacloudtest.Error {
				if m.Type == "template" {
					return nil
				}
				return tc.err
			})
			err := e.ch.Send(context.Background(), Addr(citizen), flows.Reply{Text: "Kabar laporan", Report: "LB-2611-0001"})
			sent := e.graph.SentTo(citizen)
			if tc.template {
				if err != nil || len(sent) != 1 || sent[0].Type != "template" {
					t.Fatalf("err %v, sent %s", err, bodies(sent))
				}
				return
			}
			var se *bot.SendError
			if !errors.As(err, &se) {
				t.Fatalf("err %v is not a *bot.SendError", err)
			}
			if se.RetryAfter != tc.retry || se.Temporary != tc.temporary || se.Stopped != tc.stopped {
				t.Errorf("got retry %s temporary %v stopped %v", se.RetryAfter, se.Temporary, se.Stopped)
			}
			if got := e.ch.Healthy() != nil; got != tc.unhealthy {
				t.Errorf("unhealthy %v, want %v", got, tc.unhealthy)
			}
		})
	}
	t.Run("network error", func(t *testing.T) {
		e := newEnv(t)
		e.wrote(citizen)
		e.ch.opt.APIURL = "http://127.0.0.1:1/v25.0"
		var se *bot.SendError
		if err := e.ch.Send(context.Background(), Addr(citizen), flows.Reply{Text: "x"}); !errors.As(err, &se) || !se.Temporary {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("after 190 nothing is sent", func(t *testing.T) {
		e := newEnv(t)
		e.wrote(citizen)
		e.ch.opt.Token = "revoked"
		_ = e.ch.Send(context.Background(), Addr(citizen), flows.Reply{Text: "x"})
		e.ch.opt.Token = e.graph.Token
		before := len(e.graph.SentTo(citizen))
		var se *bot.SendError
		if err := e.ch.Send(context.Background(), Addr(citizen), flows.Reply{Text: "x"}); !errors.As(err, &se) || se.RetryAfter == 0 {
			t.Fatalf("err %v", err)
		}
		if !errors.Is(e.ch.Healthy(), ErrBadToken) || len(e.graph.SentTo(citizen)) != before {
			t.Fatal("a stopped channel sent, or reports healthy")
		}
	})
}

// A decision made the next day goes out as the template, with the report number and the
// text as parameters; a message within the window as it is. The window survives a restart.
func TestWindowSwitchesToTemplate(t *testing.T) {
	e := newEnv(t)
	e.wrote(citizen)
	e.clock.Add(23 * time.Hour)
	e.open() // a restart: the last-inbound time must come from the store
	notice := flows.Reply{Text: "✅ Laporan *LB-2611-0001* dinyatakan LAYAK.\nPaket disalurkan paling lambat 03/11/2026 21:00 WIB.", Report: "LB-2611-0001"}
	if err := e.ch.Send(context.Background(), Addr(citizen), notice); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(2 * time.Hour)
	if err := e.ch.Send(context.Background(), Addr(citizen), notice); err != nil {
		t.Fatal(err)
	}
	sent := e.graph.SentTo(citizen)
	if len(sent) != 2 || sent[0].Type != "text" {
		t.Fatalf("sent %s", bodies(sent))
	}
	want := `{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567001","type":"template","template":{"name":"kabar_laporan","language":{"code":"id"},"components":[{"type":"body","parameters":[{"type":"text","text":"LB-2611-0001"},{"type":"text","text":"✅ Laporan LB-2611-0001 dinyatakan LAYAK. · Paket disalurkan paling lambat 03/11/2026 21:00 WIB."}]}]}}`
	if sent[1].Body != want {
		t.Fatalf("template body\n%s\nwant\n%s", sent[1].Body, want)
	}
	t.Run("no template configured", func(t *testing.T) {
		e.ch.opt.Template = ""
		var se *bot.SendError
		err := e.ch.Send(context.Background(), Addr(citizen), notice)
		if !errors.As(err, &se) || se.Temporary || se.RetryAfter != 0 || se.Stopped {
			t.Fatalf("want a permanent refusal, got %v", err)
		}
	})
	t.Run("never wrote", func(t *testing.T) {
		e.ch.opt.Template = "kabar_laporan"
		if err := e.ch.Send(context.Background(), Addr(citizen2), notice); err != nil {
			t.Fatal(err)
		}
		if s := e.graph.SentTo(citizen2); len(s) != 1 || s[0].Type != "template" {
			t.Fatalf("sent %s", bodies(s))
		}
	})
}

// Meta accepts a free-form message and fails it later by status (131047) when its clock says
// the window closed: the message is queued again and goes out as the template.
func TestFailedStatusRequeues(t *testing.T) {
	e := newEnv(t)
	e.wrote(citizen)
	// Meta's clock is ahead of ours: it judges the window closed, we do not.
	e.graph.SetNow(func() time.Time { return e.clock.Now().Add(25 * time.Hour) })
	e.clock.Add(23 * time.Hour)
	q := func(r flows.Reply) {
		t.Helper()
		err := e.db.Update(context.Background(), func(tx storage.Tx) error {
			p, _ := jsonReply(r)
			return tx.Enqueue(&storage.Outbound{To: Addr(citizen), Payload: p})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	q(flows.Reply{Text: "Laporan LB-2611-0001 dinyatakan LAYAK.", Report: "LB-2611-0001"})
	e.flush()
	first := e.graph.SentTo(citizen)
	if len(first) != 1 || first[0].Type != "text" {
		t.Fatalf("sent %s", bodies(first))
	}
	if code := e.graph.Post(e.hook.URL+WebhookPath, e.graph.TakeStatuses(e.clock.Now())); code != 200 {
		t.Fatalf("status call %d", code)
	}
	e.flush()
	sent := e.graph.SentTo(citizen)
	if len(sent) != 2 || sent[1].Type != "template" || !strings.Contains(sent[1].Body, "LB-2611-0001") {
		t.Fatalf("after the 131047 status: %s", bodies(sent))
	}
	if got := e.ch.Statuses()["failed"]; got != 1 {
		t.Errorf("failed statuses counted %d", got)
	}
	// Until the citizen writes again, templates; then free-form messages again.
	if err := e.ch.Send(context.Background(), Addr(citizen), flows.Reply{Text: "lagi"}); err != nil {
		t.Fatal(err)
	}
	e.graph.SetNow(e.clock.Now)
	e.wrote(citizen)
	if err := e.ch.Send(context.Background(), Addr(citizen), flows.Reply{Text: "lagi"}); err != nil {
		t.Fatal(err)
	}
	if s := e.graph.SentTo(citizen); s[2].Type != "template" || s[3].Type != "text" {
		t.Fatalf("after the 131047 mark: %s", bodies(s[2:]))
	}
	_ = e.graph.TakeStatuses(e.clock.Now())

	cases := []struct {
		name    string
		code    int
		requeue bool
	}{
		{"pair rate limit", 131056, true},
		{"rate limit", 130429, true},
		{"meta trouble", 131000, true},
		{"bad parameter", 131008, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.graph.SetNow(e.clock.Now)
			e.wrote(citizen)
			before := len(e.graph.SentTo(citizen))
			q(flows.Reply{Text: "pesan " + tc.name})
			e.flush()
			_ = e.graph.TakeStatuses(e.clock.Now())
			sent := e.graph.SentTo(citizen)
			if len(sent) != before+1 {
				t.Fatalf("not sent: %s", bodies(sent[before:]))
			}
			call := e.graph.StatusCall(e.clock.Now(), wacloudtest.Status{ID: sent[before].WAMID, Status: "failed", RecipientID: citizen, Code: tc.code})
			if code := e.graph.Post(e.hook.URL+WebhookPath, call); code != 200 {
				t.Fatalf("status call %d", code)
			}
			pending, _ := e.db.Pending(context.Background(), 0)
			if got := len(pending) == 1; got != tc.requeue {
				t.Fatalf("queued again: %v, want %v", got, tc.requeue)
			}
			if tc.requeue && pending[0].NotBefore.IsZero() {
				t.Error("a throttled message must wait")
			}
			for _, p := range pending {
				_ = e.db.AckOutbound(context.Background(), p.Seq)
			}
		})
	}
	t.Run("undeliverable drops the chat's queue", func(t *testing.T) {
		e.wrote(citizen)
		before := len(e.graph.SentTo(citizen))
		q(flows.Reply{Text: "satu"})
		e.flush()
		_ = e.graph.TakeStatuses(e.clock.Now())
		q(flows.Reply{Text: "dua, belum terkirim"})
		sent := e.graph.SentTo(citizen)
		call := e.graph.StatusCall(e.clock.Now(), wacloudtest.Status{ID: sent[before].WAMID, Status: "failed", RecipientID: citizen, Code: 131026})
		if code := e.graph.Post(e.hook.URL+WebhookPath, call); code != 200 {
			t.Fatalf("status call %d", code)
		}
		if pending, _ := e.db.Pending(context.Background(), 0); len(pending) != 0 {
			t.Fatalf("%d still queued", len(pending))
		}
	})
	t.Run("delivered settles; a repeated status is harmless", func(t *testing.T) {
		e.wrote(citizen)
		before := len(e.graph.SentTo(citizen))
		q(flows.Reply{Text: "tiga"})
		e.flush()
		_ = e.graph.TakeStatuses(e.clock.Now())
		id := e.graph.SentTo(citizen)[before].WAMID
		for i := 0; i < 2; i++ {
			call := e.graph.StatusCall(e.clock.Now(), wacloudtest.Status{ID: id, Status: "delivered", RecipientID: citizen})
			if code := e.graph.Post(e.hook.URL+WebhookPath, call); code != 200 {
				t.Fatalf("status call %d", code)
			}
		}
		err := e.db.View(context.Background(), func(tx storage.Tx) error {
			_, err := tx.Get(stateBucket, sentKey(id))
			return err
		})
		if !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("sent record kept after delivery: %v", err)
		}
	})
}
