package storage

import "testing"

func TestNeutralise(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"formula", `=HYPERLINK("http://x","klik")`, `'=HYPERLINK("http://x","klik")`},
		{"plus", "+62812", "'+62812"},
		{"minus", "-1+2", "'-1+2"},
		{"at", "@SUM(A1)", "'@SUM(A1)"},
		{"tab", "\tx", "'\tx"},
		{"carriage return", "\rx", "'\rx"},
		{"plain", "Siti Wahyuni", "Siti Wahyuni"},
		{"formula later in the cell", "a=b", "a=b"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := neutralise(tt.in); got != tt.want {
				t.Errorf("neutralise(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
