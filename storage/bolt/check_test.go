package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// closedStore makes a store with n reports on disk and closes it, for tests that damage it.
func closedStore(t testing.TB, n int) string {
	t.Helper()
	db, _ := openTestDB(t)
	err := db.Update(ctx, func(tx Tx) error {
		for i := 0; i < n; i++ {
			if err := tx.CreateReport(newReport(KindReport, fmt.Sprintf("351001010190%04d", i+1))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return db.Path
}

func TestOpenRefusesDamagedStore(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, path string)
		want   string
	}{
		{"zero length", func(t *testing.T, path string) {
			if err := os.Truncate(path, 0); err != nil {
				t.Fatal(err)
			}
		}, "empty"},
		{"not a database", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(strings.Repeat("NIK;nama;program\n", 2000)), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "not a Lapor Bansos database"},
		{"truncated to a few bytes", func(t *testing.T, path string) {
			if err := os.Truncate(path, 20); err != nil {
				t.Fatal(err)
			}
		}, "not a database"},
		{"truncated to half", func(t *testing.T, path string) {
			fi, _ := os.Stat(path)
			if err := os.Truncate(path, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, "truncated"},
		{"both meta pages overwritten", func(t *testing.T, path string) {
			overwrite(t, path, 16, 2*4096-16)
		}, "damaged"},
		{"the reports' pages overwritten", func(t *testing.T, path string) {
			fi, _ := os.Stat(path)
			overwrite(t, path, 2*4096, fi.Size()/2)
		}, "damaged"},
		{"the last pages zeroed", func(t *testing.T, path string) {
			// The last pages in use: bbolt grows the file ahead of its data, so the file's own
			// tail may be pages nothing reads yet.
			zero(t, path, int64(highWater(t, path))*4096-8*4096, 8*4096)
		}, "damaged"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := closedStore(t, 300)
			tt.damage(t, path)
			before, _ := os.ReadFile(path)
			db := NewDB(path)
			err := db.Open()
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded on a damaged store")
			}
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("Open = %v, want ErrDamaged", err)
			}
			for _, s := range []string{path, "laporbansos restore", tt.want} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
			after, _ := os.ReadFile(path)
			if string(before) != string(after) {
				t.Error("Open changed the damaged file; it must be left for the operator")
			}
		})
	}
}

// TestOpenRefusesEveryDamagedPage garbles each page of a store in turn: Open must refuse or
// open a store whose reports all read back, never panic or fault.
func TestOpenRefusesEveryDamagedPage(t *testing.T) {
	path := closedStore(t, 200)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const ps = 4096
	refused := 0
	for off := int64(0); off < int64(len(orig)); off += ps {
		if err := os.WriteFile(path, orig, 0o600); err != nil {
			t.Fatal(err)
		}
		overwrite(t, path, off+16, 64) // past the page header: the page's own content
		db := NewDB(path)
		if err := db.Open(); err != nil {
			if !errors.Is(err, ErrDamaged) {
				t.Errorf("page %d: Open = %v, want ErrDamaged", off/ps, err)
			}
			refused++
			continue
		}
		// A garbled page the store no longer uses (a free page, the older meta) is harmless.
		n := 0
		err := db.View(ctx, func(tx Tx) error {
			return tx.ForEachReport(func(*Report) error { n++; return nil })
		})
		db.Close()
		// Pages 0 and 1 are bbolt's two meta pages: with one garbled, bbolt opens the state of
		// the other, one commit older (its answer to a meta write torn by a power cut).
		if err != nil || (n != 200 && off >= 2*ps) {
			t.Errorf("page %d: Open accepted the store but it reads %d reports, %v", off/ps, n, err)
		}
	}
	if refused == 0 {
		t.Error("no damaged page was refused")
	}
	t.Logf("%d of %d pages refused when garbled", refused, len(orig)/ps)
}

func TestCheckFile(t *testing.T) {
	path := closedStore(t, 10)
	if _, err := CheckFile(path); err != nil {
		t.Errorf("CheckFile(good store) = %v", err)
	}
	other := filepath.Join(t.TempDir(), "other.db")
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckFile(other); !errors.Is(err, ErrDamaged) {
		t.Errorf("CheckFile(empty) = %v, want ErrDamaged", err)
	}
}

// TestCheckTime measures the open-time check on a store of 100,000 reports (go test -run
// TestCheckTime -v ./storage/ with LAPOR_CHECK_BENCH=1; skipped otherwise: it takes a while to
// build the store).
func TestCheckTime(t *testing.T) {
	if os.Getenv("LAPOR_CHECK_BENCH") == "" {
		t.Skip("set LAPOR_CHECK_BENCH=1 to measure the check on 100,000 reports")
	}
	db, _ := openTestDB(t)
	for b := 0; b < 100; b++ {
		err := db.Update(ctx, func(tx Tx) error {
			for i := 0; i < 1000; i++ {
				if err := tx.CreateReport(newReport(KindReport, fmt.Sprintf("35100101019%05d", b*1000+i+1))); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	fi, _ := os.Stat(db.Path)
	start := time.Now()
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	db.Close()
	t.Logf("Open with check of 100,000 reports (%d MiB): %s", fi.Size()>>20, took)
}

func overwrite(t *testing.T, path string, off, n int64) {
	t.Helper()
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(0xA5 ^ i)
	}
	writeAt(t, path, off, b)
}

func zero(t *testing.T, path string, off, n int64) {
	t.Helper()
	writeAt(t, path, off, make([]byte, n))
}

func writeAt(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// highWater is the page count in use per the newer meta page of a closed store (4 KiB pages).
func highWater(t *testing.T, path string) uint64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var best, hw uint64
	for i := int64(0); i < 2; i++ {
		var m [boltMetaStart + 64]byte
		if _, err := f.ReadAt(m[:], i*4096); err != nil {
			t.Fatal(err)
		}
		meta := m[boltMetaStart:]
		if txid := binary.LittleEndian.Uint64(meta[48:]); txid >= best {
			best, hw = txid, binary.LittleEndian.Uint64(meta[40:])
		}
	}
	return hw
}
