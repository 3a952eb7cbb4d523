package flows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// Every dialogue path as a transcript: what the citizen and staff type, what they must read.
func TestTranscripts(t *testing.T) {
	cases := []struct {
		name   string
		script string
	}{
		{"full report for someone else, decided and delivered", `
> halo
< Selamat datang
< 1) Lapor warga butuh bantuan
> 1
< Data yang Anda kirim hanya dipakai Dinas Sosial
< Siapa yang ingin Anda laporkan?
> 2
< dapat dikunjungi petugas
< Ketik NIK (16 angka) warga yang dilaporkan
> 3510 0915.0680-0004
< Ketik nama lengkap
> Sumarni
< Ketik alamat lengkap
> Dusun Krajan RT 02 RW 03
< Pilih kecamatan
< 9) Genteng
> 9
< Pilih desa/kelurahan di Kec. Genteng
> Kembiritan
< Apa alasan utama
> lansia
< Ketik nomor HP
> +62 812-3456-7890
< Ketik nama Anda sebagai pelapor
> Budi Hartono
< Apa hubungan Anda
> tetangga
< Periksa kembali laporan Anda
< NIK: 3510091506800004
< Desa/Kel.: Kembiritan
< Kecamatan: Genteng
< Alasan: Lansia
< No. HP: 6281234567890
< Pelapor: Budi Hartono (tetangga)
> kirim
< Laporan diterima dengan nomor *LB-2611-0001*
< paling lambat 3 jam
< [test:grup-staf] 📋 *LAPORAN BARU LB-2611-0001*
< NIK 351009******0004
< 62812****7890
< [Layak] LAYAK LB-2611-0001
<! 3510091506800004
@> layak lb-2611-0001
< [test:grup-staf] ✅ *LB-2611-0001* dinyatakan LAYAK oleh Bu Rina
< [Sudah disalurkan] SALUR LB-2611-0001
< [test:warga-1] Kabar laporan *LB-2611-0001*: warga dinyatakan *LAYAK*
@2> /LAYAK LB-2611-0001
< sudah diputuskan oleh Bu Rina
<! [test:warga-1]
@> SALUR LB 2611 0001
< SUDAH DISALURKAN oleh Bu Rina
< [test:warga-1] Kabar laporan *LB-2611-0001*: paket sembako *SUDAH DISALURKAN*
@> SALUR LB-2611-0001
< sudah diputuskan oleh Bu Rina
`},
		{"self report, rejected by staff with a reason", `
> lapor
> diri sendiri
< Ketik NIK (16 angka) Anda
> ٣٥١٠٠٩٥٥٠٧٧٥٠٠٠٥
< Ketik nama lengkap
> Ratna Sari
> Jl. Melati No. 4 RT 01 RW 01
> genteng
> 1
< Apa alasan utama
> 5
< Ceritakan singkat
> Suami sakit menahun, tidak bisa bekerja
> 081234567890
< Periksa kembali
<! Pelapor:
> 1
< LB-2611-0001
@> TOLAK LB-2611-0001
< Alasan wajib diisi
< [Mampu secara ekonomi] TOLAK LB-2611-0001 Mampu secara ekonomi
<! [test:warga-1]
@> tolak LB-2611-0001 Mampu secara ekonomi
< dinyatakan TIDAK LAYAK oleh Bu Rina
< [test:warga-1] Kabar laporan *LB-2611-0001*: warga dinyatakan *TIDAK LAYAK*. Kategori alasan: Mampu secara ekonomi.
@> layak LB-2611-0001
< sudah diputuskan oleh Bu Rina
@> salur LB-2611-0001
< LB-2611-0001 berstatus tidak layak; perintah SALUR tidak berlaku
`},
		{"registry hit is rejected at once and recorded", `
> 1
> 1
> 3510091203850001
< NIK 351009******0001 sudah terdaftar sebagai penerima bantuan
< • PKH, periode 2026 Tahap 3
< • BPNT, periode 2026 Tahap 3
< otomatis tidak diteruskan (nomor LB-2611-0001)
< Silakan pilih layanan
<! Siti
<! [test:grup-staf]
> 3510091203850001
< terdaftar sebagai penerima
< LB-2611-0001: ditolak otomatis
`},
		{"duplicate open report shows the existing one", `
> 1
> 1
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> Genteng
> Kembiritan
> 2
> 081234567890
> kirim
< LB-2611-0001
> 1
> 2
> 3510091506800004
< sudah dilaporkan dengan nomor *LB-2611-0001* (menunggu verifikasi
< Silakan pilih layanan
`},
		{"NIK problems are explained and the step repeats", `
> 1
> 1
> 12345
< yang Anda ketik baru 5 angka
< Periksa kembali KTP
> 35100915068000041234
< yang Anda ketik 20 angka
> 3510O91506800004
< Maksudnya NIK 3510091506800004?
> 2
< silakan ketik ulang NIK
> 3510X91506800004
< hanya boleh berisi angka (ada tanda "X")
> 9910091506800004
< (99) bukan kode provinsi
> 3510093206800004
< tanggal lahir) tidak sah
> 3510091513800004
< bulan lahir) harus 01–12
> 3510091506800000
< tidak boleh 0000
> 😀😀😀
< hanya boleh berisi angka
> ３５１００９１５０６８００００４
< Ketik nama lengkap
`},
		{"NIK issued outside the area is accepted with a note to staff", `
> 1
> 1
> 3201011506800006
< Ketik nama lengkap
> Asep Sunarya
> Dusun Krajan RT 01 RW 01
> Genteng
> Kembiritan
> 1
> 081234567890
> kirim
< LB-2611-0001
< NIK terbit di luar wilayah layanan: Kec. Cibinong
`},
		{"bad input at every kind of step", `
>[sticker]
< bukan stiker
< Silakan pilih layanan
> 
< Pesan Anda kosong
> 7
< pilihan tidak dikenali
> 1
>[photo]
< bukan foto
< Siapa yang ingin Anda laporkan?
> 3
< Ketik angka 1–2
> 1
> 3510091506800004
> Bud1 😀
< Nama hanya boleh berisi huruf
> ` + strings.Repeat("a", 101) + `
< maksimal 100 karakter
> ` + strings.Repeat("x", 5000) + `
< Pesan terlalu panjang (maksimal 1000 karakter)
< Ketik nama lengkap
> Budi
> RT1
< Terlalu pendek
> Dusun Krajan RT 01 RW 01
> Kecamatan Atlantis
< Kecamatan "Kecamatan Atlantis" tidak ditemukan di Kabupaten Banyuwangi
<! Pesanggaran
<! hanya untuk warga
> kec. genteng
< Pilih desa/kelurahan di Kec. Genteng
> Desa Antah
< tidak ditemukan di Kec. Genteng
> desa kembiritan
< Apa alasan utama
>[voice]
< bukan pesan suara
< Apa alasan utama
> 1
> 12345
< Nomor HP tidak sah
>[location]
< bukan lokasi
> 0812 3456 7890
< Periksa kembali
> mungkin
< Ketik angka 1–3
`},
		{"kembali at every step walks back to the menu", `
> 1
> 2
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> 9
> 1
> 5
> Tidak punya pekerjaan tetap
> 081234567890
> Budi
> tetangga
< Periksa kembali
> kembali
< Apa hubungan Anda
> kembali
< Ketik nama Anda sebagai pelapor
> kembali
< Ketik nomor HP
> kembali
< Ceritakan singkat
> kembali
< Apa alasan utama
> kembali
< Pilih desa/kelurahan
> kembali
< Pilih kecamatan
> kembali
< Ketik alamat lengkap
> kembali
< Ketik nama lengkap
> kembali
< Ketik NIK
> kembali
< Siapa yang ingin
> kembali
< Silakan pilih layanan
> kembali
< Silakan pilih layanan
`},
		{"ubah changes a field and returns to the summary", `
> 1
> 1
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> 9
> 1
> 1
> 081234567890
< Periksa kembali
> ubah
< Bagian mana yang ingin diubah?
<! Nama pelapor
> nama
< Ketik nama lengkap
> Sumarni Wati
< Periksa kembali
< Nama: Sumarni Wati
> 2
> kecamatan
< Pilih kecamatan
> Glenmore
< Pilih desa/kelurahan di Kec. Glenmore
> 1
< Periksa kembali
< Kecamatan: Glenmore
> ubah
> alasan
> lainnya
< Ceritakan singkat
> Rumah rusak kena banjir
< Alasan: Lainnya: Rumah rusak kena banjir
> ubah
> nik
> 3510091203850001
< sudah terdaftar sebagai penerima bantuan
`},
		{"batal and menu and bantuan from the middle", `
> 1
> 1
> bantuan
< Bantuan Lapor Bansos
< Ketik NIK
> BATAL
< Baik, dibatalkan
< Silakan pilih layanan
> 1
> 1
> /start
< Silakan pilih layanan
> privasi
< Data yang Anda kirim hanya dipakai
> 4
< Bantuan Lapor Bansos
`},
		{"idle dialogue expires with a note", `
> 1
> 1
> 3510091506800004
~ 2h1m
> Sumarni
< Sesi Anda terhenti karena tidak ada balasan lebih dari 2 jam
< ketik LANJUT
< Silakan pilih layanan
> 1
< Siapa yang ingin
`},
		{"restart mid-dialogue resumes exactly there", `
> 1
> 2
> 3510091506800004
> Sumarni
restart
> Dusun Krajan RT 02 RW 03
< Pilih kecamatan
> 9
restart
> Kembiritan
< Apa alasan utama
`},
		{"cek by NIK and by number, no name for a NIK the chat did not report, never an address", `
> 2
< Ketik NIK (16 angka) atau nomor laporan
> 3510091203850001
< NIK 351009******0001 terdaftar sebagai penerima
< • PKH, periode 2026 Tahap 3: Sudah Salur
< • BPNT, periode 2026 Tahap 3: Belum Salur
< Belum ada laporan untuk NIK ini
<! Siti
> 3510091506800004
< tidak terdaftar sebagai penerima bantuan
> LB-2611-9999
< tidak ditemukan
> halo 123 apa kabar
< bukan NIK atau nomor laporan
> menu
> 3510014505900003
<! B**i S*****o
< BLT Desa
`},
		{"sanggah from objection to decision", `
> 3
< Ketik NIK (16 angka) penerima bantuan
> 3510091506800004
< tidak terdaftar sebagai penerima bantuan, jadi tidak bisa disanggah
> 3510091203850001
< S**i W*****i
< Benar ini orangnya?
> bukan
< Periksa kembali NIK-nya
< Ketik NIK (16 angka) penerima
> 3510091203850001
> ya
< Apa alasan sanggahan
> 2
< Jelaskan singkat
> Meninggal bulan Agustus 2026
< Ketik nama Anda sebagai penyanggah
> Joko Susilo
> 0813 1111 2222
< Periksa kembali sanggahan
< Alasan: Meninggal dunia — Meninggal bulan Agustus 2026
> kirim
< Sanggahan diterima dengan nomor *SG-2611-0001*
< [test:grup-staf] ⚠️ *SANGGAHAN BARU SG-2611-0001*
< Penerima: Siti Wahyuni
< [Terima] TERIMA SG-2611-0001
> 3
> 3510091203850001
< Sudah ada sanggahan untuk NIK ini (nomor *SG-2611-0001*
@> LAYAK SG-2611-0001
< perintah LAYAK tidak berlaku
@> terima SG-2611-0001
< sanggahan DITERIMA oleh Bu Rina
< [test:warga-1] Kabar sanggahan *SG-2611-0001*: sanggahan *DITERIMA*
`},
		{"staff queries and unauthorised attempts", `
> 1
> 1
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> 9
> 1
> 1
> 081234567890
> kirim
!> LAYAK LB-2611-0001
< Anda tidak berwenang
<! [test:warga-1]
!> PENDING
< Anda tidak berwenang
@> pending
< Menunggu keputusan (1)
< LB-2611-0001 Sumarni, Genteng
@> DETAIL LB-2611-0001
< [test:staf-1] *DETAIL LB-2611-0001*
< NIK: 3510091506800004
< No. HP: 6281234567890
< lahir 15/06/1980 (umur 46 tahun), laki-laki
< dikirim ke chat pribadi Anda
@> CARI 3510091506800004
< LB-2611-0001
@> statistik
< Laporan: 1
< menunggu 1
@> LAYAK LB-2611-0999
< Nomor LB-2611-0999 tidak ditemukan
@> LAYAK
< Sertakan nomor laporan
@> SALUR LB-2611-0001
< perintah SALUR tidak berlaku
@> selamat pagi semua
<0
@> /apaini
< Perintah tidak dikenali
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			newHarness(t).transcript(tc.script)
		})
	}
}

func TestCheckRateLimit(t *testing.T) {
	h := newHarness(t)
	h.engine.CheckLimit = 3
	h.transcript(`
> 2
> 3510091506800004
< tidak terdaftar
> 3510091203850001
< terdaftar
> 3510014505900003
< terdaftar
> 3510091506800004
< batas pemeriksaan NIK/nomor laporan dari chat ini (3 kali per jam)
< setelah pukul 11:00 WIB
> bukan nik 12
< bukan NIK atau nomor laporan
~ 1h1s
> 3510091506800004
< tidak terdaftar
`)
}

func TestStaleButtonIsRefused(t *testing.T) {
	h := newHarness(t)
	h.citizen("1")
	out := h.send(Message{Chat: citizenChat, Text: "diri", Step: stMenu})
	if !strings.Contains(render(out), "Tombol itu sudah tidak berlaku") || !strings.Contains(render(out), "Siapa yang ingin") {
		t.Fatalf("stale press: %s", render(out))
	}
	out = h.send(Message{Chat: citizenChat, Text: "diri", Step: stWho})
	if !strings.Contains(render(out), "Ketik NIK") {
		t.Fatalf("current press: %s", render(out))
	}
}

func TestRepliesAreQueuedWithTheReport(t *testing.T) {
	h := newHarness(t)
	for _, in := range []string{"1", "1", nikFree, "Sumarni", "Dusun Krajan RT 02 RW 03", "9", "1", "1", "081234567890", "kirim"} {
		h.citizen(in)
	}
	pending, err := h.db.Pending(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var accepted, staff bool
	for _, o := range pending {
		r, err := DecodeReply(o.Payload)
		if err != nil {
			t.Fatal(err)
		}
		accepted = accepted || (o.To == citizenChat && strings.Contains(r.Text, "LB-2611-0001"))
		staff = staff || (o.To == staffChat && r.Event == EventStaffNew && len(r.Actions) == 3)
	}
	if !accepted || !staff {
		t.Fatalf("queue must hold the citizen's number and the staff notice: accepted=%v staff=%v", accepted, staff)
	}
	r, err := h.db.Report(context.Background(), "LB-2611-0001")
	if err != nil || r.Status != storage.StatusSubmitted || r.From != citizenChat {
		t.Fatalf("report: %+v, %v", r, err)
	}
}

func TestRemindBatchesOverdueWork(t *testing.T) {
	h := newHarness(t)
	for _, nik := range []string{nikFree, nikFree2} {
		for _, in := range []string{"menu", "1", "1", nik, "Sumarni", "Dusun Krajan RT 02 RW 03", "9", "1", "1", "081234567890", "kirim"} {
			h.citizen(in)
		}
	}
	ctx := context.Background()
	if out, err := h.engine.Remind(ctx, time.Hour); err != nil || len(out) != 0 {
		t.Fatalf("nothing overdue yet: %v %v", render(out), err)
	}
	h.staff("LAYAK LB-2611-0002")
	h.advance(3*time.Hour + time.Minute)
	out, err := h.engine.Remind(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || !strings.Contains(out[0].Text, "Belum diputuskan melewati 3 jam (1)") || !strings.Contains(out[0].Text, "LB-2611-0001") {
		t.Fatalf("one batched reminder per staff chat: %s", render(out))
	}
	if out, _ := h.engine.Remind(ctx, time.Hour); len(out) != 0 {
		t.Fatalf("at most one reminder per interval: %s", render(out))
	}
	h.advance(10 * time.Hour)
	out, _ = h.engine.Remind(ctx, time.Hour)
	if len(out) != 1 || !strings.Contains(out[0].Text, "Layak tapi belum disalurkan melewati 12 jam (1)") {
		t.Fatalf("delivery overdue: %s", render(out))
	}
}

func TestRedeliveredMessageHandledOnce(t *testing.T) {
	h := newHarness(t)
	m := Message{Chat: citizenChat, Text: "1", ID: "test:warga-1/ABC"}
	if out := h.send(m); len(out) == 0 {
		t.Fatal("first delivery must be answered")
	}
	if out := h.send(m); len(out) != 0 {
		t.Fatalf("a redelivered message must be ignored, got %s", render(out))
	}
	// The first delivery moved the dialogue on exactly one step.
	if out := render(h.citizen("1")); !strings.Contains(out, "Ketik NIK (16 angka) Anda") {
		t.Fatalf("dialogue advanced twice or not at all: %s", out)
	}
	h.advance(8 * 24 * time.Hour)
	if n, err := h.engine.PruneSeen(context.Background(), h.clock().Add(-7*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("PruneSeen = %d, %v", n, err)
	}
}

func TestRegistryOutageAsksToRetry(t *testing.T) {
	h := newHarness(t)
	h.transcript(`
> 1
> 1
`)
	if err := h.reg.Close(); err != nil {
		t.Fatal(err)
	}
	h.transcript(`
> 3510091506800004
< pemeriksaan data sedang gangguan
< Ketik NIK (16 angka) Anda
`)
	if err := h.reg.Open(); err != nil {
		t.Fatal(err)
	}
	h.transcript(`
> 3510091506800004
< Ketik nama lengkap
`)
}
