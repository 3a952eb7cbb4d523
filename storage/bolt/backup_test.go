package bolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestBackupWhileWriting takes hot backups while reports are filed in parallel: each backup
// opens as a whole store holding every report committed before the backup began, and the last
// one, restored after the writers stop, holds every report.
func TestBackupWhileWriting(t *testing.T) {
	db, _ := openTestDB(t)
	dir := t.TempDir()
	var (
		mu       sync.Mutex
		filed    []string
		wg       sync.WaitGroup
		stop     = make(chan struct{})
		writeErr error
	)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				r := newReport(KindReport, fmt.Sprintf("3510010101%d9%05d", w, i+1))
				if err := db.CreateReport(ctx, r); err != nil {
					mu.Lock()
					writeErr = err
					mu.Unlock()
					return
				}
				mu.Lock()
				filed = append(filed, r.ID)
				mu.Unlock()
			}
		}(w)
	}
	for b := 0; b < 5; b++ {
		mu.Lock()
		before := append([]string(nil), filed...)
		mu.Unlock()
		path := filepath.Join(dir, fmt.Sprintf("b%d.db", b))
		if _, err := db.BackupFile(path); err != nil {
			t.Fatalf("BackupFile: %v", err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("backup mode = %o, want 600", fi.Mode().Perm())
		}
		ids := storedIDs(t, path)
		for _, id := range before {
			if !ids[id] {
				t.Fatalf("backup %d lacks %s, filed before it began", b, id)
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Enough writes for the final comparison to mean something, however slow the machine.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		n := len(filed)
		mu.Unlock()
		if n >= 100 {
			break
		}
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatal(writeErr)
	}
	final := filepath.Join(dir, "final.db")
	if _, err := db.BackupFile(final); err != nil {
		t.Fatal(err)
	}
	// Restore into a fresh data directory, as after losing the disk.
	dst := filepath.Join(t.TempDir(), "data", "laporbansos.db")
	if kept, err := Restore(final, dst, t0); err != nil || kept != "" {
		t.Fatalf("Restore = %q, %v", kept, err)
	}
	ids := storedIDs(t, dst)
	if len(ids) != len(filed) || len(filed) < 100 {
		t.Fatalf("restored store has %d reports, %d were filed", len(ids), len(filed))
	}
	for _, id := range filed {
		if !ids[id] {
			t.Fatalf("restored store lacks %s", id)
		}
	}
}

func storedIDs(t *testing.T, path string) map[string]bool {
	t.Helper()
	db := NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	ids := map[string]bool{}
	err := db.View(ctx, func(tx Tx) error {
		return tx.ForEachReport(func(r *Report) error { ids[r.ID] = true; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestRestore(t *testing.T) {
	good := closedStore(t, 3)
	backup := filepath.Join(t.TempDir(), "backup.db")
	data, _ := os.ReadFile(good)
	if err := os.WriteFile(backup, data, 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	t.Run("refused while the store is open", func(t *testing.T) {
		db, _ := openTestDB(t)
		mustCreate(t, db, newReport(KindReport, "3510010101900001"))
		_, err := Restore(backup, db.Path, t0)
		if !errors.Is(err, ErrInUse) {
			t.Fatalf("Restore over an open store = %v, want ErrInUse", err)
		}
		// The running store is untouched and still writable.
		mustCreate(t, db, newReport(KindReport, "3510010101900002"))
		if n, _ := db.Reports(ctx, ReportFilter{}); len(n) != 2 {
			t.Errorf("store has %d reports after the refused restore, want 2", len(n))
		}
	})
	t.Run("refuses a damaged backup", func(t *testing.T) {
		dst := closedStore(t, 1)
		if _, err := Restore(empty, dst, t0); !errors.Is(err, ErrDamaged) {
			t.Fatalf("Restore(empty backup) = %v, want ErrDamaged", err)
		}
		if len(storedIDs(t, dst)) != 1 {
			t.Error("the store was changed by a refused restore")
		}
	})
	t.Run("replaces a damaged store and keeps it aside", func(t *testing.T) {
		dst := closedStore(t, 1)
		if err := os.Truncate(dst, 0); err != nil {
			t.Fatal(err)
		}
		kept, err := Restore(backup, dst, t0)
		if err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(kept); err != nil || fi.Size() != 0 {
			t.Errorf("the replaced file was not kept as %s: %v", kept, err)
		}
		if n := len(storedIDs(t, dst)); n != 3 {
			t.Errorf("restored store has %d reports, want 3", n)
		}
		if fi, _ := os.Stat(dst); fi.Mode().Perm() != 0o600 {
			t.Errorf("restored mode = %o, want 600", fi.Mode().Perm())
		}
	})
}

func TestBackupRotate(t *testing.T) {
	db, _ := openTestDB(t)
	dir := filepath.Join(t.TempDir(), "backups")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// Not a rotating backup: never removed.
	if err := os.WriteFile(filepath.Join(dir, "laporbansos-manual.db"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	at := t0
	var made []string
	for i := 0; i < 5; i++ {
		mustCreate(t, db, newReport(KindReport, fmt.Sprintf("351001010190%04d", i+1)))
		path, removed, err := db.BackupRotate(dir, 3, at)
		if err != nil {
			t.Fatal(err)
		}
		made = append(made, path)
		if wantRemoved := max(0, len(made)-3); len(removed) != min(1, wantRemoved) {
			t.Errorf("round %d removed %v", i, removed)
		}
		at = at.Add(6 * time.Hour)
	}
	got, err := ListBackups(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != made[2] || got[2] != made[4] {
		t.Fatalf("kept %v, want the last three of %v", got, made)
	}
	if _, err := os.Stat(filepath.Join(dir, "laporbansos-manual.db")); err != nil {
		t.Error("a file that is not a rotating backup was removed")
	}
	if n := len(storedIDs(t, got[2])); n != 5 {
		t.Errorf("newest backup has %d reports, want 5", n)
	}
	if _, _, err := db.BackupRotate(dir, 0, at); !errors.Is(err, ErrInvalid) {
		t.Errorf("keep 0 = %v, want ErrInvalid", err)
	}
}
