package dashboard

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/laporbansos/laporbansos/storage"
)

// A report without NIK shows TANPA NIK in the list and on its page, for viewers and
// supervisors alike, with the citizen's note and links to the possible duplicates.
func TestReportWithoutNIK(t *testing.T) {
	f := newFixture(t, 0)
	earlier := f.seed(demoSpecs(1))[0]
	r := &storage.Report{
		Kind: storage.KindReport, Status: storage.StatusSubmitted, NoNIK: true, NoNIKNote: "belum rekam e-KTP",
		Name: "Mbah Sarip", Address: "Dusun Krajan RT 01 RW 01", Desa: "Kembiritan", Kecamatan: "Genteng",
		KecamatanCode: "35.10.09", Reason: "lansia", From: storage.ChatAddr{Channel: "telegram", ID: "77"},
		PossibleDuplicates: []string{earlier.ID},
	}
	if err := f.db.CreateReport(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"pemantau", "kepala"} {
		t.Run(user, func(t *testing.T) {
			c := f.login(user)
			resp, body := f.get(c, "/laporan/"+r.ID)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			for _, want := range []string{`id="nik">TANPA NIK<`, `id="nonik-note">belum rekam e-KTP<`, `<a href="/laporan/` + earlier.ID + `">`} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if _, list := f.get(c, "/laporan"); !strings.Contains(list, ">TANPA NIK<") {
				t.Errorf("list does not mark the report TANPA NIK")
			}
		})
	}
}
