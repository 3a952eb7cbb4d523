package wacloud

import (
	"regexp"
	"testing"
)

var reportNo = regexp.MustCompile(`LB-\d{4}-\d{4}`)

// A whole report by a Cloud API citizen, with buttons, lists and numbered text where each fits.
func TestReportThroughCloudAPI(t *testing.T) {
	e := newEnv(t)
	menu := wantText(t, e.say(citizen, "halo"), "Silakan pilih layanan")
	if menu.Type != "interactive" {
		t.Fatalf("menu went as %s: %s", menu.Type, menu.Body)
	}
	if got := e.graph.Reads(); len(got) != 1 {
		t.Errorf("mark-read calls %v, want one", got)
	}
	wantText(t, e.press(citizen, "Lapor warga butuh bantuan"), "Siapa yang ingin Anda laporkan")
	wantText(t, e.press(citizen, "Diri sendiri"), "Ketik NIK")
	wantText(t, e.say(citizen, nikFresh), "nama lengkap")
	wantText(t, e.say(citizen, "Siti Aminah"), "alamat lengkap")
	kec := wantText(t, e.say(citizen, "Dusun Krajan RT 02 RW 03"), "Pilih kecamatan")
	if kec.Type != "text" || !regexp.MustCompile(`\n25\. `).MatchString(text(kec)) {
		t.Fatalf("25 kecamatan should go as numbered text: %s", kec.Body)
	}
	wantText(t, e.say(citizen, "Genteng"), "Pilih desa")
	wantText(t, e.say(citizen, "1"), "alasan utama")
	wantText(t, e.press(citizen, "Lansia"), "nomor HP")
	wantText(t, e.say(citizen, "081234567890"), "Kirim laporan ini?")
	done := wantText(t, e.press(citizen, "Kirim"), "Laporan diterima")
	if reportNo.FindString(text(done)) == "" {
		t.Fatalf("no report number: %s", done.Body)
	}
}
