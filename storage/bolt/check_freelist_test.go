package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A damaged freelist page is refused before bbolt maps the file: bbolt would panic inside
// Open with the file locked, and the lock would stay with the process (a second Open, or a
// restore, would then wait and say "in use").
func TestOpenRefusesDamagedFreelistWithoutKeepingTheLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "laporbansos.db")
	db := NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ { // a few commits, so the freelist page is not page 2
		if err := db.Put(context.Background(), "state", string(rune('a'+i)), bytes.Repeat([]byte{1}, 3000)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pageSize := int64(binary.LittleEndian.Uint32(raw[boltMetaStart+8:]))
	var freelist, txid uint64
	for i := int64(0); i < 2; i++ {
		meta := raw[i*pageSize+boltMetaStart:]
		if tx := binary.LittleEndian.Uint64(meta[48:]); tx >= txid {
			txid, freelist = tx, binary.LittleEndian.Uint64(meta[32:])
		}
	}
	copy(raw[int64(freelist)*pageSize:], bytes.Repeat([]byte{0xA5}, int(pageSize)))
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	for try := 1; try <= 2; try++ {
		err := NewDB(path).Open()
		var de *DamagedError
		if !errors.As(err, &de) {
			t.Fatalf("open %d: %v, want a DamagedError", try, err)
		}
	}
}
