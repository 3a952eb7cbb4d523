package main

import (
	"fmt"
	"testing"

	"github.com/laporbansos/laporbansos/config"
)

// Routed kecamatan chats become staff chats of their channel beside the supervisors'.
func TestRoutedChatsAreStaffChats(t *testing.T) {
	env := map[string]string{
		"LAPOR_TELEGRAM_STAFF_CHATS":  "-1001",
		"LAPOR_WHATSAPP_STAFF_GROUPS": "120363000000000001@g.us",
		"LAPOR_STAFF_ROUTES":          "35.10.09=telegram:-2002,35.10.01=whatsapp:120363000000000009@g.us,35.10.02=telegram:-1001",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{cfg: cfg}
	cases := []struct{ name, got, want string }{
		{"telegram", fmt.Sprint(m.telegramStaffChats()), "[-1001 -2002]"},
		{"whatsapp", fmt.Sprint(m.whatsappStaffGroups()), "[120363000000000001@g.us 120363000000000009@g.us]"},
		{"routes", fmt.Sprint(len(m.routes())), "3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %s, want %s", tc.got, tc.want)
			}
		})
	}
}
