package telegram

import (
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/bot/wacloud"
	"github.com/laporbansos/laporbansos/bot/wacloud/wacloudtest"
)

// A citizen reports through the WhatsApp Cloud API; staff decide in the Telegram group (the
// real client against the fake Bot API); each decision reaches the citizen on the Cloud API:
// the same day as a message, the next day as the template.
func TestCloudAPICitizenTelegramStaff(t *testing.T) {
	e := newEnv(t, envConfig{})
	graph := wacloudtest.New(t)
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	graph.SetNow(clock)
	wc, err := wacloud.New(wacloud.Options{
		Token: graph.Token, PhoneNumberID: graph.PhoneNumberID, AppSecret: graph.AppSecret, VerifyToken: "v",
		APIURL: graph.URL(), Template: "kabar_laporan", Store: e.db, Handler: e.disp, Wake: e.sender.Wake,
		Now: clock, Limits: &fastLimits, Log: zerolog.Nop(),
	})
	if err != nil {
		t.Fatal(err)
	}
	e.sender.Channels[wacloud.Name] = wc
	hook := httptest.NewServer(wc.Handler())
	defer hook.Close()

	const wa = "6281299990001"
	// step sends body and waits for a message to wa containing want.
	step := func(body []byte, want string) wacloudtest.Sent {
		t.Helper()
		n := len(graph.SentTo(wa))
		if code := graph.Post(hook.URL+wacloud.WebhookPath, body); code != 200 {
			t.Fatalf("webhook %d", code)
		}
		return waitSent(t, graph, wa, n, want)
	}
	say := func(text, want string) wacloudtest.Sent {
		body, _ := graph.Text(wa, clock(), text)
		return step(body, want)
	}
	choose := func(label, want string) wacloudtest.Sent {
		t.Helper()
		s := graph.SentTo(wa)
		in := s[len(s)-1].Msg.Interactive
		if in == nil {
			t.Fatalf("no interactive message: %s", s[len(s)-1].Body)
		}
		for _, b := range in.Action.Buttons {
			if b.Reply.Title == label {
				body, _ := graph.Reply(wa, clock(), "button_reply", b.Reply.ID, b.Reply.Title)
				return step(body, want)
			}
		}
		for _, sec := range in.Action.Sections {
			for _, r := range sec.Rows {
				if r.Title == label || r.Description == label {
					body, _ := graph.Reply(wa, clock(), "list_reply", r.ID, r.Title)
					return step(body, want)
				}
			}
		}
		t.Fatalf("no choice %q in %s", label, s[len(s)-1].Body)
		return wacloudtest.Sent{}
	}
	say("halo", "Silakan pilih layanan")
	choose("Lapor warga butuh bantuan", "Siapa yang ingin Anda laporkan")
	choose("Diri sendiri", "Ketik NIK")
	say(nikFresh, "nama lengkap")
	say("Siti Aminah", "alamat lengkap")
	say("Dusun Krajan RT 02 RW 03", "Pilih kecamatan")
	say("Genteng", "Pilih desa")
	say("1", "alasan utama")
	choose("Lansia", "nomor HP")
	say("081234567890", "Kirim laporan ini?")
	done := choose("Kirim", "Laporan diterima")
	id := reportNo.FindString(sentText(done))
	if id == "" {
		t.Fatalf("no report number in %s", done.Body)
	}

	e.posted(staffChat, id)
	n := len(graph.SentTo(wa))
	e.fake.press(staffChat, staffAna, "Layak")
	layak := waitSent(t, graph, wa, n, "LAYAK")
	if layak.Type != "text" || !strings.Contains(layak.Body, id) {
		t.Fatalf("same-day decision: %s", layak.Body)
	}

	e.fake.waitText(staffChat, 0, "dinyatakan LAYAK oleh")

	// The next day, out of the window: delivery is told by the template.
	mu.Lock()
	now = now.Add(25 * time.Hour)
	mu.Unlock()
	n = len(graph.SentTo(wa))
	e.fake.press(staffChat, staffBudi, "Sudah disalurkan")
	tpl := waitSent(t, graph, wa, n, id)
	if tpl.Type != "template" || tpl.Msg.Template.Name != "kabar_laporan" || tpl.Msg.Template.Components[0].Parameters[0].Text != id {
		t.Fatalf("next-day decision: %s", tpl.Body)
	}
	if st := e.status(id); st != "delivered" {
		t.Errorf("report status %s", st)
	}
}

// waitSent waits for a message to wa, after the first skip, whose text contains want.
func waitSent(t *testing.T, g *wacloudtest.Graph, wa string, skip int, want string) wacloudtest.Sent {
	t.Helper()
	var found wacloudtest.Sent
	waitFor(t, 10*time.Second, "Cloud API message with "+want, func() bool {
		s := g.SentTo(wa)
		for i := skip; i < len(s); i++ {
			if strings.Contains(sentText(s[i]), want) {
				found = s[i]
				return true
			}
		}
		return false
	})
	if found.Body == "" {
		s := g.SentTo(wa)
		t.Fatalf("last: %v", s[max(0, len(s)-2):])
	}
	return found
}

func sentText(s wacloudtest.Sent) string {
	m := s.Msg
	switch {
	case m.Text != nil:
		return m.Text.Body
	case m.Interactive != nil:
		return m.Interactive.Body.Text
	}
	return s.Body
}
