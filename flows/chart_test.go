package flows

import (
	"bytes"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"
)

// colourCount counts pixels of exactly c.
func colourCount(t *testing.T, data []byte, c color.RGBA) (n, w, h int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, a := img.At(x, y).RGBA()
			if uint8(r>>8) == c.R && uint8(g>>8) == c.G && uint8(bl>>8) == c.B && uint8(a>>8) == c.A {
				n++
			}
		}
	}
	return n, b.Dx(), b.Dy()
}

func TestStatistikChart(t *testing.T) {
	h := newHarness(t)
	a := fileReport(h, nikFree)
	fileReport(h, nikFree2)
	h.staff("LAYAK " + a)
	kec := h.report(a).Kecamatan

	cases := []struct {
		name, cmd  string
		wantCap    string
		submitted  bool // pixels of the "menunggu" colour expected
		eligible   bool
		noDocument bool
	}{
		{"all kecamatan", "STATISTIK", "Laporan: 2 · menunggu 1 · layak 1", true, true, false},
		{"narrowed to one kecamatan", "statistik " + kec, "Kec. " + kec, true, true, false},
		{"unknown kecamatan", "STATISTIK Atlantis", "tidak dikenal", false, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := h.staff(tc.cmd)
			if len(out) != 1 {
				t.Fatalf("%d replies", len(out))
			}
			r := out[0]
			if !strings.Contains(PlainText(r.Text, "", ""), tc.wantCap) {
				t.Errorf("caption %q lacks %q", r.Text, tc.wantCap)
			}
			if tc.noDocument {
				if r.Document != nil {
					t.Error("a chart for an unknown kecamatan")
				}
				return
			}
			if r.Document == nil || !r.Document.Image || !strings.HasSuffix(r.Document.Name, ".png") {
				t.Fatalf("no PNG image: %+v", r.Document)
			}
			n, w, hgt := colourCount(t, r.Document.Data, chartStatuses[0].color)
			if w != chartWidth || hgt != chartHeight {
				t.Errorf("size %dx%d, want %dx%d", w, hgt, chartWidth, chartHeight)
			}
			if tc.submitted && n < 500 {
				t.Errorf("%d pixels of the waiting bar: plot empty?", n)
			}
			if n, _, _ := colourCount(t, r.Document.Data, chartStatuses[1].color); tc.eligible && n < 500 {
				t.Errorf("%d pixels of the layak bar", n)
			}
			// The SOP panel: this week's bar is drawn (the decision was on time: 100%).
			if n, _, _ := colourCount(t, r.Document.Data, color.RGBA{0x2e, 0x86, 0xde, 0xff}); n < 1000 {
				t.Errorf("%d pixels of blue bars", n)
			}
		})
	}
}

func TestStatistikCaptionCompliance(t *testing.T) {
	h := newHarness(t)
	a := fileReport(h, nikFree)
	h.advance(time.Hour)
	h.staff("LAYAK " + a)
	b := fileReport(h, nikFree2)
	h.advance(4 * time.Hour) // past the 3h SLA, undecided
	_ = b
	got := PlainText(h.staff("STATISTIK")[0].Text, "", "")
	if !strings.Contains(got, "diputuskan 50% (1/2)") {
		t.Errorf("compliance: %s", got)
	}
}
