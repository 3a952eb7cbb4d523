package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// recordingBotAPI answers serve's Bot API calls like quietBotAPI and records each call's method
// and chat_id, so a test sees what the bot said to whom.
type recordingBotAPI struct {
	srv   *httptest.Server
	mu    sync.Mutex
	calls []string // "method chat_id"
}

func newRecordingBotAPI(t *testing.T) *recordingBotAPI {
	t.Helper()
	b := &recordingBotAPI{}
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		_ = r.ParseForm()
		b.mu.Lock()
		b.calls = append(b.calls, method+" "+r.Form.Get("chat_id"))
		b.mu.Unlock()
		switch method {
		case "getMe":
			fmt.Fprint(w, `{"ok":true,"result":{"id":123,"is_bot":true,"first_name":"Lapor","username":"lapor_bot"}}`)
		case "getUpdates":
			http.Error(w, `{"ok":false,"error_code":409,"description":"Conflict: can't use getUpdates method while webhook is active"}`, http.StatusConflict)
		case "sendMessage":
			fmt.Fprintf(w, `{"ok":true,"result":{"message_id":7,"date":1,"chat":{"id":%s,"type":"private"},"text":"x"}}`, r.Form.Get("chat_id"))
		default:
			fmt.Fprint(w, `{"ok":true,"result":true}`)
		}
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *recordingBotAPI) count(call string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, c := range b.calls {
		if c == call {
			n++
		}
	}
	return n
}

// With LAPOR_TELEGRAM_WEBHOOK_LISTEN equal to LAPOR_HTTP_LISTEN, one listener serves the Telegram
// webhook beside /healthz: setWebhook is called, an update with the secret is answered, one
// without it is refused, and no getUpdates is made.
func TestServeTelegramWebhookOnSharedListener(t *testing.T) {
	dir, err := os.MkdirTemp("", "hook") // short: the control socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	api := newRecordingBotAPI(t)
	addr := freeAddr(t)
	hook := "http://" + addr + "/telegram/webhook"
	env := map[string]string{
		"LAPOR_DATA_DIR": filepath.Join(dir, "data"), "LAPOR_TELEGRAM_API_URL": api.srv.URL,
		"LAPOR_TELEGRAM_TOKEN": "123:abc", "LAPOR_TELEGRAM_STAFF_CHATS": "-100",
		"LAPOR_HTTP_LISTEN": addr, "LAPOR_TELEGRAM_WEBHOOK_LISTEN": addr,
		"LAPOR_TELEGRAM_WEBHOOK_URL": hook, "LAPOR_TELEGRAM_WEBHOOK_SECRET": "shared-secret_1",
		"LAPOR_LOG_LEVEL": "warn",
	}
	ctx, cancel := context.WithCancel(context.Background())
	var serveErr bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &syncWriter{w: &serveErr}, Getenv: func(k string) string { return env[k] }}
		if code := m.Run(ctx, []string{"serve"}); code != 0 {
			t.Errorf("serve exit %d: %s", code, serveErr.String())
		}
	}()
	defer func() {
		cancel()
		wg.Wait()
	}()
	waitUntil(t, "setWebhook and /healthz", func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		// 503 here: no registry imported; what matters is that the same listener answers.
		return strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && api.count("setWebhook ") == 1
	})

	post := func(secret, body string) int {
		req, _ := http.NewRequest(http.MethodPost, hook, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	start := `{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"first_name":"Siti"},"text":"/start"}}`
	if code := post("wrong", fmt.Sprintf(start, 1, 1, 2001, 2001)); code != http.StatusUnauthorized {
		t.Errorf("forged call answered %d, want 401", code)
	}
	if code := post("shared-secret_1", fmt.Sprintf(start, 2, 2, 1001, 1001)); code != http.StatusOK {
		t.Fatalf("webhook call answered %d, want 200", code)
	}
	// A redelivery of the same update (the load balancer retried it) changes nothing.
	if code := post("shared-secret_1", fmt.Sprintf(start, 2, 2, 1001, 1001)); code != http.StatusOK {
		t.Fatalf("redelivery answered %d, want 200", code)
	}
	waitUntil(t, "the menu sent to chat 1001", func() bool { return api.count("sendMessage 1001") >= 1 })
	time.Sleep(200 * time.Millisecond) // room for a wrong second answer
	if n := api.count("sendMessage 1001"); n != 1 {
		t.Errorf("chat 1001 got %d messages for one /start delivered twice, want 1", n)
	}
	if n := api.count("sendMessage 2001"); n != 0 {
		t.Errorf("the forged call produced %d messages", n)
	}
	if n := api.count("getUpdates "); n != 0 {
		t.Errorf("%d getUpdates calls in webhook mode", n)
	}
	resp, err := http.Get(hook)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET on the webhook = %d, want 405", resp.StatusCode)
	}
}

// A webhook path the shared listener already serves is refused at start, not silently shadowed.
func TestServeTelegramWebhookPathCollision(t *testing.T) {
	for _, path := range []string{"/", "/healthz", "/metrics"} {
		t.Run(path, func(t *testing.T) {
			dir, err := os.MkdirTemp("", "hook")
			if err != nil {
				t.Fatal(err)
			}
			defer os.RemoveAll(dir)
			addr := freeAddr(t)
			env := map[string]string{
				"LAPOR_DATA_DIR": filepath.Join(dir, "data"), "LAPOR_TELEGRAM_API_URL": newRecordingBotAPI(t).srv.URL,
				"LAPOR_TELEGRAM_TOKEN": "123:abc", "LAPOR_TELEGRAM_STAFF_CHATS": "-100",
				"LAPOR_HTTP_LISTEN": addr, "LAPOR_TELEGRAM_WEBHOOK_LISTEN": addr,
				"LAPOR_TELEGRAM_WEBHOOK_URL": "http://" + addr + path, "LAPOR_TELEGRAM_WEBHOOK_SECRET": "s",
				"LAPOR_LOG_LEVEL": "warn",
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var errOut bytes.Buffer
			m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
			if code := m.Run(ctx, []string{"serve"}); code == 0 || !strings.Contains(errOut.String(), "already served on LAPOR_HTTP_LISTEN") {
				t.Errorf("serve exit %d, stderr %s", code, errOut.String())
			}
		})
	}
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
