package flows

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// cekNameCSV is a registry with places: Kec. Genteng, Desa Kembiritan has one Muhammad, one Siti
// and six Ahmad; Desa Setail has another Ahmad and another Muhammad Rizki Pratama.
func cekNameCSV() string {
	var b strings.Builder
	b.WriteString("nik;nama;program;periode;status;alamat;desa;kecamatan\n")
	b.WriteString("3510090101800001;Muhammad Rizki Pratama;PKH;2026 Tahap 3;Sudah Salur;Dusun Krajan RT 01 RW 02;Kembiritan;Genteng\n")
	b.WriteString("3510090101800001;Muhammad Rizki Pratama;BPNT;2026 Tahap 3;Belum Salur;Dusun Krajan RT 01 RW 02;Kembiritan;Genteng\n")
	b.WriteString("3510094202850002;SITI AMINAH;BLT Desa;2026;Sudah Salur;Jl. Melati 5;KEMBIRITAN;GENTENG\n")
	for i, n := range []string{"Ahmad Fauzi", "Ahmad Hidayat", "Ahmad Syafii", "Ahmad Maulana", "Ahmad Rofiq", "Ahmad Yani"} {
		fmt.Fprintf(&b, "35100901017500%02d;%s;PKH;2026 Tahap 2;Sudah Salur;Dusun Sumberjo;Desa Kembiritan;Kec. Genteng\n", 11+i, n)
	}
	b.WriteString("3510090101700021;Ahmad Fauzi;BPNT;2026;Sudah Salur;Dusun Setail;Setail;Genteng\n")
	b.WriteString("3510090101700022;Muhammad Rizki Pratama;BPNT;2026;Sudah Salur;Dusun Setail;Setail;Genteng\n")
	return b.String()
}

func newCekNameHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t)
	if _, err := h.reg.ImportReader(context.Background(), strings.NewReader(cekNameCSV()), "test", registry.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return h
}

// Nothing of a NIK (not its region, not its serials, not the masked form) and no address may
// appear in a by-name answer.
const cekNameNoLeak = `
<! 3510
<! 0001
<! 0011
<! 0021
<! 0022
<! Krajan
<! Melati
<! Sumberjo
<! Dusun
`

