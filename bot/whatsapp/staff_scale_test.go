package whatsapp

import (
	"strings"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
)

func TestStatistikSendsImage(t *testing.T) {
	h := newHarness(t)
	fileReport(t, h.citizenSay(pn(citizenPN)), citizenNIK)
	h.textsTo(staffGroup)
	got := h.staff(staffGroup, pn(staffPN), types.JID{}, "STATISTIK")
	if !strings.Contains(got, "[image image/png]") || !strings.Contains(got, "Statistik Lapor Bansos") {
		t.Fatalf("STATISTIK in the group: %q", got)
	}
	if len(h.fake.media) != 1 || h.fake.media[0] != whatsmeow.MediaImage {
		t.Errorf("uploaded as %v, want one image", h.fake.media)
	}
}
