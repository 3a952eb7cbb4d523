package telegram

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
	"time"
)

func TestStatistikSendsPhoto(t *testing.T) {
	e := newEnv(t, envConfig{})
	f := e.fake
	e.report(citizen, nikFresh)
	f.text(staffChat, staffAna, "/statistik@laporbansos_bot")
	var photo *fakeMsg
	waitFor(t, 5*time.Second, "photo", func() bool {
		for _, m := range f.sent(staffChat) {
			if m.Method == "sendPhoto" {
				photo = m
				return true
			}
		}
		return false
	})
	img, err := png.Decode(bytes.NewReader(photo.DocData))
	if err != nil {
		t.Fatalf("the photo is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 500 {
		t.Errorf("chart %dx%d", b.Dx(), b.Dy())
	}
	if !strings.Contains(photo.Text, "Statistik Lapor Bansos") || !strings.Contains(photo.Text, "menunggu 1") {
		t.Errorf("caption: %q", photo.Text)
	}
}
