package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/laporbansos/laporbansos/bot/wacloud"
)

// newWACloud builds the WhatsApp Cloud API channel from the configuration, registers it with
// the sender, and returns it with the handler the shared listener mounts at
// wacloud.WebhookPath.
func (m *Main) newWACloud(a *app) (*wacloud.Channel, http.Handler, error) {
	w := m.cfg.WACloud
	ch, err := wacloud.New(wacloud.Options{
		Token: w.Token.Value(), PhoneNumberID: w.PhoneNumberID, AppSecret: w.AppSecret.Value(),
		VerifyToken: w.VerifyToken.Value(), APIURL: w.APIURL, Template: w.Template,
		Store: a.db, Handler: a.disp, Wake: a.sender.Wake, Now: m.Now,
		Log: m.log.With().Str("component", "wacloud").Logger(),
	})
	if err != nil {
		return nil, nil, err
	}
	a.sender.Channels[wacloud.Name] = ch
	mux := http.NewServeMux()
	mux.Handle(wacloud.WebhookPath, ch.Handler())
	return ch, mux, nil
}

// serveWACloud serves the webhook on LAPOR_WACLOUD_LISTEN until ctx is done. It stands in for
// the shared LAPOR_HTTP_LISTEN listener, which mounts the same handler when it exists.
func (m *Main) serveWACloud(ctx context.Context, h http.Handler) error {
	ln, err := net.Listen("tcp", m.cfg.WACloud.Listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	m.log.Info().Str("listen", ln.Addr().String()).Str("path", wacloud.WebhookPath).Msg("wacloud webhook serving")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
