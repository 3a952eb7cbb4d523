package flows

import (
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// fileSelfReport is a quick self report of nikFree, which becomes LB-2611-0001.
const fileSelfReport = `
> lapor
> 1
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> 9
> 1
> 1
> 081234567890
> kirim
< nomor *LB-2611-0001*
`

// fileSecondReport reports nikFree2 for a neighbour; it becomes LB-2611-0002.
const fileSecondReport = `
> lapor
> 2
> 3510095507750005
> Ratna Sari
> Dusun Krajan RT 02 RW 03
> 9
> 1
> 1
> 081234567890
> Budi
> tetangga
> kirim
< nomor *LB-2611-0002*
`

func TestReportNumberGrammar(t *testing.T) {
	cases := []struct {
		name   string
		script string
	}{
		{"citizen Cek and the menu read every way of writing a number", fileSelfReport + `
> cek
> lb 2611 1
< LB-2611-0001: menunggu verifikasi
> *LB-2611-0001*
< LB-2611-0001: menunggu verifikasi
> nomor saya LB-2611-0001
< LB-2611-0001: menunggu verifikasi
> menu
> lb 2611 1
< LB-2611-0001: menunggu verifikasi
> menu
> nomor saya LB-2611-0001
< LB-2611-0001: menunggu verifikasi
> menu
> LB.2611.0001
< LB-2611-0001: menunggu verifikasi
`},
		{"every staff command takes lb 2611 1", fileSelfReport + fileSecondReport + `
@> CARI lb 2611 1
< LB-2611-0001 Sumarni
@> DETAIL lb 2611 1
< Data lengkap LB-2611-0001 dikirim
@> LAYAK lb 2611 1
< *LB-2611-0001* dinyatakan LAYAK oleh Bu Rina
@> SALUR lb 2611 1
< *LB-2611-0001* SUDAH DISALURKAN oleh Bu Rina
@> TOLAK lb 2611 2 mampu secara ekonomi
< *LB-2611-0002* dinyatakan TIDAK LAYAK
< Alasan: mampu secara ekonomi
@> TOLAK *LB-2611-0002*
< sudah diputuskan oleh Bu Rina
@> CARI LB-2611-0002
< LB-2611-0002 Ratna Sari
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			newHarness(t).transcript(tc.script)
		})
	}
}

func TestParseReportNumber(t *testing.T) {
	cases := []struct {
		in, id, rest string
		ok           bool
	}{
		{"lb 2611 1", "LB-2611-0001", "", true},
		{"LB-2611-0001", "LB-2611-0001", "", true},
		{"*LB-2611-0001*", "LB-2611-0001", "", true},
		{"nomor saya LB-2611-0001", "LB-2611-0001", "", true},
		{"sg-2611-12 orangnya pindah", "SG-2611-0012", "orangnya pindah", true},
		{"LB-2611-0042 ", "LB-2611-0042", "", true},
		{"3510091506800004", "", "", false},
		{"blb 2611 1", "", "", false},
		{"LB-2611-0000", "", "", false},
		{"lapor", "", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			id, rest, ok := ParseReportNumber(tc.in)
			if id != tc.id || rest != tc.rest || ok != tc.ok {
				t.Fatalf("ParseReportNumber(%q) = %q, %q, %v; want %q, %q, %v", tc.in, id, rest, ok, tc.id, tc.rest, tc.ok)
			}
		})
	}
}

// A session stored by the build before the typed draft resumes where it was.
func TestOldStoredSessionResumes(t *testing.T) {
	h := newHarness(t)
	old := &storage.Session{Flow: "lapor", State: stPhone, Back: []string{stMenu, stWho},
		Data: map[string]string{"who": "diri", "nik": nikFree, "name": "Sumarni", "address": "Dusun Krajan RT 02 RW 03",
			"kec_code": "35.10.09", "kec": "Genteng", "desa": "Kembiritan", "reason": "lansia", "future_key": "kept"}}
	if err := h.db.Update(t.Context(), func(tx storage.Tx) error { return tx.PutSession(citizenChat, old) }); err != nil {
		t.Fatal(err)
	}
	h.transcript(`
> 081234567890
< Periksa kembali laporan Anda
< Nama: Sumarni
< Desa/Kel.: Kembiritan
< Alasan: Lansia
> kirim
< nomor *LB-2611-0001*
`)
}

func TestNaturalWords(t *testing.T) {
	cases := []struct {
		name   string
		script string
	}{
		{"a neighbour's report in everyday words", `
> saya butuh bantuan
< Siapa yang ingin Anda laporkan?
> untuk ibu saya
< dapat dikunjungi petugas
< Ketik NIK (16 angka) warga yang dilaporkan
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> Genteng
> Kembiritan
> sudah tua
< Ketik nomor HP
> 081234567890
> Budi Hartono
> tetangga
< Alasan: Lansia
> ya
< nomor *LB-2611-0001*
`},
		{"self report: saya, di PHK, kirim laporan", `
> lapor bansos
> saya sendiri
< Ketik NIK (16 angka) Anda
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> 9
> 1
> di PHK pabrik
< Ketik nomor HP
> 081234567890
< Alasan: Kehilangan pekerjaan (PHK)
> kirim laporan
< nomor *LB-2611-0001*
`},
		{"reasons that fit a category, and one that does not", `
> daftar
> saya
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> 9
> 1
> 7
< Maaf, jawaban tidak sesuai pilihan
> tukang becak
> 081234567890
< Alasan: Pekerja harian/informal
> ubah
> alasan
> lumpuh sejak 2020
< Alasan: Penyandang disabilitas
> ubah
> alasan
> difabel
< Alasan: Penyandang disabilitas
> ubah
> alasan
> jualan gorengan keliling
< Alasan: Lainnya: jualan gorengan keliling
> sudah
< nomor *LB-2611-0001*
`},
		{"menu by words and number words", `
> halo
> cek bansos
< Ketik NIK (16 angka) atau nomor laporan
> menu
> satu
< Siapa yang ingin Anda laporkan?
> menu
> cek laporan saya
< Ketik NIK (16 angka) atau nomor laporan
`},
		{"sanggah yes/no in words", `
> sanggah
> 3510091203850001
< Benar ini orangnya?
> iya
< Apa alasan sanggahan Anda?
> sudah meninggal
< Jelaskan singkat
`},
		{"sanggah: tidak means the wrong person", `
> sanggah
> 3510091203850001
> tidak
< Periksa kembali NIK-nya
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			newHarness(t).transcript(tc.script)
		})
	}
}

