package dashboard

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/laporbansos/laporbansos/storage"
)

// A pengaduan is counted on the overview under its own kind and status words, and its kind and
// statuses can be filtered in the list.
func TestPengaduanCountedAndFiltered(t *testing.T) {
	f := newFixture(t, 0)
	f.seed(demoSpecs(2))
	pg := &storage.Report{
		Kind: storage.KindPengaduan, Status: storage.StatusSubmitted, Reason: "pungli",
		ReasonText: "Diminta uang Rp20.000 saat ambil beras", Desa: "Kembiritan", Kecamatan: "Genteng",
		KecamatanCode: "35.10.09", From: storage.ChatAddr{Channel: "telegram", ID: "88"},
	}
	ctx := context.Background()
	if err := f.db.CreateReport(ctx, pg); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Transition(ctx, pg.ID, storage.StatusInProgress, storage.Actor{Channel: "telegram", ID: "1", Name: "Ana"}, "dicek ke lokasi"); err != nil {
		t.Fatal(err)
	}
	c := f.login("pemantau")
	resp, body := f.get(c, "/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("overview: status %d", resp.StatusCode)
	}
	for _, want := range []string{"Pengaduan", "sedang ditindaklanjuti"} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	resp, list := f.get(c, "/laporan?jenis=pengaduan&status=in_progress")
	if resp.StatusCode != http.StatusOK || !strings.Contains(list, pg.ID) {
		t.Errorf("filtered list (status %d) lacks %s", resp.StatusCode, pg.ID)
	}
}
