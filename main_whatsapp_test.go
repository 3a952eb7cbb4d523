package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/bot/whatsapp"
	"github.com/laporbansos/laporbansos/storage/postgres"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// botAPI answers the Bot API methods serve uses, in Telegram's wire format: one citizen
// message "/start" on the first getUpdates, then empty long polls; it records what the bot
// sends. Unknown methods get Telegram's 404.
type botAPI struct {
	mu      sync.Mutex
	served  bool
	sent    []map[string]string // sendMessage parameters
	methods []string
}

func (b *botAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	if !strings.HasPrefix(r.URL.Path, "/bot123:TEST/") {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"ok":false,"error_code":401,"description":"Unauthorized"}`))
		return
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
		r.ParseForm()
	}
	b.mu.Lock()
	b.methods = append(b.methods, method)
	b.mu.Unlock()
	ok := func(result any) {
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
	}
	switch method {
	case "getMe":
		ok(map[string]any{"id": 123, "is_bot": true, "first_name": "Lapor Bansos", "username": "LaporBansosBot"})
	case "deleteWebhook", "setMyCommands":
		ok(true)
	case "getUpdates":
		b.mu.Lock()
		first := !b.served
		b.served = true
		b.mu.Unlock()
		if !first {
			select {
			case <-r.Context().Done():
			case <-time.After(200 * time.Millisecond):
			}
			ok([]any{})
			return
		}
		ok([]any{map[string]any{"update_id": 1, "message": map[string]any{
			"message_id": 1, "date": time.Now().Unix(), "text": "/start",
			"from": map[string]any{"id": 777, "is_bot": false, "first_name": "Warga"},
			"chat": map[string]any{"id": 777, "type": "private", "first_name": "Warga"},
		}}})
	case "sendMessage":
		p := map[string]string{}
		for k := range r.Form {
			p[k] = r.Form.Get(k)
		}
		b.mu.Lock()
		b.sent = append(b.sent, p)
		n := len(b.sent)
		b.mu.Unlock()
		ok(map[string]any{"message_id": 100 + n, "date": time.Now().Unix(),
			"chat": map[string]any{"id": 777, "type": "private"}, "text": p["text"]})
	default:
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"ok":false,"error_code":404,"description":"Not Found"}`))
	}
}

func (b *botAPI) sentTo(chat string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, p := range b.sent {
		if p["chat_id"] == chat {
			out = append(out, p["text"])
		}
	}
	return out
}

// serve with a Telegram token and LAPOR_WHATSAPP=1 but no linked WhatsApp device serves
// Telegram fully, logs one line about WhatsApp, and tells the Telegram staff chat.
func TestServeWithoutWhatsAppSessionKeepsTelegram(t *testing.T) {
	api := &botAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{
		"LAPOR_DATA_DIR":              dir,
		"LAPOR_TELEGRAM_TOKEN":        "123:TEST",
		"LAPOR_TELEGRAM_API_URL":      srv.URL,
		"LAPOR_TELEGRAM_STAFF_CHATS":  "-1001",
		"LAPOR_WHATSAPP":              "1",
		"LAPOR_WHATSAPP_STAFF_GROUPS": "120363000000000001@g.us",
	}
	var stderr syncBuffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(k string) string { return env[k] }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()

	deadline := time.Now().Add(10 * time.Second)
	for len(api.sentTo("777")) == 0 || !strings.Contains(strings.Join(api.sentTo("-1001"), "\n"), "whatsapp login") {
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no Telegram replies; citizen %q, staff %q\n%s", api.sentTo("777"), api.sentTo("-1001"), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exit %d:\n%s", code, stderr.String())
	}
	if !strings.Contains(api.sentTo("777")[0], "Lapor") {
		t.Errorf("citizen got %q", api.sentTo("777"))
	}
	if staff := strings.Join(api.sentTo("-1001"), "\n"); !strings.Contains(staff, "whatsapp login") {
		t.Errorf("staff chat told %q", staff)
	}
	// serve says it once; the sender's note that staff messages for WhatsApp stay queued (the
	// registry-not-loaded warning goes to every staff chat) is about the queue, not the start.
	var waLines []string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(strings.ToLower(l), "whatsapp") && !strings.Contains(l, `"component":"sender"`) {
			waLines = append(waLines, l)
		}
	}
	if len(waLines) != 1 || !strings.Contains(waLines[0], "laporbansos whatsapp login") {
		t.Errorf("want one clear log line about WhatsApp, got %d:\n%s", len(waLines), strings.Join(waLines, "\n"))
	}
}

// A whatsapp command refuses to run beside a serve that holds the session.
func TestWhatsAppCommandRefusedWhileSessionLocked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	release, err := whatsapp.LockSession(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	code, _, errOut := runMain(t, map[string]string{"LAPOR_DATA_DIR": dir}, "", "whatsapp", "logout")
	if code == 0 || !strings.Contains(errOut, "in use by another laporbansos process") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, whatsapp.StoreFile)); err == nil {
		t.Error("the session store was opened while locked")
	}
}

// With PostgreSQL the whatsapp commands use the shared session and its lock: refused while
// another process (the leader, another command) holds it, and, once it is free, working on the
// session in the database (here: none linked) rather than on a file in the data directory.
func TestWhatsAppCommandOnSharedSession(t *testing.T) {
	url := pgtest.NewDatabase(t)
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"LAPOR_DATA_DIR": dir, "LAPOR_DATABASE_URL": url}
	db := postgres.New(url)
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	release, _, err := whatsapp.LockSharedSession(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"login", "logout", "groups"} {
		code, _, errOut := runMain(t, env, "", "whatsapp", cmd)
		if code == 0 || !strings.Contains(errOut, "in use by another laporbansos process") {
			t.Errorf("%s while the session is held: exit %d: %s", cmd, code, errOut)
		}
	}
	release()
	for _, cmd := range []string{"logout", "groups"} {
		code, _, errOut := runMain(t, env, "", "whatsapp", cmd)
		if code == 0 || !strings.Contains(errOut, "no linked device") {
			t.Errorf("%s on the empty shared session: exit %d: %s", cmd, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, whatsapp.StoreFile)); err == nil {
		t.Error("a session file was created with the session in PostgreSQL")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
