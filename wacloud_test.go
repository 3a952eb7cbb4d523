package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/bot/wacloud"
	"github.com/laporbansos/laporbansos/bot/wacloud/wacloudtest"
)

// serve with the Cloud API configured: the webhook is served, verified, and a citizen's
// message is answered through the fake Graph API.
func TestServeWACloud(t *testing.T) {
	graph := wacloudtest.New(t)
	// Telegram carries the staff group; a Bot API that has nothing to say is enough here.
	tg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		var result any = true
		switch method {
		case "getMe":
			result = map[string]any{"id": 1, "is_bot": true, "first_name": "Lapor", "username": "lapor_bot"}
		case "getUpdates":
			select {
			case <-r.Context().Done():
			case <-time.After(200 * time.Millisecond):
			}
			result = []any{}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
	}))
	defer tg.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{
		"LAPOR_DATA_DIR":       filepath.Join(t.TempDir(), "data"),
		"LAPOR_TELEGRAM_TOKEN": "123:abc", "LAPOR_TELEGRAM_API_URL": tg.URL, "LAPOR_TELEGRAM_STAFF_CHATS": "-100",
		"LAPOR_WACLOUD_TOKEN": graph.Token, "LAPOR_WACLOUD_PHONE_NUMBER_ID": graph.PhoneNumberID,
		"LAPOR_WACLOUD_APP_SECRET": graph.AppSecret, "LAPOR_WACLOUD_VERIFY_TOKEN": "verify-me",
		"LAPOR_WACLOUD_API_URL": graph.URL(), "LAPOR_HTTP_LISTEN": addr,
	}
	stderr := &lockedBuffer{}
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: stderr, Getenv: func(k string) string { return env[k] }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exit %d: %s", code, stderr.String())
		}
	}()

	hook := "http://" + addr + wacloud.WebhookPath
	var challenge string
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(hook + "?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=4242")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			challenge = string(b)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if challenge != "4242" {
		t.Fatalf("verification answered %q; stderr: %s", challenge, stderr.String())
	}
	body, _ := graph.Text("6281234567001", time.Now(), "halo")
	if code := graph.Post(hook, body); code != 200 {
		t.Fatalf("webhook %d", code)
	}
	menu := func() bool {
		for _, s := range graph.SentTo("6281234567001") {
			if strings.Contains(s.Body, "Silakan pilih layanan") {
				return true
			}
		}
		return false
	}
	for time.Now().Before(deadline) && !menu() {
		time.Sleep(20 * time.Millisecond)
	}
	if sent := graph.SentTo("6281234567001"); !menu() {
		t.Fatalf("no menu sent: %d messages; stderr: %s", len(sent), stderr.String())
	}
}

// lockedBuffer collects the log lines of serve's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
