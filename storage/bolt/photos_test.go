package bolt

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/laporbansos/laporbansos/storage"
)

// A staged photo is linked into place by the step (the same file, not a second write); bytes
// that were not staged, or another slice with equal bytes, are written in the step.
func TestPutPhotoLinksTheStagedFile(t *testing.T) {
	tests := []struct {
		name   string
		stage  bool
		put    func(staged []byte) []byte
		linked bool
	}{
		{"staged slice", true, func(b []byte) []byte { return b }, true},
		{"equal bytes, another slice", true, bytes.Clone, false},
		{"nothing staged", false, func(b []byte) []byte { return b }, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			data := bytes.Repeat([]byte{0xFF, 0xD8, byte(i)}, 1000)
			unstage := func() {}
			if tt.stage {
				unstage = db.StagePhoto(data)
			}
			var staged string
			if entries, _ := os.ReadDir(db.PhotoDir); len(entries) == 1 && strings.HasPrefix(entries[0].Name(), stagedPrefix) {
				staged = filepath.Join(db.PhotoDir, entries[0].Name())
			}
			if tt.stage != (staged != "") {
				t.Fatalf("staged file %q after staging=%v", staged, tt.stage)
			}
			name := storage.PhotoName("PG-2611-0001", 1, "jpg")
			if err := db.Update(ctx, func(tx Tx) error { return tx.PutPhoto(name, tt.put(data)) }); err != nil {
				t.Fatal(err)
			}
			final := filepath.Join(db.PhotoDir, name)
			fi, err := os.Stat(final)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("stored photo: %v, %v", fi, err)
			}
			if staged != "" {
				si, _ := os.Stat(staged)
				if got := os.SameFile(fi, si); got != tt.linked {
					t.Errorf("linked = %v, want %v", got, tt.linked)
				}
			}
			unstage()
			entries, _ := os.ReadDir(db.PhotoDir)
			if len(entries) != 1 || entries[0].Name() != name {
				t.Errorf("photo dir after the step: %v", entries)
			}
			if b, _ := os.ReadFile(final); !bytes.Equal(b, data) {
				t.Error("stored bytes differ")
			}
		})
	}
}
