package flows

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// jpeg is the start of a real JPEG file: what a phone sends, as far as the store cares.
var jpeg = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{0x42}, 2000)...)

// withPhotos has the engine take evidence photos, as main does. It returns the bbolt store's
// photo directory, "" on PostgreSQL (the photos are in the database).
func withPhotos(h *harness) string {
	h.photos, h.engine.Photos = true, true
	if h.file == nil {
		return ""
	}
	return h.file.PhotoDir
}

// photo reads a stored photo back as a channel does.
func (h *harness) photo(name string) ([]byte, error) {
	return ReadPhoto(context.Background(), h.db, &PhotoRef{Name: name})
}

// pgScript runs a transcript with evidence lines on top of harness.transcript's:
//
//	>{photo}      the citizen sends a photo (a small JPEG)
//	>{photo 40MB} the citizen sends a photo the platform declared as 40 MB (not downloaded)
//	>{location}   the citizen shares a location
func pgScript(h *harness, script string) {
	h.t.Helper()
	var chunk []string
	var last, lastIn string
	flush := func() {
		if len(chunk) > 0 {
			h.transcript(strings.Join(chunk, "\n"))
			chunk = nil
		}
	}
	from := storage.Actor{Channel: "test", ID: "warga-1"}
	for n, raw := range strings.Split(script, "\n") {
		line := strings.TrimSpace(raw)
		switch {
		case strings.HasPrefix(line, ">{"):
			flush()
			lastIn = line
			m := Message{Chat: citizenChat, From: from}
			switch strings.TrimSuffix(strings.TrimPrefix(line, ">{"), "}") {
			case "photo":
				m.NonText, m.Photo = "photo", &Photo{Data: jpeg, Ext: "jpg"}
			case "photo 40MB":
				m.NonText, m.Photo = "photo", &Photo{TooBig: true, Ext: "jpg"}
			case "location":
				m.NonText, m.Location = "location", &Location{Lat: -8.2192, Lon: 114.3691}
			default:
				h.t.Fatalf("line %d: bad evidence line %q", n+1, line)
			}
			last = render(h.send(m))
		case last != "" && (strings.HasPrefix(line, "< ") || strings.HasPrefix(line, "<! ")):
			frag := strings.TrimPrefix(strings.TrimPrefix(line, "<! "), "< ")
			if strings.HasPrefix(line, "< ") != strings.Contains(last, frag) {
				h.t.Fatalf("line %d: after %q: %q, replies:\n%s", n+1, lastIn, line, last)
			}
		default:
			last = ""
			chunk = append(chunk, raw)
		}
	}
	flush()
}

const pgFiled = `
> halo
< 5) Pengaduan penyimpangan bansos
> pengaduan
< Jenis penyimpangan apa
< 3) Pungutan liar
> pungutan liar
< Di kecamatan mana kejadiannya?
> Genteng
< Pilih desa/kelurahan di Kec. Genteng
> Kembiritan
< Kapan kejadiannya?
> minggu lalu, Senin pagi
< Siapa yang terlibat?
> petugas pendamping
< Ceritakan apa yang terjadi
> Saat pengambilan BPNT warga diminta membayar dua puluh ribu rupiah per orang
< ingin melapor tanpa nama
`

