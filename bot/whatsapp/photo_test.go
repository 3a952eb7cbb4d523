package whatsapp

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
)

// phoneImage is what a citizen's phone sends: the photo encrypted and uploaded, and the
// ImageMessage that points at it.
func (f *fakeClient) phoneImage(t *testing.T, data []byte) *waE2E.ImageMessage {
	t.Helper()
	up, blob, err := encryptMedia(data, whatsmeow.MediaImage)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	if f.media == nil {
		f.media = map[string][]byte{}
	}
	path := "/v/t62.7118-24/phone-" + string(rune('a'+len(f.media)))
	f.media[path] = blob
	f.mu.Unlock()
	return &waE2E.ImageMessage{
		URL: proto.String("https://mmg.whatsapp.net" + path), DirectPath: proto.String(path),
		MediaKey: up.MediaKey, FileEncSHA256: up.FileEncSHA256, FileSHA256: up.FileSHA256,
		FileLength: proto.Uint64(up.FileLength), Mimetype: proto.String("image/jpeg"),
	}
}

// withPhotos has the engine take evidence photos; the bbolt store keeps them in its PhotoDir.
func withPhotos() harnessOpt {
	return func(_ *Options, h *harness) { h.engine.Photos = true }
}

// A pengaduan from WhatsApp with image messages: downloaded and decrypted through the Client
// interface, stored 0600, forwarded to the staff group as an image; bad evidence answered.
func TestPengaduanImageMessages(t *testing.T) {
	h := newHarness(t, withPhotos())
	citizen := pn(citizenPN)
	chat := citizen.String()
	for _, s := range []struct{ say, want string }{
		{"pengaduan", "Jenis penyimpangan"},
		{"2", "Di kecamatan mana"},
		{"Genteng", "Pilih desa"},
		{"Kembiritan", "Kapan kejadiannya"},
		{"kemarin siang", "Siapa yang terlibat"},
		{"lewati", "Ceritakan apa yang terjadi"},
		{"Bantuan BPNT dipotong lima puluh ribu oleh ketua kelompok", "tanpa nama"},
		{"1", "Kirim pengaduan ini?"},
		{"kirim", "kirim foto"},
	} {
		if got := h.say(citizen, s.say); !strings.Contains(got, s.want) {
			t.Fatalf("after %q want %q, got:\n%s", s.say, s.want, got)
		}
	}
	if got := h.textsTo(staffGroup); !strings.Contains(got, "PENGADUAN BARU PG-") {
		t.Fatalf("staff group got:\n%s", got)
	}
	photo := bytes.Repeat([]byte{0xFF, 0xD8, 0x42}, 40<<10)
	tampered := h.fake.phoneImage(t, photo)
	tampered.MediaKey = bytes.Repeat([]byte{7}, 32)
	huge := h.fake.phoneImage(t, photo[:100])
	huge.FileLength = proto.Uint64(40 << 20)
	cases := []struct {
		name      string
		msg       *waE2E.Message
		want      string
		downloads int // Download calls it makes
	}{
		{"image", &waE2E.Message{ImageMessage: h.fake.phoneImage(t, photo)}, "Foto 1 dari 3 tersimpan", 1},
		{"sticker instead of a photo", &waE2E.Message{StickerMessage: &waE2E.StickerMessage{}}, "bukan stiker", 0},
		{"40 MB image", &waE2E.Message{ImageMessage: huge}, "Foto terlalu besar", 0},
		{"image whose media key does not match", &waE2E.Message{ImageMessage: tampered}, "Foto tidak dapat diterima", 1},
		{"location", &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(-8.2), DegreesLongitude: proto.Float64(114.37)}}, "Lokasi tersimpan", 0},
	}
	for _, tc := range cases {
		before := h.fake.downloads
		h.fake.emit(h.direct(citizen, types.JID{}, tc.msg))
		h.settle()
		if got := h.textsTo(chat); !strings.Contains(got, tc.want) {
			t.Errorf("%s: want %q, got:\n%s", tc.name, tc.want, got)
		}
		if d := h.fake.downloads - before; d != tc.downloads {
			t.Errorf("%s: %d downloads, want %d", tc.name, d, tc.downloads)
		}
	}
	// One photo kept, by the store (a 0600 file with bbolt, a row with PostgreSQL), whole.
	pgs, err := h.db.Reports(h.ctx, storage.ReportFilter{Kind: storage.KindPengaduan})
	if err != nil || len(pgs) != 1 || len(pgs[0].Photos) != 1 {
		t.Fatalf("pengaduan: %v, %v; want one with one photo", pgs, err)
	}
	var kept []byte
	if err := h.db.View(h.ctx, func(tx storage.Tx) (err error) { kept, err = tx.Photo(pgs[0].Photos[0]); return err }); err != nil || !bytes.Equal(kept, photo) {
		t.Fatalf("stored photo: %v, %d bytes, want the %d sent", err, len(kept), len(photo))
	}
	if b, ok := h.db.(*bolt.DB); ok {
		fi, err := os.Stat(filepath.Join(b.PhotoDir, pgs[0].Photos[0]))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("photo file: %v, mode %v; want 0600", err, fi.Mode().Perm())
		}
	}
	// The staff group got the photo as an image message that decrypts to the same bytes; the
	// citizen got no image.
	var forwarded *waE2E.ImageMessage
	for _, s := range h.all {
		if img := s.Msg.GetImageMessage(); img != nil {
			if s.To.String() != staffGroup {
				t.Errorf("image sent to %s", s.To)
			}
			forwarded = img
		}
	}
	if forwarded == nil {
		t.Fatal("no image forwarded to the staff group")
	}
	got, err := h.fake.Download(h.ctx, forwarded)
	if err != nil || !bytes.Equal(got, photo) {
		t.Errorf("forwarded image: %v, %d bytes", err, len(got))
	}
}

// On WhatsApp the delivery question is a numbered list: "2" (Belum) opens the pengaduan, which
// the staff group sees at once.
func TestDeliveryQuestionByNumber(t *testing.T) {
	h := newHarness(t)
	citizen := pn(citizenPN)
	id := fileReport(t, h.citizenSay(citizen), citizenNIK)
	h.staff(staffGroup, pn(staffPN), types.JID{}, "LAYAK "+id)
	h.staff(staffGroup, pn(staffPN), types.JID{}, "SALUR "+id)
	if got := h.textsTo(citizen.String()); !strings.Contains(got, "Apakah paket untuk laporan *"+id+"*") || !strings.Contains(got, "2. Belum") {
		t.Fatalf("delivery question:\n%s", got)
	}
	if got := h.say(citizen, "2"); !strings.Contains(got, "Kami membuat pengaduan *PG-") {
		t.Fatalf("answer to 2:\n%s", got)
	}
	if got := h.textsTo(staffGroup); !strings.Contains(got, "PENGADUAN BARU PG-") || !strings.Contains(got, "Terkait laporan: "+id) {
		t.Fatalf("staff group:\n%s", got)
	}
}