// upToKecamatan is a self report up to the kecamatan question.
const upToKecamatan = `
> lapor
> 1
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
< Pilih kecamatan
`

func TestPlacesForgiveTypos(t *testing.T) {
	cases := []struct {
		name   string
		script string
	}{
		{"a typo in the kecamatan gets a suggestion, not the list again", upToKecamatan + `
> gentng
< "gentng" tidak ditemukan. Maksud Anda Genteng?
<! Pesanggaran
<! hanya untuk warga
> 1
< Pilih desa/kelurahan di Kec. Genteng
> kembritan
< Maksud Anda Kembiritan?
> ya
< Apa alasan utama
`},
		{"a typo pressed as a button", upToKecamatan + `
> kec gentng
< Maksud Anda Genteng?
> 35.10.09
< Pilih desa/kelurahan di Kec. Genteng
`},
		{"a desa at the kecamatan step fills both", upToKecamatan + `
> ds. Kembiritan
< Apa alasan utama
> 1
> 081234567890
< Kecamatan: Genteng
< Desa/Kel.: Kembiritan
`},
		{"a misspelt desa at the kecamatan step", upToKecamatan + `
> kembritan
< Maksud Anda Kembiritan (Kec. Genteng)?
> 1
< Apa alasan utama
`},
		{"a desa of another kecamatan says where it is", upToKecamatan + `
> kel. Genteng Kulon
< Apa alasan utama
> kembali
< Pilih kecamatan
> Rogojampi
< Pilih desa/kelurahan di Kec. Rogojampi
> Kembiritan
< Desa/kelurahan Kembiritan ada di Kec. Genteng, bukan Kec. Rogojampi.
> 1
< Apa alasan utama
> 1
> 081234567890
< Kecamatan: Genteng
< Desa/Kel.: Kembiritan
`},
		{"nothing close: one short note, no list", upToKecamatan + `
> Jakarta Selatan
< tidak ditemukan di Kabupaten Banyuwangi
<! Pesanggaran
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			newHarness(t).transcript(tc.script)
		})
	}
}

func TestNIKAsTyped(t *testing.T) {
	start := `
> lapor
> 1
< Ketik NIK (16 angka) Anda, sesuai KTP.
<! KK
`
	cases := []struct {
		name   string
		script string
	}{
		{"NIK: label", start + `
> NIK: 3510 0915 0680 0004
< Ketik nama lengkap
`},
		{"nik label in lower case", start + `
> nik 3510091506800004
< Ketik nama lengkap
`},
		{"NIK followed by the name", start + `
> 3510091506800004 Sumarni
< Ketik nama lengkap
`},
		{"letter O read as zero, after asking", start + `
> 351OO915O68OOOO4
< Maksudnya NIK 3510091506800004?
> ya
< Ketik nama lengkap
`},
		{"letters I and l read as one", start + `
> 35lO09I5O68OOOO4
< Maksudnya NIK 3510091506800004?
> 1
< Ketik nama lengkap
`},
		{"a child's NIK (or a KK number) gets a gentle question, staff see the age", start + `
> 3510091506150003
< pemiliknya baru berumur 11 tahun
< nomor KK
> tidak
< silakan ketik ulang NIK
> 3510091506150003
< berumur 11 tahun
> ya, NIK ini benar
< Ketik nama lengkap
> Andi
> Dusun Krajan RT 02 RW 03
> Genteng
> Kembiritan
> 1
> 081234567890
> kirim
< umur 11 tahun (anak, atau nomor KK?)
@> DETAIL LB-2611-0001
< lahir 15/06/2015 (umur 11 tahun)
`},
		{"an adult's age is shown to staff", start + `
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> Genteng
> Kembiritan
> 1
> 081234567890
> kirim
< NIK 351009******0004 · umur 46 tahun
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			newHarness(t).transcript(tc.script)
		})
	}
}