func TestPengaduanTranscripts(t *testing.T) {
	cases := []struct {
		name   string
		photos bool
		script string
	}{
		{"anonymous pengaduan with two photos and a location, followed up and closed", true, pgFiled + `
> 1
< Periksa pengaduan Anda
< Jenis: Pungutan liar
< Tempat: Desa Kembiritan, Kec. Genteng
< Pihak terlibat: petugas pendamping
< Pelapor: anonim
> kirim
< Pengaduan diterima dengan nomor *PG-2611-0001*
< [test:grup-staf] 🚩 *PENGADUAN BARU PG-2611-0001*
< Pelapor: ANONIM
< TINDAKLANJUT PG-2611-0001
< kirim foto (paling banyak 3, maks. 10 MB per foto)
>{photo}
< Foto 1 dari 3 tersimpan untuk PG-2611-0001
< [test:grup-staf] 📷 Foto 1 untuk PG-2611-0001
>{location}
< Lokasi tersimpan
< [test:grup-staf] 📍 Lokasi untuk PG-2611-0001: https://maps.google.com/?q=-8.219200,114.369100
>{photo}
< Foto 2 dari 3
> selesai
< PG-2611-0001 sudah lengkap
< Silakan pilih layanan
@> TINDAKLANJUT PG-2611-0001
< Catatan untuk warga wajib diisi
@> TINDAKLANJUT PG-2611-0001 pendamping dipanggil Senin
< [test:grup-staf] ✅ *PG-2611-0001* DITINDAKLANJUTI oleh Bu Rina
< [test:warga-1] Kabar pengaduan *PG-2611-0001*: sedang *DITINDAKLANJUTI* petugas.
< Catatan: pendamping dipanggil Senin
@> LAYAK PG-2611-0001
< perintah LAYAK tidak berlaku
@> SELESAI PG 2611 0001 uang dikembalikan ke warga
< [test:warga-1] Kabar pengaduan *PG-2611-0001*: *SELESAI* ditangani.
@> TOLAK PG-2611-0001 data palsu
< sudah diputuskan
> cek
> PG-2611-0001
< pengaduan selesai
`},
		{"named pengaduan, refused with a reason", false, pgFiled + `
> tidak
< Nama Anda (sesuai KTP)
> Slamet Riyadi
< Nomor HP Anda
> 081234567890
< Pelapor: Slamet Riyadi, HP 6281234567890
> kirim
< PG-2611-0001
< Pelapor: Slamet Riyadi, HP 62812****7890
< Pengiriman foto belum tersedia
<! 6281234567890
@> TOLAK PG-2611-0001
< Catatan untuk warga wajib diisi
@> TOLAK PG-2611-0001 bukan wilayah kabupaten ini
< [test:warga-1] Kabar pengaduan *PG-2611-0001*: *TIDAK DAPAT DITINDAKLANJUTI*.
< Alasan: bukan wilayah kabupaten ini
`},
		{"bad input at each step", true, `
> pengaduan
< Jenis penyimpangan apa
>[sticker]
< bukan stiker
> 9
< Ketik angka 1–5
> 2
< Di kecamatan mana
>{photo}
< hanya bisa membaca pesan teks (bukan foto)
> Kembiritan
< Kapan kejadiannya?
> x
< Kapan kejadiannya?
> kemarin
> lewati
< Ceritakan apa yang terjadi
> 
< Ceritakan apa yang terjadi
> ok
< Ceritakan apa yang terjadi
>{location}
< bukan lokasi
> Bantuan BPNT dipotong lima puluh ribu oleh ketua kelompok
< tanpa nama
> 7
< Ketik angka 1–2
> anonim
< Pelapor: anonim
< Pihak terlibat: -
> kirim
< PG-2611-0001
>[sticker]
< kami menerima foto atau lokasi, bukan stiker
>{photo 40MB}
< Foto terlalu besar (lebih dari 10 MB) dan tidak disimpan
<! tersimpan
>{photo}
>{photo}
>{photo}
< Foto 3 dari 3
< PG-2611-0001 sudah lengkap
>{photo}
< bukan foto
`},
		{"text at the photo step leaves it and is read as at the menu", true, pgFiled + `
> anonim
> kirim
< kirim foto
> cek
< Ketik NIK (16 angka) atau nomor laporan
> PG-2611-0001
< menunggu verifikasi
`},
		{"empty anonymous pengaduan is not filed", false, `
> pengaduan
> 5
> Kembiritan
> kemarin
> lewati
> .
< Ceritakan apa yang terjadi
>
< Ceritakan apa yang terjadi
<! PG-
> batal
< dibatalkan
@> PENDING
<! PG-
`},
		{"lapor with photos of the house", true, `
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
< LB-2611-0001
< Kirim foto rumah, atau ketik LEWATI
>{photo}
< Foto 1 dari 3 tersimpan untuk LB-2611-0001
< [test:grup-staf] 📷 Foto 1 untuk LB-2611-0001
> LEWATI
< LB-2611-0001 sudah lengkap
> cek
> LB-2611-0001
< menunggu verifikasi
`},
		{"delivery confirmed: Sudah", false, lapored + `
@> SALUR LB-2611-0001
< [test:warga-1] Apakah paket untuk laporan *LB-2611-0001* sudah diterima?
< 1) Sudah
> sudah
< penerimaan paket laporan *LB-2611-0001* sudah dicatat
< [test:grup-staf] 📦 LB-2611-0001: paket *diterima warga*
> BELUM DITERIMA LB-2611-0001
< sudah tercatat sebelumnya
> cek
> LB-2611-0001
< diterima warga
@> STATISTIK
< Konfirmasi penerimaan: 1 disalurkan, 1 ditanya, 1 diterima warga, 0 belum diterima
@> DETAIL LB-2611-0001
< [test:staf-1] *DETAIL LB-2611-0001*
< diterima warga
`},
		{"delivery question at the menu: help asks it again, a typed 2 is Belum", false, lapored + `
@> SALUR LB-2611-0001
> bantuan
< Bantuan Lapor Bansos
< Apakah paket untuk laporan *LB-2611-0001* sudah diterima?
> 2
< Kami membuat pengaduan *PG-2611-0001*
`},
		{"delivery question set aside by another word, its button still works", false, lapored + `
@> SALUR LB-2611-0001
> cek
< Ketik NIK
> DITERIMA LB-2611-0001
< penerimaan paket laporan *LB-2611-0001* sudah dicatat
`},
		{"delivery not confirmed: Belum opens a pengaduan staff see at once", false, lapored + `
> lapor
@> SALUR LB-2611-0001
< Apakah paket untuk laporan *LB-2611-0001* sudah diterima?
> BELUM DITERIMA LB-2611-0001
< Kami membuat pengaduan *PG-2611-0001* (bantuan tidak sampai) untuk laporan *LB-2611-0001*
< [test:grup-staf] 🚩 *PENGADUAN BARU PG-2611-0001*
< Jenis: Bantuan tidak sampai
< Terkait laporan: LB-2611-0001
@> DETAIL LB-2611-0001
< belum diterima warga (pengaduan PG-2611-0001)
@> STATISTIK
< Pengaduan: 1 (baru 1
< 0 diterima warga, 1 belum diterima
`},
		{"staff DETAIL of a named pengaduan with a photo goes privately, phone in full", true, pgFiled + `
> tidak
> Slamet Riyadi
> 081234567890
> kirim
>{photo}
> selesai
@> DETAIL PG-2611-0001
< [test:staf-1] *DETAIL PG-2611-0001* (menunggu verifikasi)
< Pelapor: Slamet Riyadi, HP 6281234567890
< Foto: PG-2611-0001-1.jpg
< [test:grup-staf] 
<! [test:grup-staf] *DETAIL
`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.photos {
				withPhotos(h)
			}
			pgScript(h, tc.script)
		})
	}
}

