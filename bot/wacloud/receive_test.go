package wacloud

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

func TestVerification(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name  string
		query url.Values
		code  int
		body  string
	}{
		{"right token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"verify-me"}, "hub.challenge": {"1158201444"}}, 200, "1158201444"},
		{"wrong token", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"verify-you"}, "hub.challenge": {"1"}}, 403, ""},
		{"token prefix", url.Values{"hub.mode": {"subscribe"}, "hub.verify_token": {"verify"}, "hub.challenge": {"1"}}, 403, ""},
		{"no token", url.Values{"hub.mode": {"subscribe"}, "hub.challenge": {"1"}}, 403, ""},
		{"wrong mode", url.Values{"hub.mode": {"unsubscribe"}, "hub.verify_token": {"verify-me"}, "hub.challenge": {"1"}}, 403, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Get(e.hook.URL + WebhookPath + "?" + tc.query.Encode())
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.code || (tc.body != "" && string(b) != tc.body) {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, b, tc.code, tc.body)
			}
		})
	}
}

func TestSignature(t *testing.T) {
	e := newEnv(t)
	body, _ := e.graph.Text(citizen, e.clock.Now(), "halo")
	good := e.graph.Sign(body)
	tampered := bytes.Replace(body, []byte("halo"), []byte("hali"), 1)
	big := append(bytes.Clone(body[:len(body)-1]), []byte(`,"pad":"`+strings.Repeat("x", MaxBody)+`"}`)...)
	cases := []struct {
		name string
		body []byte
		sig  string
		code int
	}{
		{"missing", body, "", 401},
		{"no sha256= prefix", body, strings.TrimPrefix(good, "sha256="), 401},
		{"sha1 header style", body, "sha1=" + strings.TrimPrefix(good, "sha256="), 401},
		{"wrong length", body, good[:len(good)-2], 401},
		{"not hex", body, "sha256=" + strings.Repeat("zz", 32), 401},
		{"tampered body", tampered, good, 401},
		{"oversized, signed", big, e.graph.Sign(big), 413},
		{"valid", body, good, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, e.hook.URL+WebhookPath, bytes.NewReader(tc.body))
			if tc.sig != "" {
				req.Header.Set("X-Hub-Signature-256", tc.sig)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.code)
			}
			pending, _ := e.db.Pending(context.Background(), 0)
			sess, _ := e.db.Session(context.Background(), Addr(citizen))
			if changed := len(pending) > 0 || sess != nil; changed != (tc.code == 200) {
				t.Errorf("store changed: %v (queued %d, session %v)", changed, len(pending), sess != nil)
			}
		})
	}
}

// recorder is a dispatcher that keeps what it was handed, to check the translation exactly.
type recorder struct{ got []flows.Message }

func (r *recorder) Handle(_ context.Context, m flows.Message) error {
	r.got = append(r.got, m)
	return nil
}

