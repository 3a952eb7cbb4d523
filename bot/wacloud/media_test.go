package wacloud

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// An image sent through the Cloud API: media id → media URL → bytes, both with the token,
// stored 0600 for the pengaduan; an image Meta declares too big is not fetched; a location is
// kept.
func TestPengaduanImageThroughCloudAPI(t *testing.T) {
	e := newEnv(t)
	e.engine.Photos = true
	dir := e.db.PhotoDir
	for _, s := range []struct{ say, want string }{
		{"pengaduan", "Jenis penyimpangan"},
		{"3", "Di kecamatan mana"},
		{"Genteng", "Pilih desa"},
		{"1", "Kapan kejadiannya"},
		{"kemarin pagi", "Siapa yang terlibat"},
		{"lewati", "Ceritakan apa yang terjadi"},
		{"Warga diminta membayar dua puluh ribu saat mengambil BPNT", "tanpa nama"},
		{"1", "Kirim pengaduan ini?"},
		{"kirim", "kirim foto"},
	} {
		wantText(t, e.say(citizen, s.say), s.want)
	}
	photo := bytes.Repeat([]byte{0xFF, 0xD8, 0x17}, 100<<10)
	body, _ := e.graph.Image(citizen, e.clock.Now(), e.graph.AddMedia(photo, "image/jpeg", 0))
	wantText(t, e.deliver(citizen, body), "Foto 1 dari 3 tersimpan")
	if got := e.graph.MediaGets(); got != 1 {
		t.Errorf("%d media downloads, want 1", got)
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		t.Fatalf("%d stored photos, want 1", len(files))
	}
	stored, err := os.ReadFile(filepath.Join(dir, files[0].Name()))
	if err != nil || !bytes.Equal(stored, photo) {
		t.Fatalf("stored photo differs: %v", err)
	}
	if fi, _ := files[0].Info(); fi.Mode().Perm() != 0o600 {
		t.Errorf("photo mode %v", fi.Mode().Perm())
	}

	// Meta says 11 MB (a tampered or future limit): refused on the declared size, not fetched.
	body, _ = e.graph.Image(citizen, e.clock.Now(), e.graph.AddMedia(photo[:100], "image/jpeg", 0))
	e.graph.SetDeclared(t, 11<<20)
	wantText(t, e.deliver(citizen, body), "Foto terlalu besar")
	if got := e.graph.MediaGets(); got != 1 {
		t.Errorf("%d media downloads after the big one, want still 1", got)
	}
	body, _ = e.graph.Location(citizen, e.clock.Now(), -8.22, 114.37)
	wantText(t, e.deliver(citizen, body), "Lokasi tersimpan")
	body, _ = e.graph.Message(citizen, "Warga", e.clock.Now(), map[string]any{"type": "sticker", "sticker": map[string]any{"id": "9", "mime_type": "image/webp"}})
	wantText(t, e.deliver(citizen, body), "bukan stiker")
}
