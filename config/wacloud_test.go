package config

import (
	"fmt"
	"strings"
	"testing"
)

func TestWACloudConfig(t *testing.T) {
	full := func(extra map[string]string) map[string]string {
		m := map[string]string{
			"LAPOR_TELEGRAM_TOKEN": "123:abc", "LAPOR_TELEGRAM_STAFF_CHATS": "-1",
			"LAPOR_WACLOUD_TOKEN": "EAAGtoken", "LAPOR_WACLOUD_PHONE_NUMBER_ID": "106540352242922",
			"LAPOR_WACLOUD_APP_SECRET": "appsecret", "LAPOR_WACLOUD_VERIFY_TOKEN": "verifytoken",
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"complete", full(nil), ""},
		{"with template", full(map[string]string{"LAPOR_WACLOUD_TEMPLATE": "kabar_laporan"}), ""},
		{"token without number id", full(map[string]string{"LAPOR_WACLOUD_PHONE_NUMBER_ID": ""}), "LAPOR_WACLOUD_PHONE_NUMBER_ID"},
		{"number id not numeric", full(map[string]string{"LAPOR_WACLOUD_PHONE_NUMBER_ID": "+62 811"}), "LAPOR_WACLOUD_PHONE_NUMBER_ID"},
		{"no app secret", full(map[string]string{"LAPOR_WACLOUD_APP_SECRET": ""}), "LAPOR_WACLOUD_APP_SECRET"},
		{"no verify token", full(map[string]string{"LAPOR_WACLOUD_VERIFY_TOKEN": ""}), "LAPOR_WACLOUD_VERIFY_TOKEN"},
		{"bad template name", full(map[string]string{"LAPOR_WACLOUD_TEMPLATE": "Kabar Laporan"}), "LAPOR_WACLOUD_TEMPLATE"},
		{"bad api url", full(map[string]string{"LAPOR_WACLOUD_API_URL": "graph.facebook.com"}), "LAPOR_WACLOUD_API_URL"},
		{"no staff channel", full(map[string]string{"LAPOR_TELEGRAM_TOKEN": "", "LAPOR_TELEGRAM_STAFF_CHATS": ""}), "LAPOR_WACLOUD_TOKEN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(env(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !c.WACloud.Enabled() || c.WACloud.APIURL != "https://graph.facebook.com/v25.0" || !strings.Contains(strings.Join(c.ServeChannels(), ","), "wacloud") {
				t.Fatalf("got %+v, channels %v", c.WACloud, c.ServeChannels())
			}
			all := strings.Join(c.Describe(), "\n") + fmt.Sprintf("%v %+v %#v", c, c, c)
			for _, s := range []string{"EAAGtoken", "appsecret", "verifytoken"} {
				if strings.Contains(all, s) {
					t.Errorf("secret %s printed", s)
				}
			}
		})
	}
	if c, err := Load(env(nil)); err != nil || c.WACloud.Enabled() {
		t.Fatalf("off by default: %v %v", err, c.WACloud.Enabled())
	}
}