func TestCekByName(t *testing.T) {
	rizki := registry.MaskName("Muhammad Rizki Pratama")
	siti := registry.MaskName("SITI AMINAH")
	cases := []struct {
		name   string
		script string
	}{
		{"found: abbreviation Moh and a missing middle name", `
> cek
< nama lengkap sesuai KTP
> Moh Pratama
< Mencari nama "Moh Pratama"
< Di kecamatan mana
< 9) Genteng
> Genteng
< Di desa/kelurahan mana di Kec. Genteng
< Kembiritan
> Kembiritan
< Hasil pencarian "Moh Pratama" di Desa/Kel. Kembiritan, Kec. Genteng:
< 1. ` + rizki + `
< • PKH, periode 2026 Tahap 3: Sudah Salur
< • BPNT, periode 2026 Tahap 3: Belum Salur
< Data penerima per
< nama lain untuk cek lagi
<! 2. 
<! lebih lengkap
<! Muhammad
<! Rizki
<! Setail
` + cekNameNoLeak + `
# back at the Cek question: a NIK works as before
> 3510091506800004
< tidak terdaftar sebagai penerima bantuan
`},
		{"found: St. for Siti, lower case, desa typed at the kecamatan step", `
> cek
> st. aminah
> ds. kembiritan
< Hasil pencarian "st. aminah" di Desa/Kel. Kembiritan, Kec. Genteng:
< 1. ` + siti + `
< • BLT Desa, periode 2026: Sudah Salur
<! Di desa/kelurahan mana
` + cekNameNoLeak},
		{"more than five match: five shown, ketik nama lebih lengkap", `
> cek
> Ahmad
> Genteng
> Kembiritan
< 1. 
< 5. 
<! 6. A
< ketik nama lebih lengkap
< PKH, periode 2026 Tahap 2: Sudah Salur
<! BPNT
` + cekNameNoLeak + `
# a fuller name narrows it down
> Ahmad Fauzi
> Genteng
> Kembiritan
< 1. ` + registry.MaskName("Ahmad Fauzi") + `
<! 2. 
<! lebih lengkap
`},
		{"none: not found in that desa, though a namesake lives in another", `
> cek
> Budi Santoso
> Genteng
> Kembiritan
< Tidak ada penerima bantuan bernama "Budi Santoso" di Desa/Kel. Kembiritan, Kec. Genteng
< cek dengan NIK
<! Hasil pencarian
> Siti Aminah
> Genteng
> Setail
< Tidak ada penerima bantuan bernama "Siti Aminah" di Desa/Kel. Setail
`},
		{"typo in the desa: the closest desa offered, then searched", `
> cek
> Muhammad Rizki Pratama
> Genteng
> Kembirtan
< Maksud Anda
< Kembiritan
<! Hasil pencarian
> ya
< Hasil pencarian "Muhammad Rizki Pratama" di Desa/Kel. Kembiritan, Kec. Genteng:
< 1. ` + rizki + `
`},
		{"typo in the kecamatan, and a desa of another kecamatan", `
> cek
> Muhammad Rizki Pratama
> Gentang
< Maksud Anda
< Genteng
> 1
< Di desa/kelurahan mana di Kec. Genteng
> Aliyan
< Desa/kelurahan Aliyan ada di Kec. Rogojampi, bukan Kec. Genteng.
> Setail
< Hasil pencarian "Muhammad Rizki Pratama" di Desa/Kel. Setail, Kec. Genteng:
< • BPNT, periode 2026: Sudah Salur
<! PKH
`},
		{"bad input at the name", `
> cek
> Siti 😀
< Nama hanya boleh berisi huruf
< nama lengkap sesuai KTP
>[sticker]
< hanya bisa membaca pesan teks
< nama lengkap sesuai KTP
> 😀😀
< bukan NIK atau nomor laporan
> ` + strings.Repeat("a", 5000) + `
< Pesan terlalu panjang
< nama lengkap sesuai KTP
> ` + strings.Repeat("Siti ", 30) + `
< Terlalu panjang
<! Di kecamatan mana
`},
		{"bad input at the kecamatan and desa steps", `
> cek
> Moh Pratama
>[sticker]
< hanya bisa membaca pesan teks
< Di kecamatan mana
> ` + strings.Repeat("x", 5000) + `
< Pesan terlalu panjang
< Di kecamatan mana
> 😀
< tidak ditemukan di Kabupaten Banyuwangi
> Genteng
>[sticker]
< hanya bisa membaca pesan teks
< Di desa/kelurahan mana di Kec. Genteng
> ` + strings.Repeat("x", 5000) + `
< Pesan terlalu panjang
< Di desa/kelurahan mana di Kec. Genteng
> 🏠🏠🏠
< tidak ditemukan di Kec. Genteng
<! Hasil pencarian
> kembali
< Di kecamatan mana
> kembali
< nama lengkap sesuai KTP
> kembali
< Lapor warga butuh bantuan
`},
		{"batal leaves the search", `
> cek
> Moh Pratama
> Genteng
> batal
< dibatalkan
< Lapor warga butuh bantuan
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			newCekNameHarness(t).transcript(tc.script)
		})
	}
}

// One search is one lookup, however many questions it takes; a spent budget is said before the
// kecamatan is asked.
// A misspelt desa at the desa question of a name search is offered back by its name alone: the
// kecamatan was just chosen.
func TestCekByNameDesaSuggestion(t *testing.T) {
	h := newCekNameHarness(t)
	h.transcript(`
> cek
> Siti Aminah
> Genteng
> Kembirtan
< Maksud Anda Kembiritan?
<! (Kec.
> ya
< Hasil pencarian
`)
}

func TestCekByNameBudget(t *testing.T) {
	h := newCekNameHarness(t)
	h.engine.CheckLimit = 2
	h.transcript(`
> cek
> Moh Pratama
> Gentang
> 1
> Kembirtan
> ya
< Hasil pencarian
> 3510091506800004
< tidak terdaftar sebagai penerima bantuan
> Siti Aminah
< batas pemeriksaan NIK/nomor laporan dari chat ini (2 kali per jam)
<! Di kecamatan mana
~ 1h1s
> Siti Aminah
< Di kecamatan mana
`)
}

// Before a registry is imported nobody is "not found" by name: the data is not available yet.
func TestCekByNameRegistryNotLoaded(t *testing.T) {
	for _, guarded := range []bool{true, false} {
		t.Run(fmt.Sprintf("guarded=%v", guarded), func(t *testing.T) {
			h := newCekNameHarness(t)
			empty := &registry.Registry{Dir: t.TempDir(), Log: zerolog.Nop()}
			if err := empty.Open(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { empty.Close() })
			h.engine.Registry = empty
			if guarded {
				h.engine.Registry = GuardRegistry(empty)
			}
			h.transcript(`
> cek
> Moh Pratama
> Genteng
> Kembiritan
< belum tersedia karena data penerima belum dimuat
<! Tidak ada penerima
<! Hasil pencarian
`)
		})
	}
}

// A sanggah may start from a name: the objector picks from the masked entries and never sees the
// NIK, which the sanggah records for staff.
func TestSanggahByName(t *testing.T) {
	h := newCekNameHarness(t)
	rizki := registry.MaskName("Muhammad Rizki Pratama")
	h.transcript(`
> 3
< namanya sesuai KTP
> Moh Pratama
< Di kecamatan mana
> Genteng
> Kembirtan
< Maksud Anda
> ya
< Pilih orangnya
< 1) ` + rizki + ` (PKH, BPNT)
<! 2)
` + cekNameNoLeak + `
> 7
< Pilih
> 1
< Apa alasan sanggahan
<! Benar ini orangnya
` + cekNameNoLeak + `
> 2
> Meninggal bulan Agustus 2026
> Joko Susilo
> 0813 1111 2222
< Periksa kembali sanggahan
< Penerima: ` + rizki + ` (PKH, BPNT)
<! NIK penerima
` + cekNameNoLeak + `
> kirim
< Sanggahan diterima dengan nomor *SG-2611-0001*
< [test:grup-staf]
< Penerima: Muhammad Rizki Pratama
# its number in Cek: status and masked name, still no NIK
> menu
> 2
> SG-2611-0001
< penerima ` + rizki + `
<! 3510
<! NIK 3
<! Krajan
# the same person by name again: the open sanggah is found
> menu
> 3
> Muhammad Rizki Pratama
> Kembiritan
> 1
< Sudah ada sanggahan untuk NIK ini (nomor *SG-2611-0001*
`)
	err := h.db.View(t.Context(), func(tx storage.Tx) error {
		r, err := tx.Report("SG-2611-0001")
		if err != nil {
			return err
		}
		if r.NIK != "3510090101800001" || r.Kind != storage.KindSanggah {
			t.Errorf("sanggah recorded NIK %q kind %q, want the picked recipient's", r.NIK, r.Kind)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSanggahByNameNone(t *testing.T) {
	newCekNameHarness(t).transcript(`
> 3
> Budi Santoso
> Kembiritan
< Tidak ada penerima bantuan bernama "Budi Santoso" di Desa/Kel. Kembiritan, Kec. Genteng, jadi tidak ada yang bisa disanggah.
< namanya sesuai KTP
> Ahmad
> Kembiritan
< ketik nama lebih lengkap
< 5) 
<! 6) 
> Ahmad Fauzi
< Di kecamatan mana
> Setail
< 1) ` + registry.MaskName("Ahmad Fauzi") + ` (BPNT)
`)
}

// Listing a desa's recipients by name counts toward the scraping alert as checking their NIKs
// does: staff hear of a chat that harvests names, as a count, once.
func TestCekByNameFeedsScrapingAlert(t *testing.T) {
	h := newCekNameHarness(t)
	h.engine.ScrapeAlert = 5
	h.engine.CheckLimit, h.engine.DailyLimit = 50, 50
	c := chats(1)[0]
	var alerts []string
	search := func(name, desa string) {
		t.Helper()
		say(h, c, "menu")
		say(h, c, "cek")
		say(h, c, name)
		say(h, c, "Genteng")
		for _, r := range h.send(Message{Chat: c, From: storage.Actor{Channel: c.Channel, ID: c.ID}, Text: desa}) {
			if r.To == staffChat {
				alerts = append(alerts, r.Text)
			} else if !strings.Contains(r.Text, "Hasil pencarian") && !strings.Contains(r.Text, "Ketik") {
				t.Logf("reply: %s", r.Text)
			}
		}
	}
	search("Siti Aminah", "Kembiritan") // one recipient
	search("Ahmad", "Setail")           // another one
	if len(alerts) != 0 {
		t.Fatalf("alert after 2 recipients: %q", alerts)
	}
	search("Ahmad", "Kembiritan") // six more: the fifth different one crosses the line
	search("Muhammad Rizki", "Kembiritan")
	if len(alerts) != 1 || !strings.Contains(alerts[0], "5 NIK penerima yang berbeda") || sixteen.MatchString(alerts[0]) {
		t.Fatalf("staff alerts: %q, want one count of 5 without NIKs", alerts)
	}
}