func TestMessageTypes(t *testing.T) {
	e := newEnv(t)
	rec := &recorder{}
	e.ch.opt.Handler = rec
	at := e.clock.Now()
	from := storage.Actor{Channel: Name, ID: citizen, Name: "Warga"}
	cases := []struct {
		name   string
		fields map[string]any
		want   *flows.Message // nil: not handed on
	}{
		{"text", map[string]any{"type": "text", "text": map[string]any{"body": "halo"}}, &flows.Message{Text: "halo"}},
		{"button reply", map[string]any{"type": "interactive", "interactive": map[string]any{"type": "button_reply", "button_reply": map[string]any{"id": "c|who|diri", "title": "Diri sendiri"}}}, &flows.Message{Text: "diri", Step: "who"}},
		{"list reply", map[string]any{"type": "interactive", "interactive": map[string]any{"type": "list_reply", "list_reply": map[string]any{"id": "c|menu|cek", "title": "Cek status bantuan"}}}, &flows.Message{Text: "cek", Step: "menu"}},
		{"foreign button id read as typed", map[string]any{"type": "interactive", "interactive": map[string]any{"type": "button_reply", "button_reply": map[string]any{"id": "xyz", "title": "Ya"}}}, &flows.Message{Text: "Ya"}},
		{"image", map[string]any{"type": "image", "image": map[string]any{"id": "1", "mime_type": "image/jpeg", "sha256": "x"}}, &flows.Message{NonText: "photo", Photo: &flows.Photo{}}}, // unknown media id: not fetched, asked again
		{"location", map[string]any{"type": "location", "location": map[string]any{"latitude": -8.2, "longitude": 114.3}}, &flows.Message{NonText: "location", Location: &flows.Location{Lat: -8.2, Lon: 114.3}}},
		{"sticker", map[string]any{"type": "sticker", "sticker": map[string]any{"id": "1"}}, &flows.Message{NonText: "sticker"}},
		{"voice", map[string]any{"type": "audio", "audio": map[string]any{"id": "1", "voice": true}}, &flows.Message{NonText: "voice"}},
		{"contact card", map[string]any{"type": "contacts", "contacts": []any{map[string]any{"phones": []any{map[string]any{"phone": "+62 812-3456-7890", "wa_id": "6281234567890"}}}}}, &flows.Message{NonText: "contact", Text: "+6281234567890"}},
		{"unknown type", map[string]any{"type": "order", "order": map[string]any{}}, &flows.Message{NonText: "other"}},
		{"reaction ignored", map[string]any{"type": "reaction", "reaction": map[string]any{"message_id": "x", "emoji": "👍"}}, nil},
		{"group ignored", map[string]any{"type": "text", "group_id": "120363", "text": map[string]any{"body": "halo"}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec.got = nil
			body, wamid := e.graph.Message(citizen, "Warga", at, tc.fields)
			if code := e.graph.Post(e.hook.URL+WebhookPath, body); code != 200 {
				t.Fatalf("webhook %d", code)
			}
			if tc.want == nil {
				if len(rec.got) != 0 {
					t.Fatalf("handed on: %+v", rec.got)
				}
				return
			}
			want := *tc.want
			want.Chat, want.Private, want.From, want.ID = Addr(citizen), Addr(citizen), from, "wacloud:"+wamid
			if len(rec.got) != 1 || !reflect.DeepEqual(rec.got[0], want) {
				t.Fatalf("got %+v\nwant %+v", rec.got, want)
			}
		})
	}
	t.Run("other phone number id ignored", func(t *testing.T) {
		rec.got = nil
		body, _ := e.graph.Text(citizen, at, "halo")
		body = bytes.Replace(body, []byte(e.graph.PhoneNumberID), []byte("999"), 1)
		if code := e.graph.Post(e.hook.URL+WebhookPath, body); code != 200 || len(rec.got) != 0 {
			t.Fatalf("code %d, handed on %d", code, len(rec.got))
		}
	})
	t.Run("other object ignored", func(t *testing.T) {
		rec.got = nil
		body, _ := e.graph.Text(citizen, at, "halo")
		body = bytes.Replace(body, []byte(`"whatsapp_business_account"`), []byte(`"page"`), 1)
		if code := e.graph.Post(e.hook.URL+WebhookPath, body); code != 200 || len(rec.got) != 0 {
			t.Fatalf("code %d, handed on %d", code, len(rec.got))
		}
	})
}

// Image and location get the polite "please type" answer from the real flows; a redelivered
// call is handled once.
func TestPoliteAnswersAndRedelivery(t *testing.T) {
	e := newEnv(t)
	body, _ := e.graph.Message(citizen, "Warga", e.clock.Now(), map[string]any{"type": "image", "image": map[string]any{"id": "1"}})
	wantText(t, e.deliver(citizen, body), "bukan foto")
	body, _ = e.graph.Message(citizen, "Warga", e.clock.Now(), map[string]any{"type": "location", "location": map[string]any{"latitude": 1, "longitude": 2}})
	wantText(t, e.deliver(citizen, body), "bukan lokasi")
	body, _ = e.graph.Text(citizen, e.clock.Now(), "menu")
	first := e.deliver(citizen, body)
	if len(first) == 0 {
		t.Fatal("no answer to menu")
	}
	if again := e.deliver(citizen, body); len(again) != 0 {
		t.Fatalf("redelivered call answered again: %d messages", len(again))
	}
}

// A failure to commit answers 500, so Meta delivers the call again.
func TestCommitFailureAsksForRedelivery(t *testing.T) {
	e := newEnv(t)
	body, _ := e.graph.Text(citizen, e.clock.Now(), "halo")
	e.db.Close()
	if code := e.graph.Post(e.hook.URL+WebhookPath, body); code != 500 {
		t.Fatalf("webhook answered %d with the store closed, want 500", code)
	}
}

// A user with a WhatsApp username may hide their number: Meta then sends only from_user_id, and
// replies go to that id in "recipient".
func TestUsernameUserWithoutNumber(t *testing.T) {
	e := newEnv(t)
	const user = "ID.1234567890abc"
	body, _ := e.graph.Text(user, e.clock.Now(), "halo")
	body = bytes.Replace(body, []byte(`"from":"`+user+`"`), []byte(`"from_user_id":"`+user+`"`), 1)
	if bytes.Contains(body, []byte(`"from":`)) {
		t.Fatal("the test body still has a from field")
	}
	got := e.deliver(user, body)
	menu := wantText(t, got, "Silakan pilih layanan")
	if menu.Msg.Recipient != user || menu.Msg.To != "" {
		t.Fatalf("reply addressed to %q / recipient %q: %s", menu.Msg.To, menu.Msg.Recipient, menu.Body)
	}
}
