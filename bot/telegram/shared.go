package telegram

import (
	"context"
	"errors"
	"net/http"
	"net/url"
)

// WebhookRoute is the pattern and handler to mount on a shared HTTP listener (web.Server.Handle)
// when Options.SharedListener is set. Several instances behind a load balancer each mount it:
// whichever receives an update handles it, and the update id, recorded in the same transaction
// as the step, makes a redelivery to another instance change nothing.
func (c *Channel) WebhookRoute() (pattern string, h http.Handler, err error) {
	if c.opt.WebhookURL == "" {
		return "", nil, errors.New("telegram: no webhook URL")
	}
	if c.opt.WebhookSecret == "" {
		// A random per-run secret cannot be shared by instances behind one URL.
		return "", nil, errors.New("telegram: a webhook on the shared listener needs LAPOR_TELEGRAM_WEBHOOK_SECRET")
	}
	u, err := url.Parse(c.opt.WebhookURL)
	if err != nil {
		return "", nil, err
	}
	return webhookPath(u), c.WebhookHandler(), nil
}

// runSharedWebhook registers the webhook and keeps the seen markers pruned until ctx is done;
// the shared listener serves the calls and, on shutdown, waits for the updates in hand.
func (c *Channel) runSharedWebhook(ctx context.Context) error {
	path, err := c.setWebhook(ctx)
	if err != nil {
		return err
	}
	c.log.Info().Str("path", path).Msg("telegram webhook serving on the shared listener")
	stop := c.keepSeenPruned(ctx)
	<-ctx.Done()
	stop()
	return nil
}
