package config

import (
	"strings"
	"testing"
)

func TestHideURLCredentials(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"user and password", "https://budi:rahasia@data.example.id/dtks.csv", "https://budi:****@data.example.id/dtks.csv"},
		{"token as user", "https://ghp_abc123@raw.example.id/x.csv", "https://****@raw.example.id/x.csv"},
		{"token in query", "https://data.example.id/x.csv?token=abc&v=2", "https://data.example.id/x.csv?token=****&v=2"},
		{"signed url", "https://s3.example.id/x.csv?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIA", "https://s3.example.id/x.csv?X-Amz-Signature=****&X-Amz-Credential=****"},
		{"plain url", "https://api.telegram.org", "https://api.telegram.org"},
		{"file path", "/srv/data/dtks.csv", "/srv/data/dtks.csv"},
		{"not a url", "Dinas Sosial", "Dinas Sosial"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := HideURLCredentials(tc.in); got != tc.want {
				t.Fatalf("HideURLCredentials(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestDescribeHidesURLCredentials(t *testing.T) {
	env := map[string]string{
		"LAPOR_REGISTRY_SOURCE":  "https://sinkron:Sup3rRahasia@smartkampung.example.id/dtks.csv",
		"LAPOR_TELEGRAM_API_URL": "http://admin:hunter2@127.0.0.1:8081",
	}
	c, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Join(c.Describe(), "\n")
	for _, secret := range []string{"Sup3rRahasia", "hunter2"} {
		if strings.Contains(out, secret) {
			t.Fatalf("config shows %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"LAPOR_REGISTRY_SOURCE=https://sinkron:****@smartkampung.example.id/dtks.csv", "LAPOR_TELEGRAM_API_URL=http://admin:****@127.0.0.1:8081", "LAPOR_LOOKUP_LIMIT_GLOBAL=1000"} {
		if !strings.Contains(out, want) {
			t.Fatalf("config lacks %q:\n%s", want, out)
		}
	}
}
