package main

import (
	"fmt"
	"net/url"

	"github.com/laporbansos/laporbansos/bot/telegram"
	"github.com/laporbansos/laporbansos/bot/wacloud"
)

// sharesTelegramWebhook is true when LAPOR_TELEGRAM_WEBHOOK_LISTEN names the LAPOR_HTTP_LISTEN
// address: then one listener serves the webhook beside /healthz, /metrics and the dashboard, as
// several instances behind one load balancer need.
func (o *ops) sharesTelegramWebhook() bool {
	c := o.m.cfg
	return o.srv != nil && c.Telegram.WebhookURL != "" && c.Telegram.WebhookListen == c.Ops.HTTPListen
}

// mountTelegramWebhook mounts the Telegram webhook on the shared listener when it shares it.
// A path the listener already serves is refused: it would take the dashboard's or the health
// check's place (or theirs the webhook's).
func (o *ops) mountTelegramWebhook(tg *telegram.Channel) error {
	if !o.sharesTelegramWebhook() {
		return nil
	}
	u, err := url.Parse(o.m.cfg.Telegram.WebhookURL)
	if err != nil {
		return err
	}
	switch u.Path {
	case "", "/", "/healthz", "/metrics", wacloud.WebhookPath:
		return fmt.Errorf("LAPOR_TELEGRAM_WEBHOOK_URL: the path %q is already served on LAPOR_HTTP_LISTEN; give the webhook its own path, such as /telegram/webhook", u.Path)
	}
	pattern, h, err := tg.WebhookRoute()
	if err != nil {
		return err
	}
	o.srv.Handle(pattern, h)
	return nil
}
