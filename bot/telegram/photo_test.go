package telegram

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laporbansos/laporbansos/flows"
)

// picture is a phone photo's worth of bytes: a real JPEG (Telegram's sendPhoto decodes what it
// is sent, and so does the fake), padded after its end marker to n bytes.
func picture(n int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		panic(err)
	}
	if buf.Len() < n {
		buf.Write(make([]byte, n-buf.Len()))
	}
	return buf.Bytes()
}

// fileCalls counts getFile calls for one file id.
func (f *fakeAPI) getFileCalls(id string) int {
	n := 0
	for _, c := range f.callsOf("getFile") {
		if c.Params.Get("file_id") == id {
			n++
		}
	}
	return n
}

// pengaduan files an anonymous pengaduan through real button presses and returns its number.
func (e *env) pengaduan(chat int64) string {
	t := e.t
	t.Helper()
	f := e.fake
	step := func(do func(), want string) *fakeMsg {
		t.Helper()
		n := len(f.sent(chat))
		do()
		return f.waitText(chat, n, want)
	}
	press := func(label string) func() { return func() { f.pressT(t, chat, chat, label) } }
	step(func() { f.text(chat, chat, "/start") }, "Silakan pilih layanan")
	step(press("Pengaduan penyimpangan bansos"), "Jenis penyimpangan")
	step(press("Pemotongan bantuan"), "Di kecamatan mana")
	step(press("Genteng"), "Pilih desa")
	step(func() { e.pressFirst(t, chat) }, "Kapan kejadiannya")
	step(func() { f.text(chat, chat, "Senin 23 November") }, "Siapa yang terlibat")
	step(func() { f.text(chat, chat, "lewati") }, "Ceritakan apa yang terjadi")
	step(func() { f.text(chat, chat, "BPNT dipotong Rp50.000 oleh ketua kelompok saat pengambilan") }, "tanpa nama")
	step(press("Ya, anonim"), "Kirim pengaduan ini?")
	m := step(press("Kirim"), "Pengaduan diterima")
	f.waitText(chat, 0, "kirim foto")
	i := strings.Index(m.Text, "PG-")
	return m.Text[i : i+len("PG-2611-0001")]
}

// A real photo message: getFile, the file download, the bytes on disk (0600), and the photo
// forwarded to both staff chats with sendPhoto, never to the citizen. Bad evidence gets a clear
// answer: a sticker, a 40 MB picture (not even fetched), a photo the Bot API refuses (> 20 MB).
func TestPengaduanPhotoThroughBotAPI(t *testing.T) {
	e := newEnv(t, envConfig{photos: true})
	f := e.fake
	id := e.pengaduan(citizen)
	f.waitText(staffChat, 0, "PENGADUAN BARU "+id)

	pic := picture(300 << 10)
	n := len(f.sent(citizen))
	f.photoOf(citizen, pic, len(pic))
	f.waitText(citizen, n, "Foto 1 dari 3 tersimpan untuk "+id)
	for _, chat := range []int64{staffChat, staffChat2} {
		m := f.waitText(chat, 0, "Foto 1 untuk "+id)
		if m.Method != "sendPhoto" || !bytes.Equal(m.DocData, pic) {
			t.Errorf("staff chat %d got %s with %d bytes, want sendPhoto with the photo", chat, m.Method, len(m.DocData))
		}
	}
	for _, m := range f.sent(citizen) {
		if m.Method == "sendPhoto" {
			t.Errorf("a photo was sent to the citizen: %q", m.Text)
		}
	}
	if b, err := flows.ReadPhoto(context.Background(), e.db, &flows.PhotoRef{Name: id + "-1.jpg"}); err != nil || !bytes.Equal(b, pic) {
		t.Errorf("stored photo: %d bytes, %v", len(b), err)
	}
	if e.photoDir != "" {
		fi, err := os.Stat(filepath.Join(e.photoDir, id+"-1.jpg"))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 || fi.Size() != int64(len(pic)) {
			t.Errorf("stored photo: mode %v size %d", fi.Mode().Perm(), fi.Size())
		}
	}

	cases := []struct {
		name string
		send func() int
		want string
	}{
		{"sticker instead of a photo", func() int { return f.sticker(citizen) }, "bukan stiker"},
		{"a 40 MB picture sent as a file", func() int {
			return f.imageFile(citizen, picture(1<<10), 40<<20)
		}, "Foto terlalu besar (lebih dari 10 MB)"},
		{"a location", func() int { return f.location(citizen, -8.2192, 114.3691) }, "Lokasi tersimpan"},
		{"a second photo", func() int { p := picture(50 << 10); return f.photoOf(citizen, p, len(p)) }, "Foto 2 dari 3"},
	}
	for _, tc := range cases {
		n := len(f.sent(citizen))
		tc.send()
		f.waitText(citizen, n, tc.want)
	}
	// The 40 MB file was refused on its declared size: never fetched.
	if c := f.callsOf("getFile"); len(c) != 2 {
		t.Errorf("getFile called %d times, want 2 (two photos)", len(c))
	}
	f.waitText(staffChat, 0, "Lokasi untuk "+id)

	// The Bot API itself refuses getFile over 20 MB; the channel reports that as an error.
	big := f.addFile(picture(1<<10), 25<<20, "jpg")
	if _, _, err := e.ch.download(context.Background(), big); err == nil || !strings.Contains(err.Error(), "file is too big") {
		t.Errorf("download of a 25 MB file: %v, want the Bot API's refusal", err)
	}
	// A server that sends more than it declared is cut at 10 MB.
	liar := f.addFile(picture(11<<20), 1<<20, "jpg")
	if _, _, err := e.ch.download(context.Background(), liar); err != errTooBig {
		t.Errorf("download of 11 MB declared as 1 MB: %v, want errTooBig", err)
	}
	if got := f.getFileCalls(big) + f.getFileCalls(liar); got != 2 {
		t.Errorf("getFile calls %d", got)
	}

	n = len(f.sent(citizen))
	f.text(citizen, citizen, "selesai")
	f.waitText(citizen, n, id+" sudah lengkap")
	if entries, _ := os.ReadDir(e.photoDir); e.photoDir != "" && len(entries) != 2 {
		t.Errorf("photo dir holds %d files, want 2", len(entries))
	}
}

