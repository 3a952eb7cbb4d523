package registry

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
)

func TestRegistryFileModes(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		refused bool
	}{
		{"a registry file from an older version, 0644, is tightened", func(t *testing.T, dir string) {
			r := &Registry{Dir: dir, Log: zerolog.Nop()}
			if err := r.Open(); err != nil {
				t.Fatal(err)
			}
			if _, err := r.ImportReader(context.Background(), strings.NewReader("nik;nama;program\n"+testNIK+";Siti;PKH\n"), "t", ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			r.Close()
			os.Chmod(filepath.Join(dir, fileName), 0o644)
		}, false},
		{"a symlinked registry file is refused", func(t *testing.T, dir string) {
			target := filepath.Join(t.TempDir(), "other.db")
			os.WriteFile(target, nil, 0o600)
			os.Symlink(target, filepath.Join(dir, fileName))
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			os.Mkdir(dir, 0o700)
			tc.setup(t, dir)
			r := &Registry{Dir: dir, Log: zerolog.Nop()}
			err := r.Open()
			if tc.refused {
				if err == nil || !strings.Contains(err.Error(), "symlink") {
					t.Fatalf("Open = %v, want a symlink refusal", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			fi, _ := os.Stat(filepath.Join(dir, fileName))
			if fi.Mode().Perm() != 0o600 {
				t.Fatalf("registry file mode %v", fi.Mode().Perm())
			}
		})
	}
}

// An import replaces a symlink at registry.db with its own file and never writes the target.
func TestImportReplacesSymlinkNotTarget(t *testing.T) {
	r, _ := openTest(t)
	target := filepath.Join(t.TempDir(), "target")
	os.WriteFile(target, []byte("untouched"), 0o644)
	if err := os.Symlink(target, filepath.Join(r.Dir, fileName)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ImportReader(context.Background(), strings.NewReader("nik;nama;program\n"+testNIK+";Siti;PKH\n"), "t", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "untouched" {
		t.Fatalf("import wrote through the symlink")
	}
	fi, _ := os.Lstat(filepath.Join(r.Dir, fileName))
	if fi.Mode()&os.ModeSymlink != 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("registry file after import: %v", fi.Mode())
	}
}
