package storage

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestPrepareDataDir(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(t *testing.T, dir string) // dir exists, 0700, when setup runs
		refused string                         // "" = accepted
	}{
		{"new directory", func(t *testing.T, dir string) { os.Remove(dir) }, ""},
		{"readable by others, files tightened", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "laporbansos.log"), []byte("x"), 0o644)
			os.WriteFile(filepath.Join(dir, "registry.db"), []byte("x"), 0o640)
			os.Chmod(dir, 0o755)
		}, ""},
		{"world-writable", func(t *testing.T, dir string) { os.Chmod(dir, 0o777) }, "chmod 700"},
		{"group-writable", func(t *testing.T, dir string) { os.Chmod(dir, 0o770) }, "others may write"},
		{"a symlink among the files", func(t *testing.T, dir string) {
			os.Symlink(filepath.Join(t.TempDir(), "elsewhere"), filepath.Join(dir, "laporbansos.db"))
		}, "symlink"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			tc.setup(t, dir)
			before := map[string]os.FileMode{}
			if fi, err := os.Stat(dir); err == nil {
				before[dir] = fi.Mode().Perm()
			}
			err := PrepareDataDir(dir)
			if tc.refused != "" {
				if !errors.Is(err, ErrUnsafePath) || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("err = %v, want a refusal with %q", err, tc.refused)
				}
				if m, ok := before[dir]; ok && mode(t, dir) != m {
					t.Fatalf("a refused directory was changed to %v", mode(t, dir))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m := mode(t, dir); m != 0o700 {
				t.Fatalf("dir mode %v", m)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				if m := mode(t, filepath.Join(dir, e.Name())); m != 0o600 {
					t.Errorf("%s mode %v, want 0600", e.Name(), m)
				}
			}
		})
	}
}

// A symlink where the bot writes is refused or replaced, and the file it points to is never
// written.
func TestNoWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(t.TempDir(), "target")
	if err := os.WriteFile(target, []byte("untouched"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name    string
		write   func(path string) error
		replace bool // the link is replaced by a real file (create-then-rename)
	}{
		{"OpenPrivate append (log)", func(p string) error {
			f, err := OpenPrivate(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY)
			if err == nil {
				f.Close()
			}
			return err
		}, false},
		{"OpenPrivate truncate (export --out)", func(p string) error {
			f, err := OpenPrivate(p, os.O_CREATE|os.O_TRUNC|os.O_WRONLY)
			if err == nil {
				f.Close()
			}
			return err
		}, false},
		{"WritePrivateFile (console export)", func(p string) error { return WritePrivateFile(p, []byte("csv")) }, true},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := link("f" + string(rune('a'+i)))
			err := tc.write(p)
			if b, _ := os.ReadFile(target); string(b) != "untouched" {
				t.Fatalf("wrote through the symlink: target now %q", b)
			}
			if tc.replace {
				if err != nil {
					t.Fatal(err)
				}
				if fi, _ := os.Lstat(p); fi.Mode()&os.ModeSymlink != 0 || fi.Mode().Perm() != 0o600 {
					t.Fatalf("after write: %v", fi.Mode())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "symlink") {
				t.Fatalf("err = %v, want a refusal naming the symlink", err)
			}
		})
	}
}

func TestOpenPrivateTightensOldFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "laporbansos.log")
	if err := os.WriteFile(p, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := OpenPrivate(p, os.O_CREATE|os.O_APPEND|os.O_WRONLY)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if m := mode(t, p); m != 0o600 {
		t.Fatalf("mode %v", m)
	}
}
