package flows

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestDailyDigest(t *testing.T) {
	h := newHarness(t) // the clock starts on Sunday 22/11/2026 10:00 WIB
	a := fileReport(h, nikFree)
	h.staff("LAYAK " + a)
	fileReport(h, nikFree2) // left undecided: overdue by tomorrow morning
	rs, err := ParseRoutes(h.report(a).KecamatanCode + "=test:grup-kec")
	if err != nil {
		t.Fatal(err)
	}
	h.engine.Routes = rs
	at := 7 * time.Hour // 07:00 WIB

	steps := []struct {
		name string
		to   time.Time // WIB wall clock the fake clock is moved to
		want string    // "" = nothing sent
	}{
		{"the same day after 07:00: yesterday's digest is due once", time.Date(2026, 11, 22, 10, 1, 0, 0, wib), "Rekap harian 21/11/2026"},
		{"later that day: not again", time.Date(2026, 11, 22, 23, 59, 0, 0, wib), ""},
		{"next morning before 07:00: not yet", time.Date(2026, 11, 23, 6, 59, 0, 0, wib), ""},
		{"next morning at 07:00", time.Date(2026, 11, 23, 7, 0, 0, 0, wib), "Kemarin: 2 laporan baru, 1 diputuskan, 0 disalurkan"},
		{"a minute later: not again", time.Date(2026, 11, 23, 7, 1, 0, 0, wib), ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			h.advance(st.to.Sub(h.clock()))
			out, err := h.engine.DailyDigest(context.Background(), at)
			if err != nil {
				t.Fatal(err)
			}
			if st.want == "" {
				if len(out) != 0 {
					t.Fatalf("sent %s", render(out))
				}
				return
			}
			if len(out) != 1 || out[0].To != staffChat {
				t.Fatalf("want one digest to the supervisors only, got:\n%s", render(out))
			}
			if got := PlainText(out[0].Text, "", ""); !strings.Contains(got, st.want) {
				t.Errorf("want %q in:\n%s", st.want, got)
			}
		})
	}
	// The 07:00 digest also says what is overdue now and how the week went.
	h.advance(24 * time.Hour)
	h.restart()
	h.engine.Routes = rs
	out, err := h.engine.DailyDigest(context.Background(), at)
	if err != nil || len(out) != 1 {
		t.Fatalf("after a restart the next day: %v %s", err, render(out))
	}
	got := PlainText(out[0].Text, "", "")
	for _, w := range []string{"Rekap harian 23/11/2026", "1 belum diputuskan > 3 jam", "diputuskan 50% (1/2)"} {
		if !strings.Contains(got, w) {
			t.Errorf("want %q in:\n%s", w, got)
		}
	}
}
