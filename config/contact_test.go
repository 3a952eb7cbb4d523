package config

import (
	"strings"
	"testing"
)

func TestContact(t *testing.T) {
	tests := []struct {
		name, value, want, err string
	}{
		{"unset", "", "", ""},
		{"one line", "  Dinsos Banyuwangi, Jl. Contoh 1, telp 0333-000000, Senin–Jumat 08.00–15.00 ", "Dinsos Banyuwangi, Jl. Contoh 1, telp 0333-000000, Senin–Jumat 08.00–15.00", ""},
		{"two lines", "Dinsos\nJl. Contoh", "", "LAPOR_CONTACT: must be one line"},
		{"too long", strings.Repeat("a", 301), "", "LAPOR_CONTACT: is 301 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(func(k string) string {
				if k == "LAPOR_CONTACT" {
					return tt.value
				}
				return ""
			})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Load error = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Contact != tt.want {
				t.Errorf("Contact = %q, want %q", c.Contact, tt.want)
			}
			found := false
			for _, l := range c.Describe() {
				found = found || l == "LAPOR_CONTACT="+tt.want
			}
			if !found {
				t.Error("Describe does not show LAPOR_CONTACT")
			}
		})
	}
}
