package whatsapp

import (
	"strings"
	"testing"

	"go.mau.fi/whatsmeow/types"

	"github.com/laporbansos/laporbansos/storage"
)

// A report on a person without NIK/KTP over WhatsApp, where the NIK question's button is a
// numbered line: the staff group's post is marked TANPA NIK with *…* bold, staff decide by
// command, the citizen is told.
func TestNoNIKReportOverWhatsApp(t *testing.T) {
	h := newHarness(t)
	citizen := pn(citizenPN)
	say := h.citizenSay(citizen)
	steps := []struct{ send, want string }{
		{"halo", "1. Lapor warga butuh bantuan"},
		{"1", "2. Orang lain / tetangga"},
		{"orang lain", "1. Tidak punya NIK/KTP"},
		{"tidak ada KTP", "Mengapa tidak punya NIK/KTP?"},
		{"pendatang, KTP masih luar kota dan hilang", "nama lengkap"},
		{"Mbah Sarip", "alamat lengkap"},
		{"Dusun Krajan RT 02 RW 03", "1. "},
		{"Genteng", "desa/kelurahan"},
		{"1", "alasan utama"},
		{"lansia", "nomor HP"},
		{"tidak punya hp", "nama Anda sebagai pelapor"},
		{"Budi Hartono", "hubungan"},
		{"tetangga", "NIK: tidak punya NIK/KTP"},
		{"kirim", "petugas akan datang ke alamat untuk verifikasi"},
	}
	var got string
	for _, s := range steps {
		got = say(s.send)
		if !strings.Contains(got, s.want) {
			t.Fatalf("after %q: want %q in reply, got:\n%s", s.send, s.want, got)
		}
	}
	id := reportID.FindString(got)
	if id == "" {
		t.Fatalf("no report number in %q", got)
	}
	notice := h.textsTo(staffGroup)
	for _, want := range []string{"LAPORAN BARU " + id, "*TANPA NIK*", "Nama: Mbah Sarip · TANPA NIK", "Sebab tanpa NIK: pendatang"} {
		if !strings.Contains(notice, want) {
			t.Errorf("staff notice lacks %q:\n%s", want, notice)
		}
	}
	if strings.Contains(notice, "NIK ****") {
		t.Errorf("staff notice shows a masked empty NIK:\n%s", notice)
	}
	if got := h.staff(staffGroup, pn(staffPN), types.JID{}, "LAYAK "+id); !strings.Contains(got, "dinyatakan LAYAK") {
		t.Fatalf("LAYAK: %q", got)
	}
	if got := h.staff(staffGroup, pn(staffPN), types.JID{}, "SALUR "+id); !strings.Contains(got, "SUDAH DISALURKAN") {
		t.Fatalf("SALUR: %q", got)
	}
	if got := h.textsTo(citizen.String()); !strings.Contains(got, "SUDAH DISALURKAN") {
		t.Errorf("citizen not told: %q", got)
	}
	if h.status(id) != storage.StatusDelivered {
		t.Fatalf("status %s", h.status(id))
	}
}
