package flows

import (
	"context"
	"strings"
	"testing"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

const testContact = "Jl. Contoh No. 1 Banyuwangi, telp 0333-000000, Senin–Jumat 08.00–15.00"

// noNIKHarness is a harness whose engine names the office, and whose registry was imported
// at the test clock's time (so Cek can say how fresh it is).
func noNIKHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.engine.Contact = testContact
	h.reg.Now = h.clock
	if _, err := h.reg.ImportReader(context.Background(), strings.NewReader(testRegistryCSV), "test", registry.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	return h
}

// upToNIK is a report on someone else up to the NIK question.
const upToNIK = `
> lapor
> orang lain
< Ketik NIK (16 angka) warga yang dilaporkan
< 1) Tidak punya NIK/KTP
`

// fromName answers name to phone for a report on someone else, up to the summary.
const fromName = `
< Ketik nama lengkap
> Sumarni
< Ketik alamat lengkap
> Dusun Krajan RT 02 RW 03
> Genteng
< Pilih desa/kelurahan di Kec. Genteng
> Kembiritan
< Apa alasan utama
> lansia
> TIDAK PUNYA HP
< Ketik nama Anda sebagai pelapor
> Budi Hartono
> tetangga
< Periksa kembali laporan Anda
`

func TestNoNIKTranscripts(t *testing.T) {
	cases := []struct {
		name   string
		script string
	}{
		{"no-NIK report from the menu to the staff post, LAYAK and SALUR", upToNIK + `
> saya tidak punya KTP pak
< laporan tetap bisa dikirim tanpa NIK
< petugas akan datang ke alamat
< Mengapa tidak punya NIK/KTP?
<! Data penerima per
> belum pernah rekam e-KTP, sudah tua
` + fromName + `
< NIK: tidak punya NIK/KTP
< Sebab tanpa NIK: belum pernah rekam e-KTP, sudah tua
< Nama: Sumarni
> kirim
< Laporan diterima dengan nomor *LB-2611-0001*
< Kantor desa/kelurahan dapat membantu mengurus NIK dan KTP
< [test:grup-staf] 📋 *LAPORAN BARU LB-2611-0001*
< *TANPA NIK*
< Nama: Sumarni · TANPA NIK
< Sebab tanpa NIK: belum pernah rekam e-KTP, sudah tua (data penerima tidak bisa diperiksa; perlu kunjungan verifikasi)
< [Layak] LAYAK LB-2611-0001
<! ****
<! Kemungkinan laporan yang sama
@> PENDING
< LB-2611-0001 Sumarni, Genteng
< TANPA NIK
@> DETAIL LB-2611-0001
< [test:staf-1] *DETAIL LB-2611-0001*
< NIK: TANPA NIK
< Sebab tanpa NIK: belum pernah rekam e-KTP
<! Dari NIK
@> CARI LB-2611-0001
< LB-2611-0001 Sumarni, Genteng
< TANPA NIK
@> LAYAK LB-2611-0001
< [test:grup-staf] ✅ *LB-2611-0001* dinyatakan LAYAK oleh Bu Rina
< [test:warga-1] Kabar laporan *LB-2611-0001*: warga dinyatakan *LAYAK*
@> SALUR LB-2611-0001
< SUDAH DISALURKAN oleh Bu Rina
< [test:warga-1] Kabar laporan *LB-2611-0001*: paket sembako *SUDAH DISALURKAN*
> cek
> LB-2611-0001
< Laporan Anda: tanpa NIK
< sudah disalurkan
`},
		{"a report for oneself without KTP", `
> lapor
> diri sendiri
< Ketik NIK (16 angka) Anda
< 1) Tidak punya NIK/KTP
> 1
< Mengapa tidak punya NIK/KTP?
> KTP hilang waktu banjir, lupa nomornya
< Ketik nama lengkap
`},
		{"bad input at the note step", upToNIK + `
> tidak ada ktp
< Mengapa tidak punya NIK/KTP?
>[sticker]
< bukan stiker
< Mengapa tidak punya NIK/KTP?
>[photo]
< bukan foto
< Mengapa tidak punya NIK/KTP?
> ` + strings.Repeat("x", 5000) + `
< Pesan terlalu panjang
< Mengapa tidak punya NIK/KTP?
> ` + strings.Repeat("belum rekam ", 20) + `
< Terlalu panjang: maksimal 200 karakter
> 🙏🙏🙏
< Mohon tulis dengan kata-kata
< Mengapa tidak punya NIK/KTP?
> 12345
< Mohon tulis dengan kata-kata
> ok
< Terlalu pendek
> 
< Pesan Anda kosong
restart
> belum rekam e-KTP
< Ketik nama lengkap
`},
		{"bad input at the NIK step still gets the NIK answers", upToNIK + `
> 😀
< NIK
< 1) Tidak punya NIK/KTP
> tidak
< NIK
<! Mengapa tidak punya NIK/KTP?
> NIK
<! Mengapa tidak punya NIK/KTP?
>[photo]
< bukan foto
< 1) Tidak punya NIK/KTP
> 351009150680OOO4
< Maksudnya NIK 3510091506800004?
> 1
< Ketik nama lengkap
`},
		{"a NIK typed with a no-KTP phrase is the NIK", upToNIK + `
> 3510091506800004 tapi ktp hilang
< Ketik nama lengkap
<! Mengapa tidak punya NIK/KTP?
`},
		{"kembali from the note returns to the NIK question", upToNIK + `
> tanpa nik
< Mengapa tidak punya NIK/KTP?
> kembali
< Ketik NIK (16 angka) warga yang dilaporkan
> 3510091506800004
< Ketik nama lengkap
` + strings.Replace(fromName, "< Ketik nama lengkap\n", "", 1) + `
< NIK: 3510091506800004
<! Sebab tanpa NIK
`},
		{"Ubah: a NIK after all, then no NIK again", upToNIK + `
> tidak punya nik
> belum punya KTP
` + fromName + `
> ubah
< Sebab tanpa NIK
> NIK
< Ketik NIK (16 angka)
> 3510091506800004
< Periksa kembali laporan Anda
< NIK: 3510091506800004
<! Sebab tanpa NIK
<! tidak punya NIK/KTP
> ubah
<! Sebab tanpa NIK
> NIK
> gak punya ktp
< Mengapa tidak punya NIK/KTP?
> anak yatim, belum pernah punya KTP
< Periksa kembali laporan Anda
< NIK: tidak punya NIK/KTP
< Sebab tanpa NIK: anak yatim
> ubah
> sebab
> belum rekam e-KTP
< Sebab tanpa NIK: belum rekam e-KTP
> kirim
< Laporan diterima
< TANPA NIK
`},
		{"help and rejections name the office; Cek says how fresh the registry is", `
> bantuan
< Bantuan Lapor Bansos
< DTSEN, dulu DTKS
< kantor desa/kelurahan dengan KTP dan KK
< Kantor Dinas Sosial Kabupaten Banyuwangi: ` + testContact + `
> cek
> 3510091506800004
< tidak terdaftar sebagai penerima
< Data penerima per 22/11/2026.
> 3510091203850001
< terdaftar sebagai penerima
< Data penerima per 22/11/2026.
> menu
> lapor
> diri sendiri
> 3510091203850001
< otomatis tidak diteruskan
< Kantor Dinas Sosial Kabupaten Banyuwangi: ` + testContact + `
> lapor
> diri sendiri
> 3510091203850001
< sudah Anda laporkan sebelumnya
< Kantor Dinas Sosial Kabupaten Banyuwangi: ` + testContact + `
> lapor
> diri sendiri
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> Genteng
> Kembiritan
> lansia
> 081234567890
> kirim
< Laporan diterima
@> TOLAK LB-2611-0002 mampu, punya sawah
< [test:warga-1] Kabar laporan *LB-2611-0002*: warga dinyatakan *TIDAK LAYAK*
< DTSEN, dulu DTKS
< Kantor Dinas Sosial Kabupaten Banyuwangi: ` + testContact + `
> sanggah
> 3510091203850001
> ya
> sudah meninggal
> meninggal bulan lalu
> Budi Hartono
> 081234567891
> kirim
< Sanggahan diterima dengan nomor *SG-2611-0001*
@> TOLAK SG-2611-0001 data masih sesuai
< [test:warga-1] Kabar sanggahan *SG-2611-0001*
< Kantor Dinas Sosial Kabupaten Banyuwangi: ` + testContact + `
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := noNIKHarness(t)
			h.transcript(tc.script)
		})
	}
}

// Without LAPOR_CONTACT the office line is left out, not printed empty.
func TestNoContactLeftOut(t *testing.T) {
	h := newHarness(t)
	h.transcript(`
> bantuan
< DTSEN, dulu DTKS
<! Kantor Dinas Sosial Kabupaten Banyuwangi:
> lapor
> diri sendiri
> 3510091203850001
< otomatis tidak diteruskan
<! Kantor Dinas Sosial Kabupaten Banyuwangi:
`)
}

// The button press arrives as its data with the step it was shown at.
func TestNoNIKButton(t *testing.T) {
	h := noNIKHarness(t)
	h.transcript(upToNIK)
	out := render(h.send(Message{Chat: citizenChat, From: storage.Actor{Channel: "test", ID: "warga-1"}, Text: "tanpa nik", Step: stNIK}))
	if !strings.Contains(out, "Mengapa tidak punya NIK/KTP?") {
		t.Fatalf("button press: %s", out)
	}
	// The same button pressed again, now stale, is not taken as an answer to the note.
	out = render(h.send(Message{Chat: citizenChat, From: storage.Actor{Channel: "test", ID: "warga-1"}, Text: "tanpa nik", Step: stNIK}))
	if !strings.Contains(out, "Tombol itu sudah tidak berlaku") {
		t.Fatalf("stale button: %s", out)
	}
}

// A report without NIK spends nothing from the lookup budget: with a budget of one, the Cek
// after it still answers.
func TestNoNIKSpendsNoLookup(t *testing.T) {
	h := noNIKHarness(t)
	h.engine.CheckLimit = 1
	h.transcript(upToNIK + `
> tidak punya nik
> belum rekam e-KTP
` + fromName + `
> kirim
< Laporan diterima
> cek
> 3510091506800004
< tidak terdaftar sebagai penerima
> 3510095507750005
< batas pemeriksaan NIK/nomor laporan dari chat ini (1 kali per jam)
`)
}

// Earlier reports on the same name in the same desa, with or without NIK, are shown to staff as
// possible duplicates; another desa or another name is not.
func TestNoNIKDuplicateHint(t *testing.T) {
	h := noNIKHarness(t)
	report := func(nik, name, desa string) string {
		return `
> lapor
> diri sendiri
> ` + nik + `
` + map[bool]string{true: "> belum rekam e-KTP\n", false: ""}[strings.Contains(nik, "punya")] + `> ` + name + `
> Dusun Krajan RT 02 RW 03
> Genteng
> ` + desa + `
> lansia
> 081234567890
> kirim
< Laporan diterima
`
	}
	h.transcript(report("3510091506800004", "Sumarni", "Kembiritan") + `
@> TOLAK LB-2611-0001 mampu
` + report("tidak punya ktp", "Sumarni", "Genteng Kulon") + `
<! Kemungkinan laporan yang sama
` + report("tidak punya ktp", "SUMARNI.", "Kembiritan") + `
< Kemungkinan laporan yang sama (nama dan desa sama): LB-2611-0001.
` + report("tidak punya ktp", "Sumarni", "Kembiritan") + `
< Kemungkinan laporan yang sama (nama dan desa sama): LB-2611-0003, LB-2611-0001.
` + report("tidak punya ktp", "Sumarni Wati", "Kembiritan") + `
<! Kemungkinan laporan yang sama
@> DETAIL LB-2611-0004
< [test:staf-1] *DETAIL LB-2611-0004*
< Kemungkinan laporan yang sama (nama dan desa sama):
< • LB-2611-0003 SUMARNI. (menunggu verifikasi)
< • LB-2611-0001 Sumarni (tidak layak)
`)
	// The hint is kept on the report, for the dashboard and the export.
	err := h.db.View(context.Background(), func(tx storage.Tx) error {
		r, err := tx.Report("LB-2611-0004")
		if err != nil {
			return err
		}
		if !r.NoNIK || r.NIK != "" || strings.Join(r.PossibleDuplicates, ",") != "LB-2611-0003,LB-2611-0001" {
			t.Errorf("stored: no-NIK %v, NIK %q, duplicates %v", r.NoNIK, r.NIK, r.PossibleDuplicates)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
