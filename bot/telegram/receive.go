package telegram

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/laporbansos/laporbansos/storage"
)

// seenNamespace is where handled update ids are recorded; they are forgotten after seenKeep,
// long after Telegram stops redelivering (it keeps updates for 24 hours).
const (
	seenNamespace = "telegram_updates"
	seenKeep      = 7 * 24 * time.Hour
	handleTimeout = 30 * time.Second
)

var allowedUpdates = []string{"message", "callback_query"}

// runPolling is the own long-polling loop: the offset is stored after every batch, an update
// id already handled is skipped, and errors back off exponentially up to MaxBackoff.
func (c *Channel) runPolling(ctx context.Context) error {
	if _, err := c.bound(ctx).Request(tgbotapi.DeleteWebhookConfig{}); err != nil && ctx.Err() == nil {
		// getUpdates fails while a webhook is set; the loop below will say so if it matters.
		c.log.Warn().Str("error", redact(err, c.opt.Token)).Msg("deleteWebhook failed")
	}
	offset, err := c.loadOffset(ctx)
	if err != nil {
		return err
	}
	c.pruneSeen(ctx)
	lastPrune := time.Now()
	c.log.Info().Int("offset", offset).Msg("telegram long polling started")
	failures := 0
	for ctx.Err() == nil {
		pctx, cancel := context.WithTimeout(ctx, c.opt.PollTimeout+15*time.Second)
		updates, err := c.bound(pctx).GetUpdates(tgbotapi.UpdateConfig{
			Offset: offset, Limit: 100, Timeout: int(c.opt.PollTimeout / time.Second), AllowedUpdates: allowedUpdates,
		})
		cancel()
		if ctx.Err() != nil {
			break
		}
		if err != nil {
			failures++
			d := pollBackoff(failures, c.opt.MaxBackoff)
			var te *tgbotapi.Error
			if errors.As(err, &te) && te.RetryAfter > 0 {
				d = time.Duration(te.RetryAfter) * time.Second
			}
			ev := c.log.Warn()
			if errors.As(err, &te) && (te.Code == http.StatusUnauthorized || te.Code == http.StatusConflict) {
				// 401: the token was revoked; 409: another process polls this token, or a webhook is set.
				ev = c.log.Error()
			}
			ev.Str("error", redact(err, c.opt.Token)).Dur("retry_in", d).Msg("getUpdates failed")
			if !sleep(ctx, d) {
				break
			}
			continue
		}
		failures = 0
		if len(updates) == 0 {
			continue
		}
		c.handleBatch(ctx, updates)
		for _, u := range updates {
			offset = max(offset, u.UpdateID+1)
		}
		if err := c.storeOffset(context.WithoutCancel(ctx), offset); err != nil {
			c.log.Error().Err(err).Msg("could not store the update offset")
		}
		if time.Since(lastPrune) > time.Hour {
			c.pruneSeen(ctx)
			lastPrune = time.Now()
		}
	}
	c.log.Info().Msg("telegram long polling stopped")
	return nil
}

// storeOffset records offset unless a higher one is stored: with several instances, a leader
// finishing its last batch after its term ended must not move the next leader back.
func (c *Channel) storeOffset(ctx context.Context, offset int) error {
	return c.opt.DB.Update(ctx, func(tx storage.Tx) error {
		if v, err := tx.Get(stateBucket, "offset"); err == nil {
			if old, err := strconv.Atoi(string(v)); err == nil && old >= offset {
				return nil
			}
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		return tx.Put(stateBucket, "offset", []byte(strconv.Itoa(offset)))
	})
}

func (c *Channel) loadOffset(ctx context.Context) (int, error) {
	v, err := c.opt.DB.Get(ctx, stateBucket, "offset")
	if err != nil || len(v) == 0 {
		return 0, nil
	}
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return 0, nil
	}
	return n, nil
}

func (c *Channel) pruneSeen(ctx context.Context) {
	if _, err := c.opt.DB.PruneSeen(ctx, seenNamespace, time.Now().Add(-seenKeep)); err != nil && ctx.Err() == nil {
		c.log.Warn().Err(err).Msg("could not prune handled update ids")
	}
}

// handleBatch handles one getUpdates batch: each chat's updates in order, different chats in
// parallel (their database commits then share fsyncs). It returns when all are handled, even
// if ctx ends meanwhile: the update in hand is finished.
func (c *Channel) handleBatch(ctx context.Context, updates []tgbotapi.Update) {
	byChat := map[int64][]tgbotapi.Update{}
	var order []int64
	for _, u := range updates {
		id := updateChat(u)
		if _, ok := byChat[id]; !ok {
			order = append(order, id)
		}
		byChat[id] = append(byChat[id], u)
	}
	var wg sync.WaitGroup
	for _, id := range order {
		wg.Add(1)
		go func(us []tgbotapi.Update) {
			defer wg.Done()
			for _, u := range us {
				c.HandleUpdate(ctx, u)
			}
		}(byChat[id])
	}
	wg.Wait()
}