// lapored files LB-2611-0001 from the test citizen and has staff decide it layak.
const lapored = `
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
< LB-2611-0001
@> LAYAK LB-2611-0001
`

// The photos are on disk, private, named for the purge, referenced by the report and the
// export; a different chat's Belum button changes nothing.
func TestPengaduanPhotosStoredAndExported(t *testing.T) {
	h := newHarness(t)
	dir := withPhotos(h)
	pgScript(h, pgFiled+`
> anonim
> kirim
>{photo}
>{photo}
> selesai
`)
	names := []string{"PG-2611-0001-1.jpg", "PG-2611-0001-2.jpg"}
	for _, name := range names {
		if b, err := h.photo(name); err != nil || !bytes.Equal(b, jpeg) {
			t.Errorf("stored photo %s: %d bytes, %v", name, len(b), err)
		}
		if dir == "" {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 || fi.Size() != int64(len(jpeg)) {
			t.Errorf("%s: mode %v size %d, want 0600 and %d", name, fi.Mode().Perm(), fi.Size(), len(jpeg))
		}
	}
	if entries, _ := os.ReadDir(dir); dir != "" && len(entries) != 2 {
		t.Errorf("photo dir holds %d files, want 2 (no orphans)", len(entries))
	}
	r, err := h.db.Report(context.Background(), "PG-2611-0001")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Anonymous || r.ReporterName != "" || r.Phone != "" || r.From != citizenChat {
		t.Errorf("anonymous report keeps name %q phone %q from %v", r.ReporterName, r.Phone, r.From)
	}
	if strings.Join(r.Photos, ",") != "PG-2611-0001-1.jpg,PG-2611-0001-2.jpg" || r.Location != "" {
		t.Errorf("photos %v location %q", r.Photos, r.Location)
	}
	var buf bytes.Buffer
	if err := h.db.ExportCSV(&buf, storage.ExportOptions{Comma: ';'}); err != nil {
		t.Fatal(err)
	}
	rd := csv.NewReader(strings.NewReader(buf.String()))
	rd.Comma = ';'
	rows, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	row := rows[1]
	if row[col["jenis"]] != "pengaduan" || row[col["alasan"]] != "Pungutan liar" || row[col["foto"]] != "PG-2611-0001-1.jpg PG-2611-0001-2.jpg" {
		t.Errorf("export row %v", row)
	}
	if bytes.Contains(buf.Bytes(), jpeg[:4]) {
		t.Error("the export carries photo bytes, want names only")
	}

	// The purge, once the pengaduan is closed and retention passed, removes the files.
	h.staff("SELESAI PG-2611-0001 ditangani")
	h.advance(800 * 24 * time.Hour)
	res, err := h.db.Purge(context.Background(), 730*24*time.Hour, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Photos) != 2 {
		t.Errorf("purge removed %v, want both photos", res.Photos)
	}
	for _, name := range names {
		if b, err := h.photo(name); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("photo %s after the purge: %d bytes, %v; want ErrNotFound", name, len(b), err)
		}
	}
	if r, err := h.db.Report(context.Background(), "PG-2611-0001"); err != nil || len(r.Photos) != 0 {
		t.Errorf("purged report still names photos: %v, %v", r.Photos, err)
	}
}

