package flows

import (
	"context"
	"regexp"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/laporbansos/laporbansos/storage"
)

var crashReportNumber = regexp.MustCompile(`LB-\d{4}-\d{4}`)

// fileReport plays a citizen filing a report on nik and returns its number.
func fileReport(h *harness, nik string) string {
	h.t.Helper()
	var out []Reply
	for _, in := range []string{"menu", "1", "1", nik, "Sumarni", "Dusun Krajan RT 02 RW 03", "9", "1", "1", "081234567890", "kirim"} {
		out = h.citizen(in)
	}
	id := crashReportNumber.FindString(render(out))
	if id == "" {
		h.t.Fatalf("no report number in %s", render(out))
	}
	return id
}

// damage overwrites report id's record with bytes that do not decode, as a torn page restored
// from a bad backup would leave it, on the closed store file.
func damage(h *harness, id string) {
	h.t.Helper()
	if h.file == nil {
		h.t.Skip("damage tears a bbolt record; a jsonb column holds no torn record")
	}
	if err := h.db.Close(); err != nil {
		h.t.Fatal(err)
	}
	bdb, err := bolt.Open(h.file.Path, 0o600, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("reports")).Put([]byte(id), []byte(`{"id":"`+id+`","kind":`))
	})
	if err != nil {
		h.t.Fatal(err)
	}
	if err := bdb.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.open()
}

func TestDamagedReport(t *testing.T) {
	h := newHarness(t)
	bad := fileReport(h, nikFree)
	good := fileReport(h, nikFree2)
	damage(h, bad)

	cases := []struct {
		name    string
		send    func() []Reply
		want    []string
		notWant []string
	}{
		{"citizen checks the damaged report by number: an outage, not 'not found'",
			func() []Reply { h.citizen("menu"); h.citizen("2"); return h.citizen(bad) },
			[]string{msgReportsDown}, []string{"tidak ditemukan"}},
		{"citizen checks the NIK of the damaged report: an outage, not 'no report'",
			func() []Reply { h.citizen("menu"); h.citizen("2"); return h.citizen(nikFree) },
			[]string{msgReportsDown}, []string{"Belum ada laporan"}},
		{"citizen checks another report: answered",
			func() []Reply { h.citizen("menu"); h.citizen("2"); return h.citizen(good) },
			[]string{good, "menunggu verifikasi"}, []string{msgReportsDown}},
		{"staff list leaves the damaged report out and lists the rest",
			func() []Reply { return h.staff("PENDING") },
			[]string{good}, []string{bad}},
		{"a new report on the damaged report's NIK is refused, not filed as a duplicate",
			func() []Reply {
				var out []Reply
				for _, in := range []string{"menu", "1", "1", nikFree, "Sumarni", "Dusun Krajan RT 02 RW 03", "9", "1", "1", "081234567890", "kirim"} {
					out = h.citizen(in)
				}
				return out
			},
			nil, []string{"Laporan diterima"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := render(tc.send())
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("want %q in:\n%s", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("did not want %q in:\n%s", w, got)
				}
			}
		})
	}
	var buf strings.Builder
	if err := h.db.ExportCSV(&buf, storage.ExportOptions{}); err != nil {
		t.Fatalf("export with a damaged record: %v", err)
	}
	if !strings.Contains(buf.String(), good) || strings.Contains(buf.String(), bad) {
		t.Errorf("export should hold %s and skip %s:\n%s", good, bad, buf.String())
	}
	if _, err := h.db.Stats(context.Background(), h.engine.VerifySLA, h.engine.DeliverySLA); err != nil {
		t.Errorf("stats with a damaged record: %v", err)
	}
}

// A decision notice dropped because the citizen had blocked the bot is remembered (as the
// sender does when the platform says the chat is stopped); the citizen's next message gets the
// news first, once.
func TestReturningCitizenHearsMissedNews(t *testing.T) {
	h := newHarness(t)
	id := fileReport(h, nikFree)
	other := fileReport(h, nikFree2)
	h.staff("LAYAK " + id)
	err := h.db.Update(context.Background(), func(tx storage.Tx) error {
		pending, err := tx.Pending(0)
		if err != nil {
			return err
		}
		var dropped []Reply
		for _, o := range pending {
			if o.To == citizenChat {
				r, _ := DecodeReply(o.Payload)
				dropped = append(dropped, r)
			}
		}
		if n, err := RememberMissed(tx, citizenChat, dropped); err != nil || n != 1 {
			t.Errorf("RememberMissed = %d, %v; want 1 report", n, err)
		}
		_, err = tx.DropOutbound(citizenChat)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	h.restart() // remembered in the store, not in memory

	got := render(h.citizen("halo"))
	wantFirst := "[test:warga-1] Kabar laporan " + id + ": layak, menunggu penyaluran"
	if !strings.HasPrefix(got, wantFirst) {
		t.Errorf("first reply should be the news of %s:\n%s", id, got)
	}
	if !strings.Contains(got, "Kabar laporan "+other+": menunggu verifikasi") {
		t.Errorf("the other open report's status is missing:\n%s", got)
	}
	if again := render(h.citizen("menu")); strings.Contains(again, "Kabar laporan") {
		t.Errorf("the news was given twice:\n%s", again)
	}
}
