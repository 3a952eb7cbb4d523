package telegram

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
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

// A staff press is answered from what the engine says it did (flows.Outcome): another
// kecamatan's report is refused in a kecamatan chat, a decision is confirmed, a refusal asks
// for its reason.
func TestStaffPressAnsweredFromOutcome(t *testing.T) {
	e := newEnv(t, envConfig{})
	f := e.fake
	a := e.report(citizen, nikFresh)
	b := e.report(citizen+1, "3510095507750005")
	e.posted(staffChat2, b)
	r, err := e.db.Report(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	other := "35.10.01"
	if r.KecamatanCode == other {
		other = "35.10.02"
	}
	// staffChat2 becomes the chat of another kecamatan; staffChat stays the supervisors'.
	e.wrap = func(e *env) {
		e.engine.StaffChats = []storage.ChatAddr{Addr(staffChat)}
		e.engine.Routes = flows.Routes{other: {Addr(staffChat2)}}
	}
	e.restart(true)

	cases := []struct {
		name   string
		chat   int64
		user   int64
		report string
		label  string
		want   string
		status storage.Status
	}{
		{"kecamatan chat, another kecamatan's report", staffChat2, staffBudi, a, "Layak", "bukan wilayah grup ini", storage.StatusSubmitted},
		{"supervisor decides", staffChat, staffAna, a, "Layak", "Tercatat", storage.StatusEligible},
		{"refusal asks for a reason", staffChat, staffAna, b, "Tidak layak", "Pilih alasan", storage.StatusSubmitted},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			post := e.posted(tc.chat, tc.report)
			settle(e) // a post's live buttons are recorded with its ack, just after Telegram saw it
			var data string
			for _, row := range post.keyboard() {
				for _, btn := range row {
					if btn.Text == tc.label {
						data = *btn.CallbackData
					}
				}
			}
			if data == "" {
				t.Fatalf("no %q button on %s's post", tc.label, tc.report)
			}
			_, q := f.callback(tc.chat, tc.user, post.ID, data)
			waitFor(t, 5*time.Second, "answer", func() bool { return f.answerOf(q) != nil })
			if got := f.answerOf(q).Get("text"); !strings.Contains(got, tc.want) {
				t.Errorf("answered %q, want %q", got, tc.want)
			}
			if st := e.status(tc.report); st != tc.status {
				t.Errorf("status %s, want %s", st, tc.status)
			}
		})
	}
}
