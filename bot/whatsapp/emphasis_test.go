package whatsapp

import (
	"testing"

	"github.com/laporbansos/laporbansos/flows"
)

func TestWhatsAppEmphasisNeverPairsWithData(t *testing.T) {
	on, off := flows.EmphasisOn, flows.EmphasisOff
	cases := []struct{ name, in, want string }{
		{"bold kept when the data has no markup", "nomor " + on + "LB-2611-0001" + off, "nomor *LB-2611-0001*"},
		{"masked name: emphasis dropped", "Penerima " + on + "S**i W*****i" + off, "Penerima S**i W*****i"},
		{"underscore in an address: emphasis dropped", on + "BARU" + off + " Jl. A_B", "BARU Jl. A_B"},
		{"plain", "halo", "halo"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := whatsappEmphasis(tc.in); got != tc.want {
				t.Fatalf("whatsappEmphasis(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
