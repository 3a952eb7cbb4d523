package config

import (
	"strings"
	"testing"
)

// The webhook URL rule: strict for Telegram's own server, open for a local Bot API server,
// and the secret required in both.
func TestTelegramWebhookURLRule(t *testing.T) {
	const local = "http://127.0.0.1:8081"
	cases := []struct {
		name    string
		api     string // LAPOR_TELEGRAM_API_URL; "" = the official default
		hook    string
		secret  string
		wantErr string // "" = accepted
		warn    bool
	}{
		{"official https", "", "https://bansos.example.go.id/tg", "s", "", false},
		{"official http refused", "", "http://bansos.example.go.id/tg", "s", "LAPOR_TELEGRAM_WEBHOOK_URL", false},
		{"official loopback http refused", "", "http://127.0.0.1:8443/tg", "s", "LAPOR_TELEGRAM_WEBHOOK_URL", false},
		{"official spelled out, http refused", "https://API.telegram.org/", "http://x.example/tg", "s", "LAPOR_TELEGRAM_WEBHOOK_URL", false},
		{"official needs secret", "", "https://bansos.example.go.id/tg", "", "LAPOR_TELEGRAM_WEBHOOK_SECRET", false},
		{"local http loopback", local, "http://127.0.0.1:9001/tg", "s", "", false},
		{"local http localhost any port", local, "http://localhost:31337/tg", "s", "", false},
		{"local http ipv6 loopback", local, "http://[::1]:9001/tg", "s", "", false},
		{"local https any port", local, "https://10.0.0.5:7443/tg", "s", "", false},
		{"local http other host warns", local, "http://10.0.0.5:9001/tg", "s", "", true},
		{"local needs secret", local, "http://127.0.0.1:9001/tg", "", "LAPOR_TELEGRAM_WEBHOOK_SECRET", false},
		{"local other scheme refused", local, "ftp://127.0.0.1/tg", "s", "LAPOR_TELEGRAM_WEBHOOK_URL", false},
		{"local no host refused", local, "http:///tg", "s", "LAPOR_TELEGRAM_WEBHOOK_URL", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := map[string]string{"LAPOR_TELEGRAM_WEBHOOK_URL": tc.hook, "LAPOR_TELEGRAM_WEBHOOK_SECRET": tc.secret}
			if tc.api != "" {
				e["LAPOR_TELEGRAM_API_URL"] = tc.api
			}
			c, err := Load(env(e))
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
			} else {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			w := c.Warnings()
			if got := len(w) > 0; got != tc.warn {
				t.Errorf("warnings %q, want a warning: %v", w, tc.warn)
			}
			for _, s := range w {
				if !strings.Contains(s, "LAPOR_TELEGRAM_WEBHOOK_URL") {
					t.Errorf("warning %q should name the variable", s)
				}
			}
		})
	}
}