// The export and DETAIL speak words, not codes.
func TestNoCodesInStaffText(t *testing.T) {
	h := newHarness(t)
	h.transcript(`
> lapor
> 1
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> Genteng
> Kembiritan
> jualan gorengan keliling
> 081234567890
> kirim
@> DETAIL lb 2611 1
< menunggu verifikasi oleh warga (lewat chat)
<! citizen
`)
	var csv string
	for _, r := range h.staff("EKSPOR") {
		if r.Document != nil {
			csv = string(r.Document.Data)
		}
	}
	for _, want := range []string{";laporan;menunggu verifikasi;", ";Lainnya;jualan gorengan keliling;"} {
		if !strings.Contains(csv, want) {
			t.Errorf("export lacks %q:\n%s", want, csv)
		}
	}
	for _, code := range []string{";report;", ";submitted;", ";lainnya;", "citizen"} {
		if strings.Contains(csv, code) {
			t.Errorf("export shows the code %q:\n%s", code, csv)
		}
	}
}

func TestPhoneAsTyped(t *testing.T) {
	other := `
> lapor
> 2
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> Genteng
> Kembiritan
> lansia
< Ketik nomor HP warga yang dilaporkan
< TIDAK PUNYA HP
`
	self := `
> lapor
> 1
> 3510091506800004
> Sumarni
> Dusun Krajan RT 02 RW 03
> Genteng
> Kembiritan
> lansia
< Ketik nomor HP Anda
`
	cases := []struct {
		name   string
		script string
	}{
		{"without the leading 0", self + `
> 812 3456 7890
< No. HP: 6281234567890
`},
		{"a neighbour without a phone", other + `
> tidak punya HP
< Ketik nama Anda sebagai pelapor
> Budi
> tetangga
< No. HP: tidak punya HP
> kirim
< nomor *LB-2611-0001*
< [test:grup-staf] 📋 *LAPORAN BARU LB-2611-0001*
< No. HP: tidak punya HP
`},
		{"tidak ada for a neighbour", other + `
> tidak ada
< Ketik nama Anda sebagai pelapor
`},
		{"one's own number is needed", self + `
> tidak punya HP
< Nomor HP Anda diperlukan
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			newHarness(t).transcript(tc.script)
		})
	}
}

// Reminders come every LAPOR_REMINDER_EVERY, however short, say how late each report is and
// carry the decision buttons.
func TestRemindEveryMinuteSaysHowLate(t *testing.T) {
	h := newHarness(t)
	h.transcript(fileSelfReport)
	ctx := t.Context()
	h.advance(3*time.Hour + 20*time.Minute)
	out, err := h.engine.Remind(ctx, time.Minute)
	if err != nil || len(out) != 1 {
		t.Fatalf("first reminder: %v %s", err, render(out))
	}
	if !strings.Contains(out[0].Text, "LB-2611-0001 Sumarni, Genteng — terlambat 20 menit") {
		t.Errorf("lateness missing: %s", out[0].Text)
	}
	want := map[string]bool{"LAYAK LB-2611-0001": false, "TOLAK LB-2611-0001": false}
	for _, a := range out[0].Actions {
		if _, ok := want[a.Data]; ok {
			want[a.Data] = true
		}
	}
	for data, seen := range want {
		if !seen {
			t.Errorf("no %q button: %s", data, render(out))
		}
	}
	// A tick that comes a little early (timer jitter) still sends the next one.
	h.advance(time.Minute - time.Second)
	if out, _ := h.engine.Remind(ctx, time.Minute); len(out) != 1 || !strings.Contains(out[0].Text, "terlambat 20 menit") {
		t.Fatalf("second reminder a minute later: %s", render(out))
	}
	h.advance(20 * time.Second)
	if out, _ := h.engine.Remind(ctx, time.Minute); len(out) != 0 {
		t.Fatalf("twice within a minute: %s", render(out))
	}
	h.advance(2*time.Hour + 40*time.Second)
	if out, _ := h.engine.Remind(ctx, time.Minute); len(out) != 1 || !strings.Contains(out[0].Text, "terlambat 2 jam 21 menit") {
		t.Fatalf("later: %s", render(out))
	}
}

func TestIdleWarningAndResume(t *testing.T) {
	h := newHarness(t)
	h.transcript(`
> lapor
> 1
> 3510091506800004
< Ketik nama lengkap
`)
	ctx := t.Context()
	ttl := h.engine.SessionTTL
	h.advance(ttl - warnLead(ttl) - time.Minute)
	if out, _ := h.engine.WarnIdle(ctx); len(out) != 0 {
		t.Fatalf("warned too early: %s", render(out))
	}
	h.advance(2 * time.Minute)
	out, err := h.engine.WarnIdle(ctx)
	if err != nil || len(out) != 1 || !strings.Contains(out[0].Text, "Ketik apa saja untuk melanjutkan") {
		t.Fatalf("warning: %v %s", err, render(out))
	}
	if out, _ := h.engine.WarnIdle(ctx); len(out) != 0 {
		t.Fatalf("warned twice: %s", render(out))
	}
	h.transcript(`
~ 20m
> Sumarni
< Sesi Anda terhenti
< ketik LANJUT
> lanjut
< kita lanjutkan
< Ketik nama lengkap
> Sumarni
< Ketik alamat lengkap
> menu
< Isian Anda belum dikirim
> tidak
< Ketik alamat lengkap
> menu
> ya, ke menu
< dibatalkan
< Silakan pilih layanan
> lanjut
<! kita lanjutkan
`)
}

func TestResumeOnlyWithinTTL(t *testing.T) {
	newHarness(t).transcript(`
> lapor
> 1
> 3510091506800004
~ 3h
> Sumarni
< Sesi Anda terhenti
~ 3h
> lanjut
< Tidak ada isian yang bisa dilanjutkan
`)
}

// The engine says what a staff command did, so a channel need not read the report around it.
func TestStaffOutcome(t *testing.T) {
	h := newHarness(t)
	h.transcript(fileSelfReport)
	ctx := t.Context()
	staff := func(from storage.Actor, text string) Outcome {
		t.Helper()
		o, err := h.engine.HandleOutcome(ctx, Message{Chat: staffChat, From: from, Text: text, StaffChat: true, Authorized: true, Private: staffDM})
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	cases := []struct {
		name  string
		from  storage.Actor
		text  string
		check func(o Outcome) bool
	}{
		{"reason needed", staffActor, "TOLAK lb 2611 1", func(o Outcome) bool {
			return o.NeedsReason && o.Report == "LB-2611-0001" && o.Decided == nil && o.Command == "TOLAK"
		}},
		{"not found", staffActor, "LAYAK LB-2611-0999", func(o Outcome) bool { return o.NotFound && o.Decided == nil }},
		{"decided", staffActor, "LAYAK lb 2611 1", func(o Outcome) bool {
			return o.Decided != nil && o.Decided.To == storage.StatusEligible && o.Decided.By.ID == staffActor.ID && o.Already == nil
		}},
		{"already decided", staffActor2, "TOLAK LB-2611-0001 mampu", func(o Outcome) bool {
			return o.Decided == nil && o.Already != nil && o.Already.By.ID == staffActor.ID
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if o := staff(tc.from, tc.text); !tc.check(o) {
				t.Fatalf("outcome %+v\n%s", o, render(o.Replies))
			}
		})
	}
}

// Before any registry is imported nobody is "not a recipient": Cek, Lapor and CARI say the
// data cannot be checked, and staff are told.
func TestRegistryNotLoaded(t *testing.T) {
	h := newHarness(t)
	empty := &registry.Registry{Dir: t.TempDir(), Log: zerolog.Nop()}
	if err := empty.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { empty.Close() })
	h.engine.Registry = GuardRegistry(empty)
	h.transcript(`
> 3510091506800004
< gangguan
<! tidak terdaftar
@> CARI 3510091506800004
< belum bisa diperiksa
<! tidak terdaftar
`)
	if err := h.engine.WarnRegistryNotLoaded(t.Context()); err != nil {
		t.Fatal(err)
	}
	var queued string
	if err := h.db.View(t.Context(), func(tx storage.Tx) error {
		ms, err := tx.Pending(1000)
		for _, m := range ms {
			queued += string(m.Payload)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(queued, "registry) belum dimuat") {
		t.Fatalf("staff not warned: %s", queued)
	}
}
