package telegram

import (
	"strings"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// A report on a person without NIK/KTP through the Telegram Bot API: the NIK question's button,
// the note, the staff post marked TANPA NIK (bold as an entity), Layak and Sudah disalurkan.
func TestNoNIKReportThroughTelegram(t *testing.T) {
	e := newEnv(t, envConfig{})
	f := e.fake
	chat := citizen
	step := func(do func(), want string) {
		t.Helper()
		n := len(f.sent(chat))
		do()
		f.waitTextT(t, chat, n, want)
	}
	press := func(label string) func() { return func() { f.pressT(t, chat, chat, label) } }
	step(func() { f.text(chat, chat, "/start") }, "Silakan pilih layanan")
	step(press("Lapor warga butuh bantuan"), "Siapa yang ingin Anda laporkan")
	step(press("Diri sendiri"), "Ketik NIK")
	step(press("Tidak punya NIK/KTP"), "Mengapa tidak punya NIK/KTP?")
	step(func() { f.text(chat, chat, "belum pernah rekam e-KTP") }, "nama lengkap")
	step(func() { f.text(chat, chat, "Siti Aminah") }, "alamat lengkap")
	step(func() { f.text(chat, chat, "Dusun Krajan RT 02 RW 03") }, "Pilih kecamatan")
	step(press("Genteng"), "Pilih desa")
	step(func() { e.pressFirst(t, chat) }, "alasan utama")
	step(press("Lansia"), "nomor HP")
	step(func() { f.contact(chat, "+6281234567890") }, "NIK: tidak punya NIK/KTP")
	step(press("Kirim"), "petugas akan datang ke alamat untuk verifikasi")
	id := ""
	for _, m := range f.sent(chat) {
		if strings.Contains(m.Text, "Laporan diterima") {
			id = reportNo.FindString(m.Text)
		}
	}
	if id == "" {
		t.Fatal("no report number")
	}

	post := e.posted(staffChat, id)
	for _, want := range []string{"TANPA NIK", "Nama: Siti Aminah · TANPA NIK", "Sebab tanpa NIK: belum pernah rekam e-KTP"} {
		if !strings.Contains(post.Text, want) {
			t.Errorf("staff post lacks %q:\n%s", want, post.Text)
		}
	}
	if strings.Contains(post.Text, "NIK ****") || strings.Contains(post.Text, "*TANPA") {
		t.Errorf("staff post shows a masked empty NIK or raw markup:\n%s", post.Text)
	}
	bold := false
	runes := []rune(post.Text) // entity offsets count UTF-16 units; the mark's text is in the BMP
	for _, en := range post.Entities {
		if en.Type == "bold" && en.Offset+en.Length <= len(utf16Units(runes)) && strings.Contains(string(utf16Slice(runes, en.Offset, en.Length)), "TANPA NIK") {
			bold = true
		}
	}
	if !bold {
		t.Errorf("TANPA NIK is not bold: entities %+v", post.Entities)
	}

	n := len(f.sent(chat))
	_, q := f.press(staffChat, staffAna, "Layak")
	f.answerOf(q)
	f.waitText(chat, n, "LAYAK")
	waitFor(t, 5*time.Second, "Sudah disalurkan button", func() bool {
		m, _ := f.button(staffChat, func(l string) bool { return l == "Sudah disalurkan" })
		return m != nil
	})
	n = len(f.sent(chat))
	_, q = f.press(staffChat, staffBudi, "Sudah disalurkan")
	f.answerOf(q)
	f.waitText(chat, n, "SUDAH DISALURKAN")
	if got := e.status(id); got != storage.StatusDelivered {
		t.Fatalf("status = %s", got)
	}
}

// utf16Len expands runes into UTF-16 units (a rune outside the BMP counts twice), so entity
// offsets can index it.
func utf16Units(rs []rune) []rune {
	var out []rune
	for _, r := range rs {
		out = append(out, r)
		if r > 0xFFFF {
			out = append(out, 0)
		}
	}
	return out
}

func utf16Slice(rs []rune, off, n int) []rune { return utf16Units(rs)[off : off+n] }
