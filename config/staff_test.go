package config

import (
	"strings"
	"testing"
	"time"
)

func TestStaffScaleVariables(t *testing.T) {
	cases := []struct {
		name      string
		env       map[string]string
		wantErr   string
		digestAt  time.Duration
		digestOff bool
		undo      time.Duration
	}{
		{"defaults", nil, "", 7 * time.Hour, false, 10 * time.Minute},
		{"routes on two channels", map[string]string{"LAPOR_STAFF_ROUTES": "35.10.09=telegram:-1001111, 35.10.01=whatsapp:120363@g.us"}, "", 7 * time.Hour, false, 10 * time.Minute},
		{"bad kecamatan code", map[string]string{"LAPOR_STAFF_ROUTES": "3510=telegram:-1"}, "LAPOR_STAFF_ROUTES", 0, false, 0},
		{"unknown channel", map[string]string{"LAPOR_STAFF_ROUTES": "35.10.09=signal:-1"}, "LAPOR_STAFF_ROUTES", 0, false, 0},
		{"digest at 06:30", map[string]string{"LAPOR_DIGEST_AT": "06:30"}, "", 6*time.Hour + 30*time.Minute, false, 10 * time.Minute},
		{"digest off", map[string]string{"LAPOR_DIGEST_AT": "off"}, "", 0, true, 10 * time.Minute},
		{"digest not a time", map[string]string{"LAPOR_DIGEST_AT": "7 pagi"}, "LAPOR_DIGEST_AT", 0, false, 0},
		{"undo window", map[string]string{"LAPOR_UNDO_WINDOW": "30m"}, "", 7 * time.Hour, false, 30 * time.Minute},
		{"undo window too short", map[string]string{"LAPOR_UNDO_WINDOW": "10s"}, "LAPOR_UNDO_WINDOW", 0, false, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.DigestAt != tc.digestAt || c.DigestOff != tc.digestOff || c.UndoWindow != tc.undo {
				t.Errorf("digest %v off %v undo %v", c.DigestAt, c.DigestOff, c.UndoWindow)
			}
			if c.StaffRoutes != tc.env["LAPOR_STAFF_ROUTES"] {
				t.Errorf("routes %q", c.StaffRoutes)
			}
		})
	}
}
