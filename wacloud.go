package main

import (
	"net/http"

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