// Staff get the photo as a reference to the stored file; the citizen's own replies never
// carry one, and no other chat gets it.
func TestPhotoGoesToStaffOnly(t *testing.T) {
	h := newHarness(t)
	withPhotos(h)
	pgScript(h, pgFiled+"\n> anonim\n> kirim\n")
	out := h.send(Message{Chat: citizenChat, From: storage.Actor{Channel: "test", ID: "warga-1"}, NonText: "photo", Photo: &Photo{Data: jpeg, Ext: "jpg"}})
	var staff int
	for _, r := range out {
		if r.Photo == nil {
			continue
		}
		if r.To != staffChat {
			t.Errorf("photo sent to %v", r.To)
		}
		if b, err := ReadPhoto(context.Background(), h.db, r.Photo); err != nil || !bytes.Equal(b, jpeg) {
			t.Errorf("photo reference %+v: %v", r.Photo, err)
		}
		staff++
	}
	if staff != 1 {
		t.Errorf("%d photo replies, want 1 to the staff chat", staff)
	}
}

// No answer: one reminder after two days, a pengaduan two days after that, each once.
func TestReceiptReminderThenPengaduan(t *testing.T) {
	h := newHarness(t)
	h.transcript(lapored + "\n@> SALUR LB-2611-0001\n")
	remind := func() string {
		out, err := h.engine.Remind(context.Background(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return render(out)
	}
	steps := []struct {
		after time.Duration
		want  string // "" = nothing about the receipt
	}{
		{47 * time.Hour, ""},
		{2 * time.Hour, "[test:warga-1] Pengingat: apakah paket untuk laporan *LB-2611-0001* sudah diterima?"},
		{time.Hour, ""},
		{47 * time.Hour, "[test:warga-1] Karena belum ada jawaban, kami membuat pengaduan *PG-2611-0001*"},
		{72 * time.Hour, ""},
	}
	for i, s := range steps {
		h.advance(s.after)
		got := remind()
		if s.want == "" {
			if strings.Contains(got, "LB-2611-0001 sudah diterima") || strings.Contains(got, "PG-") && strings.Contains(got, "PENGADUAN BARU") {
				t.Fatalf("step %d: unexpected receipt message:\n%s", i, got)
			}
			continue
		}
		if !strings.Contains(got, s.want) {
			t.Fatalf("step %d: want %q in:\n%s", i, s.want, got)
		}
	}
	r, err := h.db.Report(context.Background(), "LB-2611-0001")
	if err != nil {
		t.Fatal(err)
	}
	if r.Complaint != "PG-2611-0001" || r.NotReceivedAt.IsZero() || !r.ReceivedAt.IsZero() {
		t.Errorf("report after silence: complaint %q not-received %v received %v", r.Complaint, r.NotReceivedAt, r.ReceivedAt)
	}
	// A late "Sudah" changes nothing.
	h.transcript("> DITERIMA LB-2611-0001\n< sudah tercatat sebelumnya")
}

// A press of the receipt buttons from another chat is refused: buttons are not trusted.
func TestReceiptFromAnotherChat(t *testing.T) {
	h := newHarness(t)
	h.transcript(lapored + "\n@> SALUR LB-2611-0001\n")
	other := storage.ChatAddr{Channel: "test", ID: "warga-2"}
	out := render(h.send(Message{Chat: other, From: storage.Actor{Channel: "test", ID: "warga-2"}, Text: "BELUM DITERIMA LB-2611-0001"}))
	if strings.Contains(out, "PG-") || strings.Contains(out, "grup-staf") {
		t.Fatalf("another chat opened a pengaduan:\n%s", out)
	}
	r, _ := h.db.Report(context.Background(), "LB-2611-0001")
	if !r.NotReceivedAt.IsZero() || r.Complaint != "" {
		t.Errorf("report changed by another chat: %+v", r)
	}
}

func TestOverduePengaduanReminder(t *testing.T) {
	h := newHarness(t)
	h.transcript(pgFiled + "\n> anonim\n> kirim\n")
	h.advance(4 * time.Hour)
	out, err := h.engine.Remind(context.Background(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	got := render(out)
	if !strings.Contains(got, "PG-2611-0001") {
		t.Fatalf("overdue pengaduan not listed:\n%s", got)
	}
	if strings.Contains(got, "LAYAK PG-") || strings.Contains(got, "] TOLAK PG-") {
		t.Errorf("pengaduan offered report buttons:\n%s", got)
	}
}

// A text-only channel (the console) is never asked for photos.
func TestTextOnlyChannelNotAskedForPhotos(t *testing.T) {
	h := newHarness(t)
	withPhotos(h)
	h.engine.TextOnly = map[string]bool{citizenChat.Channel: true}
	h.transcript(strings.Replace(lapored, "< LB-2611-0001\n", "< LB-2611-0001\n<! foto rumah\n", 1) + `
> cek
< Ketik NIK
`)
}

// On bbolt a photo is staged before the step and linked into place; the staged name is gone
// afterwards, also when the step refused the photo; a staged file a crash left behind is
// removed when the store is opened again.
func TestPhotoStagedOutsideTheWriter(t *testing.T) {
	h := newHarness(t)
	dir := withPhotos(h)
	if h.file == nil {
		t.Skip("PostgreSQL keeps photos in the step's transaction: nothing to stage")
	}
	pgScript(h, pgFiled+"\n> anonim\n> kirim\n")
	send := func(id string) {
		h.send(Message{Chat: citizenChat, From: storage.Actor{Channel: "test", ID: "warga-1"}, ID: id, NonText: "photo", Photo: &Photo{Data: jpeg, Ext: "jpg"}})
	}
	names := func() []string {
		var out []string
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	probe := Message{Chat: citizenChat, ID: "test:warga-1/500", Photo: &Photo{Data: jpeg, Ext: "jpg"}}
	unstage := h.engine.stagePhoto(&probe)
	staged := names()
	if len(staged) != 1 || !strings.HasPrefix(staged[0], ".incoming-") {
		t.Fatalf("staging left %v, want one .incoming- file", staged)
	}
	if fi, err := os.Stat(filepath.Join(dir, staged[0])); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("staged file: %v %v", fi, err)
	}
	unstage()
	if got := names(); len(got) != 0 {
		t.Fatalf("unstaged, the dir holds %v", got)
	}
	send("test:warga-1/501")
	send("test:warga-1/501") // redelivered: handled once, staged copy removed again
	if got := strings.Join(names(), ","); got != "PG-2611-0001-1.jpg" {
		t.Fatalf("photo dir after a staged photo: %s", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "PG-2611-0001-1.jpg")); !bytes.Equal(b, jpeg) {
		t.Error("linked photo differs")
	}
	h.transcript("> selesai")
	send("test:warga-1/502") // at the menu: refused ("bukan foto"), nothing kept
	if got := strings.Join(names(), ","); got != "PG-2611-0001-1.jpg" {
		t.Fatalf("photo dir after a refused photo: %s", got)
	}
	left := filepath.Join(dir, ".incoming-0123456789abcdef01234567")
	if err := os.WriteFile(left, jpeg, 0o600); err != nil {
		t.Fatal(err)
	}
	h.restart()
	if got := strings.Join(names(), ","); got != "PG-2611-0001-1.jpg" {
		t.Fatalf("photo dir after a restart: %s", got)
	}
}

// A reply queued by a version that referred to photos by file path still finds its photo: by
// the file's name, in whichever store holds it.
func TestPhotoRefQueuedByOlderVersion(t *testing.T) {
	h := newHarness(t)
	withPhotos(h)
	pgScript(h, pgFiled+"\n> anonim\n> kirim\n>{photo}\n")
	tests := []struct {
		name string
		json string
	}{
		{"by name", `{"name":"PG-2611-0001-1.jpg"}`},
		{"by path (older versions)", `{"path":"/var/lib/laporbansos/photos/PG-2611-0001-1.jpg"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ref PhotoRef
			if err := json.Unmarshal([]byte(tt.json), &ref); err != nil {
				t.Fatal(err)
			}
			if b, err := ReadPhoto(context.Background(), h.db, &ref); err != nil || !bytes.Equal(b, jpeg) {
				t.Errorf("ReadPhoto(%s) = %d bytes, %v", tt.json, len(b), err)
			}
		})
	}
}
