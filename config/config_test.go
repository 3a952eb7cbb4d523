package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("defaults must load: %v", err)
	}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"data dir", c.DataDir, "./data"},
		{"regency", c.Regency, "35.10"},
		{"verify SLA", c.VerifySLA, 3 * time.Hour},
		{"delivery SLA", c.DeliverySLA, 12 * time.Hour},
		{"session TTL", c.SessionTTL, 2 * time.Hour},
		{"check limit", c.CheckLimit, 10},
		{"registry sync", c.RegistrySync, time.Hour},
		{"api url", c.Telegram.APIURL, "https://api.telegram.org"},
		{"no channels", len(c.ServeChannels()), 0},
	}
	for _, tc := range checks {
		if fmt.Sprint(tc.got) != fmt.Sprint(tc.want) {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestLoadErrorsNameTheVariable(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad duration", map[string]string{"LAPOR_VERIFY_SLA": "tiga jam"}, "LAPOR_VERIFY_SLA"},
		{"too short ttl", map[string]string{"LAPOR_SESSION_TTL": "1s"}, "LAPOR_SESSION_TTL"},
		{"bad limit", map[string]string{"LAPOR_CHECK_LIMIT": "ten"}, "LAPOR_CHECK_LIMIT"},
		{"zero limit", map[string]string{"LAPOR_CHECK_LIMIT": "0"}, "LAPOR_CHECK_LIMIT"},
		{"bad regency", map[string]string{"LAPOR_SERVICE_REGENCY": "3510"}, "LAPOR_SERVICE_REGENCY"},
		{"kecamatan outside regency", map[string]string{"LAPOR_SERVICE_KECAMATAN": "35.09.01"}, "LAPOR_SERVICE_KECAMATAN"},
		{"token without staff chat", map[string]string{"LAPOR_TELEGRAM_TOKEN": "123:abc"}, "LAPOR_TELEGRAM_STAFF_CHATS"},
		{"malformed token", map[string]string{"LAPOR_TELEGRAM_TOKEN": "abc", "LAPOR_TELEGRAM_STAFF_CHATS": "-1"}, "LAPOR_TELEGRAM_TOKEN"},
		{"bad chat id", map[string]string{"LAPOR_TELEGRAM_STAFF_CHATS": "staf"}, "LAPOR_TELEGRAM_STAFF_CHATS"},
		{"http webhook", map[string]string{"LAPOR_TELEGRAM_WEBHOOK_URL": "http://x", "LAPOR_TELEGRAM_WEBHOOK_SECRET": "s"}, "LAPOR_TELEGRAM_WEBHOOK_URL"},
		{"webhook without secret", map[string]string{"LAPOR_TELEGRAM_WEBHOOK_URL": "https://x.example/hook"}, "LAPOR_TELEGRAM_WEBHOOK_SECRET"},
		{"bad api url", map[string]string{"LAPOR_TELEGRAM_API_URL": "api.telegram.org"}, "LAPOR_TELEGRAM_API_URL"},
		{"whatsapp without group", map[string]string{"LAPOR_WHATSAPP": "1"}, "LAPOR_WHATSAPP_STAFF_GROUPS"},
		{"bad group jid", map[string]string{"LAPOR_WHATSAPP_STAFF_GROUPS": "staf"}, "LAPOR_WHATSAPP_STAFF_GROUPS"},
		{"bad staff number", map[string]string{"LAPOR_WHATSAPP_STAFF_NUMBERS": "12"}, "LAPOR_WHATSAPP_STAFF_NUMBERS"},
		{"bad bool", map[string]string{"LAPOR_WHATSAPP": "maybe"}, "LAPOR_WHATSAPP"},
		{"bad log level", map[string]string{"LAPOR_LOG_LEVEL": "loud"}, "LAPOR_LOG_LEVEL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(env(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one naming %s", err, tc.want)
			}
		})
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	c, err := Load(env(map[string]string{
		"LAPOR_TELEGRAM_TOKEN":          "123456:SECRETTOKEN",
		"LAPOR_TELEGRAM_STAFF_CHATS":    "-100123",
		"LAPOR_TELEGRAM_WEBHOOK_URL":    "https://bot.example.id/tg",
		"LAPOR_TELEGRAM_WEBHOOK_SECRET": "HOOKSECRET",
	}))
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(c.Describe(), "\n") + fmt.Sprintf("%v %+v %#v", c, c, c)
	for _, s := range []string{"SECRETTOKEN", "HOOKSECRET"} {
		if strings.Contains(all, s) {
			t.Errorf("secret %s printed", s)
		}
	}
	if c.Telegram.Token.Value() != "123456:SECRETTOKEN" {
		t.Error("Value must give the token")
	}
}

func TestConfigFileAndEnvPrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lapor.env")
	body := "# comment\nLAPOR_DATA_DIR=/srv/lapor\nexport LAPOR_CHECK_LIMIT=\"5\"\nLAPOR_VERIFY_SLA=2h\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"LAPOR_CONFIG_FILE": path, "LAPOR_VERIFY_SLA": "4h"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "/srv/lapor" || c.CheckLimit != 5 || c.VerifySLA != 4*time.Hour {
		t.Fatalf("got dir=%s limit=%d sla=%s", c.DataDir, c.CheckLimit, c.VerifySLA)
	}
	if err := os.WriteFile(path, []byte("not a line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(env(map[string]string{"LAPOR_CONFIG_FILE": path})); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("bad file line: err = %v", err)
	}
}

func TestNormalizePhone(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"081234567890", "6281234567890", true},
		{"+62 812-3456-7890", "6281234567890", true},
		{"62812.3456.7890", "6281234567890", true},
		{"(0333) 424242", "62333424242", true},
		{"0812", "", false},
		{"1234567890", "", false},
		{"+1 555 123 4567", "", false},
		{"62081234567", "", false},
		{"08123abc890", "", false},
		{"", "", false},
		{"0812345678901234567", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := NormalizePhone(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("NormalizePhone(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}
