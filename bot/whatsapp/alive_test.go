package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	waLog "go.mau.fi/whatsmeow/util/log"

	"github.com/laporbansos/laporbansos/storage"
)

// In a group that hides numbers, a staff member writes as a LID the bot has never seen with a
// number: the LID learnt from WhatsApp after connecting authorises them.
func TestStaffAuthorisedByLIDAfterConnect(t *testing.T) {
	const hiddenStaffLID = "333333333333333"
	h := newHarness(t, func(o *Options, h *harness) {
		o.LIDs = fakeLIDs{} // the map knows no pair yet
		h.fake.lids = map[string]string{staffPN: hiddenStaffLID}
	})
	id := fileReport(t, h.citizenSay(pn(citizenPN)), citizenNIK)
	h.textsTo(staffGroup)
	if got := h.staff(staffGroup, lid(hiddenStaffLID), types.JID{}, "LAYAK "+id); !strings.Contains(got, "tidak berwenang") {
		t.Fatalf("unknown LID before the lookup: %q", got)
	}
	h.fake.emit(&events.Connected{})
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.wa.staffMu.RLock()
		known := h.wa.staffLIDs[hiddenStaffLID]
		h.wa.staffMu.RUnlock()
		if known {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("staff LIDs not looked up after connecting")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := h.staff(staffGroup, lid(hiddenStaffLID), types.JID{}, "LAYAK "+id); !strings.Contains(got, "dinyatakan LAYAK") {
		t.Fatalf("staff by LID: %q", got)
	}
	// Another LID in the group is still refused.
	id2 := fileReport(t, h.citizenSay(pn("6285333333333")), "3510094107900003")
	h.textsTo(staffGroup)
	if got := h.staff(staffGroup, lid("444444444444444"), types.JID{}, "LAYAK "+id2); !strings.Contains(got, "tidak berwenang") {
		t.Fatalf("other LID: %q", got)
	}
}

// After connecting the bot says it is available; before a reply to a citizen it shows typing,
// and it marks the citizen's message read.
func TestLooksAlive(t *testing.T) {
	h := newHarness(t, func(o *Options, _ *harness) { o.Typing = time.Millisecond })
	h.fake.emit(&events.Connected{})
	citizen := pn(citizenPN)
	if got := h.say(citizen, "halo"); !strings.Contains(got, "1. Lapor") {
		t.Fatalf("reply: %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		h.fake.mu.Lock()
		presence, typing, reads := len(h.fake.presence), append([]types.JID(nil), h.fake.typing...), len(h.fake.reads)
		h.fake.mu.Unlock()
		if presence > 0 {
			if len(typing) == 0 || typing[0] != citizen || reads != 1 {
				t.Fatalf("typing %v, reads %d", typing, reads)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no available presence after connecting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A message the bot could not decrypt is answered with a request to send it again; one in a
// group, or one WhatsApp marks as not to be shown, is not.
func TestUndecryptableMessageAsksToResend(t *testing.T) {
	h := newHarness(t)
	citizen := pn(citizenPN)
	for _, e := range []*events.UndecryptableMessage{
		{Info: types.MessageInfo{MessageSource: types.MessageSource{Chat: group(staffGroup), Sender: pn(staffPN), IsGroup: true}, ID: "A"}},
		{Info: types.MessageInfo{MessageSource: types.MessageSource{Chat: citizen, Sender: citizen}, ID: "B"}, DecryptFailMode: events.DecryptFailHide},
		{Info: types.MessageInfo{MessageSource: types.MessageSource{Chat: citizen, Sender: citizen}, ID: "C"}},
	} {
		if !h.fake.emit(e) {
			t.Fatal("handler failed")
		}
	}
	h.settle()
	if got := h.textsTo(citizen.String()); got != msgSendAgain {
		t.Errorf("citizen got %q", got)
	}
	if got := h.textsTo(staffGroup); got != "" {
		t.Errorf("group got %q", got)
	}
}

// Phone numbers never reach the log in full at info level or above, neither in the channel's
// lines nor in whatsmeow's own.
func TestLogsMaskPhoneNumbers(t *testing.T) {
	var buf bytes.Buffer
	log := zerolog.New(&buf)
	wl := clientLog(log).Sub("Client")
	wl.Infof("Got message from %s in %s", "6281234567890@s.whatsapp.net", "120363000000000001@g.us")
	wl.Warnf("Failed to decrypt message from %s", types.NewJID("123456789012345", types.HiddenUserServer))
	wl.Errorf("Client outdated (405) connect failure (client version: %s)", "2.3000.1045649367")
	out := buf.String()
	for _, full := range []string{"6281234567890@", "123456789012345"} {
		if strings.Contains(out, full) {
			t.Errorf("full number %s in whatsmeow's info/warn log:\n%s", full, out)
		}
	}
	wl.Infof("Sending to %s and %s", "6281234567890:12@s.whatsapp.net", "+6281234567890")
	out = buf.String()
	if strings.Contains(out, "6281234567890") {
		t.Errorf("full number in the log:\n%s", out)
	}
	if !strings.Contains(out, "628…890@s.whatsapp.net in 120363000000000001@g.us") || !strings.Contains(out, "2.3000.1045649367") || !strings.Contains(out, `"sublogger":"Client"`) {
		t.Errorf("masked line or module missing:\n%s", out)
	}
	if got := maskJID(pn("6281234567890")); got != "628…890@s.whatsapp.net" {
		t.Errorf("maskJID = %q", got)
	}
	var _ waLog.Logger = maskedLog{}
}

// The current WhatsApp Web version is read from web.whatsapp.com and used; when the page cannot
// be read the built-in version stays.
func TestUseLatestVersion(t *testing.T) {
	builtin := store.GetWAVersion()
	defer store.SetWAVersion(builtin)
	for _, tc := range []struct {
		label string
		page  func(w http.ResponseWriter)
		want  string
	}{
		{"current", func(w http.ResponseWriter) {
			io.WriteString(w, `<script>{"server_revision":1,"client_revision":1046000001,"x":1}</script>`)
		}, "2.3000.1046000001"},
		{"unreachable", func(w http.ResponseWriter) { w.WriteHeader(http.StatusBadGateway) }, builtin.String()},
	} {
		t.Run(tc.label, func(t *testing.T) {
			store.SetWAVersion(builtin)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tc.page(w) }))
			defer srv.Close()
			target, _ := url.Parse(srv.URL)
			hc := &http.Client{Transport: rewrite{target}}
			var buf bytes.Buffer
			got := UseLatestVersion(context.Background(), hc, zerolog.New(&buf))
			if got != tc.want || store.GetWAVersion().String() != tc.want {
				t.Fatalf("version %s (store %s), want %s", got, store.GetWAVersion(), tc.want)
			}
			if !strings.Contains(buf.String(), tc.want) {
				t.Errorf("version not logged: %s", buf.String())
			}
		})
	}
}

// rewrite sends every request to the test server (loopback) instead of web.whatsapp.com.
type rewrite struct{ to *url.URL }

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "web.whatsapp.com" {
		return nil, fmt.Errorf("unexpected host %s", req.URL.Host)
	}
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.to.Scheme, r.to.Host
	return http.DefaultTransport.RoundTrip(req)
}

var _ = storage.ChatAddr{}

// The service phone's last-seen time comes from its own receipts; after 10 days without it the
// operators (log) and the staff chats, on WhatsApp and elsewhere, are warned once.
func TestPhoneOfflineWarning(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	h := newHarness(t, func(o *Options, _ *harness) {
		o.Now = clock
		o.Self, o.SelfLID = pn(botPN), lid(botLID)
	})
	warnings := func() (staff, group int) {
		h.wa.checkPhone(h.ctx)
		h.settle()
		for _, r := range h.console.take() {
			if r.To == consoleStaff && strings.Contains(r.Text, "Ponsel nomor layanan") {
				staff++
			}
		}
		if strings.Contains(h.textsTo(staffGroup), "Ponsel nomor layanan") {
			group++
		}
		return staff, group
	}
	// A receipt from the phone (device 0 of the service number) counts; one from a citizen
	// or from another companion device does not.
	phoneReceipt := func(sender types.JID) {
		h.fake.emit(&events.Receipt{MessageSource: types.MessageSource{Chat: pn(citizenPN), Sender: sender, IsFromMe: true}, Type: types.ReceiptTypeRead})
	}
	phoneReceipt(pn(botPN))
	advance(9 * 24 * time.Hour)
	if s, g := warnings(); s+g != 0 {
		t.Fatalf("warned after 9 days")
	}
	phoneReceipt(pn(citizenPN))
	phoneReceipt(types.NewADJID(botPN, 0, 5))
	advance(2 * 24 * time.Hour)
	if s, g := warnings(); s != 1 || g != 1 {
		t.Fatalf("after 11 days: %d staff, %d group warnings; want 1 each", s, g)
	}
	advance(time.Hour)
	if s, g := warnings(); s+g != 0 {
		t.Fatal("warned twice")
	}
	// The phone comes back (a read receipt by its LID): the clock restarts.
	phoneReceipt(lid(botLID))
	advance(9 * 24 * time.Hour)
	if s, g := warnings(); s+g != 0 {
		t.Fatal("warned although the phone was seen 9 days ago")
	}
}

// "Client outdated" while running: the bot applies WhatsApp's current version and reconnects;
// only when the version did not change does the channel stop.
func TestClientOutdatedRefreshesVersion(t *testing.T) {
	for _, tc := range []struct {
		label   string
		changed bool
	}{{"newer version found", true}, {"no newer version", false}} {
		t.Run(tc.label, func(t *testing.T) {
			var refreshed atomic.Int32
			h := newHarness(t, func(o *Options, _ *harness) {
				o.RefreshVersion = func(context.Context) bool { refreshed.Add(1); return tc.changed }
			})
			h.fake.emit(&events.ClientOutdated{})
			deadline := time.Now().Add(5 * time.Second)
			for {
				h.fake.mu.Lock()
				n := h.fake.connects
				h.fake.mu.Unlock()
				select {
				case err := <-h.runErr:
					h.runErr <- err
					if tc.changed || !errors.Is(err, ErrPermanentDisconnect) {
						t.Fatalf("Run returned %v", err)
					}
					if refreshed.Load() != 1 {
						t.Fatalf("refreshed %d times", refreshed.Load())
					}
					return
				default:
				}
				if tc.changed && n >= 2 {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("neither reconnected nor stopped (connects %d)", n)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
}
