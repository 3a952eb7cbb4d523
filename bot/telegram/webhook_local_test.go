package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/laporbansos/laporbansos/config"
)

// deliver POSTs one update to the webhook as a Bot API server does: with the secret header,
// retried until answered 200 (Telegram retries a failed delivery too).
func (f *fakeAPI) deliver(hook, secret string, u tgbotapi.Update) {
	body, _ := json.Marshal(u)
	end := time.Now().Add(5 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodPost, hook, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(end) {
			f.t.Errorf("webhook delivery of update %d failed: %v", u.UpdateID, err)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A local Bot API server may call a plain http:// webhook on any port: the configuration
// accepts it, and a whole report arrives over it on loopback, none by getUpdates.
func TestWebhookLocalBotAPIServerOverHTTP(t *testing.T) {
	e := newEnv(t, envConfig{noRun: true})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // the channel listens there itself
	hook := "http://127.0.0.1:" + strconv.Itoa(port) + "/tg/hook"
	cfg, err := config.Load(func(k string) string {
		return map[string]string{
			"LAPOR_TELEGRAM_TOKEN":          e.fake.token,
			"LAPOR_TELEGRAM_API_URL":        e.fake.url(),
			"LAPOR_TELEGRAM_STAFF_CHATS":    strconv.FormatInt(staffChat, 10),
			"LAPOR_TELEGRAM_WEBHOOK_URL":    hook,
			"LAPOR_TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1:" + strconv.Itoa(port),
			"LAPOR_TELEGRAM_WEBHOOK_SECRET": "local-secret_1",
		}[k]
	})
	if err != nil {
		t.Fatalf("config refused a local Bot API server's http webhook: %v", err)
	}
	if w := cfg.Warnings(); len(w) != 0 {
		t.Errorf("loopback http webhook warned: %q", w)
	}
	e.ch.opt.WebhookURL = cfg.Telegram.WebhookURL
	e.ch.opt.WebhookListen = cfg.Telegram.WebhookListen
	e.ch.opt.WebhookSecret = cfg.Telegram.WebhookSecret.Value()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.ch.Run(ctx, e.disp) }()
	e.cancel = cancel // stop waits for the sender before closing the store
	e.wg.Add(1)
	go func() { defer e.wg.Done(); _ = e.sender.Run(ctx) }()
	waitFor(t, 5*time.Second, "setWebhook", func() bool { return len(e.fake.callsOf("setWebhook")) == 1 })
	if p := e.fake.callsOf("setWebhook")[0].Params; p.Get("url") != hook || p.Get("secret_token") != "local-secret_1" {
		t.Fatalf("setWebhook params %v", p)
	}

	id := e.report(citizen, nikFresh)
	e.posted(staffChat, id)
	if n := len(e.fake.callsOf("getUpdates")); n != 0 {
		t.Errorf("%d getUpdates calls in webhook mode", n)
	}
	// A forged call without the secret still changes nothing.
	before := len(e.fake.sent(citizen))
	resp, err := http.Post(hook, "application/json", bytes.NewReader([]byte(`{"update_id":1,"message":{"message_id":5,"chat":{"id":1001,"type":"private"},"from":{"id":1001},"text":"/start"}}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("call without secret: %d", resp.StatusCode)
	}
	time.Sleep(100 * time.Millisecond)
	if after := len(e.fake.sent(citizen)); after != before {
		t.Errorf("unauthenticated call produced %d messages", after-before)
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Run: %v", err)
	}
}