// A photo where text is expected is refused without being stored.
func TestPhotoWhereTextExpected(t *testing.T) {
	e := newEnv(t, envConfig{photos: true})
	f := e.fake
	f.text(citizen, citizen, "/lapor")
	f.waitText(citizen, 0, "Siapa yang ingin")
	p := picture(10 << 10)
	f.photoOf(citizen, p, len(p))
	f.waitText(citizen, 0, "bukan foto")
	if entries, _ := os.ReadDir(e.photoDir); len(entries) != 0 {
		t.Errorf("a photo outside the evidence step was stored: %d files", len(entries))
	}
}

// After SALUR the citizen is asked, and "Belum" pressed on Telegram opens a pengaduan that staff
// see at once.
func TestDeliveryQuestionButtons(t *testing.T) {
	e := newEnv(t, envConfig{})
	f := e.fake
	id := e.report(citizen, nikFresh)
	e.posted(staffChat, id)
	f.text(staffChat, staffAna, "LAYAK "+id)
	f.waitText(citizen, 0, "LAYAK")
	f.text(staffChat, staffAna, "SALUR "+id)
	q := f.waitText(citizen, 0, "Apakah paket untuk laporan")
	if kb := q.keyboard(); len(kb) == 0 {
		t.Fatalf("delivery question without buttons: %q", q.Markup)
	}
	n := len(f.sent(citizen))
	f.press(citizen, citizen, "Belum")
	f.waitText(citizen, n, "Kami membuat pengaduan")
	f.waitText(staffChat, 0, "Terkait laporan: "+id)
}

// Staff follow a pengaduan up and close it by typed commands; the citizen hears each step with
// the note, and a late TOLAK names the step that made it late.
func TestPengaduanDecisionsThroughBotAPI(t *testing.T) {
	e := newEnv(t, envConfig{photos: true})
	f := e.fake
	id := e.pengaduan(citizen)
	f.waitText(staffChat, 0, "PENGADUAN BARU "+id)
	steps := []struct {
		cmd  string
		chat int64
		want string
	}{
		{"TINDAKLANJUT " + id, staffChat, "Catatan untuk warga wajib diisi"},
		{"TINDAKLANJUT " + id + " ketua kelompok dipanggil", citizen, "sedang DITINDAKLANJUTI petugas.\nCatatan: ketua kelompok dipanggil"},
		{"/selesai " + id + " uang dikembalikan", citizen, "SELESAI ditangani.\nCatatan: uang dikembalikan"},
		{"TOLAK " + id + " salah kirim", staffChat, "sudah diputuskan"},
	}
	for _, s := range steps {
		n := len(f.sent(s.chat))
		f.text(staffChat, staffAna, s.cmd)
		f.waitText(s.chat, n, s.want)
	}
}