func updateChat(u tgbotapi.Update) int64 {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return u.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		return u.CallbackQuery.Message.Chat.ID
	case u.CallbackQuery != nil && u.CallbackQuery.From != nil:
		return u.CallbackQuery.From.ID
	}
	return 0
}

// HandleUpdate handles one update once. A message or a button press carries its id to the
// engine, which records it in the same transaction as the dialogue step (a press also uses up
// its keyboard there, see onCitizenPress): a redelivery (a restart before the offset was
// stored, a webhook retry) changes nothing, and a crash before the commit loses nothing. The
// work is not cut short by ctx: an update that was started is finished.
func (c *Channel) HandleUpdate(ctx context.Context, u tgbotapi.Update) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handleTimeout)
	defer cancel()
	switch {
	case u.CallbackQuery != nil:
		c.onCallback(ctx, u.CallbackQuery)
	case u.Message != nil:
		c.onMessage(ctx, u.Message)
	}
}

func pollBackoff(failures int, max time.Duration) time.Duration {
	d := time.Second
	for i := 1; i < failures && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// WebhookHandler serves Telegram's webhook calls: POST only, the X-Telegram-Bot-Api-Secret-Token
// header must equal the secret (else 401), one update per call, answered 200 once handled (a
// 5xx makes Telegram deliver it again; the update id makes that harmless).
func (c *Channel) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := r.Header.Get("X-Telegram-Bot-Api-Secret-Token")
		if c.opt.WebhookSecret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(c.opt.WebhookSecret)) != 1 {
			if n := c.refused.note(time.Now()); n > 0 {
				c.log.Warn().Str("remote", r.RemoteAddr).Int("refused", n).Msg("webhook calls with a wrong secret refused")
			}
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var u tgbotapi.Update
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&u); err != nil {
			http.Error(w, "bad update", http.StatusBadRequest)
			return
		}
		c.HandleUpdate(r.Context(), u)
		w.WriteHeader(http.StatusOK)
	})
}

// runWebhook registers the webhook (with its secret) and serves it until ctx is done; the
// server's Shutdown waits for the updates in hand.
func (c *Channel) runWebhook(ctx context.Context) error {
	path, err := c.setWebhook(ctx)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle(path, c.WebhookHandler())
	listen := c.opt.WebhookListen
	if listen == "" {
		listen = DefaultWebhookListen
	}
	srv := c.webhookServer(mux)
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	ln = limitListener(ln, c.webhookLimits().MaxConns)
	c.log.Info().Str("listen", ln.Addr().String()).Str("path", path).Msg("telegram webhook serving")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// The pruner uses the store: it must be done before Run returns and the caller closes it.
	defer c.keepSeenPruned(ctx)()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), handleTimeout)
	defer cancel()
	return srv.Shutdown(sctx)
}

// setWebhook tells the Bot API where to deliver updates and with which secret, and returns the
// path of the URL, where the handler must be mounted.
func (c *Channel) setWebhook(ctx context.Context) (string, error) {
	u, err := url.Parse(c.opt.WebhookURL)
	if err != nil {
		return "", err
	}
	if c.opt.WebhookSecret == "" {
		// Unguessable per run: Telegram is told it with setWebhook below.
		b := make([]byte, 24)
		_, _ = rand.Read(b)
		c.opt.WebhookSecret = hex.EncodeToString(b)
		c.log.Warn().Msg("LAPOR_TELEGRAM_WEBHOOK_SECRET is empty: using a random secret for this run")
	}
	allowed, _ := json.Marshal(allowedUpdates)
	_, err = c.bound(ctx).MakeRequest("setWebhook", tgbotapi.Params{
		"url":             c.opt.WebhookURL,
		"secret_token":    c.opt.WebhookSecret,
		"allowed_updates": string(allowed),
		"max_connections": "40",
	})
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err() // stopped, not refused
		}
		return "", errors.New("telegram: setWebhook: " + redact(err, c.opt.Token))
	}
	return webhookPath(u), nil
}

func webhookPath(u *url.URL) string {
	if u.Path == "" {
		return "/"
	}
	return u.Path
}

// keepSeenPruned prunes the seen markers now and hourly until ctx is done or the returned func
// is called; that func waits for the pruner to stop.
func (c *Channel) keepSeenPruned(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	pruned := make(chan struct{})
	go func() {
		defer close(pruned)
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for c.pruneSeen(ctx); sleepTick(ctx, t); c.pruneSeen(ctx) {
		}
	}()
	return func() { cancel(); <-pruned }
}

func sleepTick(ctx context.Context, t *time.Ticker) bool {
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
