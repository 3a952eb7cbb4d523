package bolt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestOpenPermissions(t *testing.T) {
	db, _ := openTestDB(t)
	fi, err := os.Stat(db.Path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("file mode = %o, want 600", got)
	}
	di, err := os.Stat(filepath.Dir(db.Path))
	if err != nil {
		t.Fatal(err)
	}
	if got := di.Mode().Perm(); got != 0o700 {
		t.Errorf("dir mode = %o, want 700", got)
	}
	if got := db.db.MaxBatchDelay; got != time.Millisecond {
		t.Errorf("MaxBatchDelay = %v, want 1ms", got)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name string
		db   func(t *testing.T) *DB
	}{
		{"empty path", func(t *testing.T) *DB { return NewDB("") }},
		{"already open", func(t *testing.T) *DB { db, _ := openTestDB(t); return db }},
		{"path is a directory", func(t *testing.T) *DB { return NewDB(t.TempDir()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.db(t).Open(); err == nil {
				t.Fatal("Open succeeded, want error")
			}
		})
	}
}

func TestClosedAndCancelled(t *testing.T) {
	db, _ := openTestDB(t)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := db.Update(cancelled, func(Tx) error { t.Error("fn ran"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Update with cancelled ctx = %v", err)
	}
	if err := db.View(cancelled, func(Tx) error { t.Error("fn ran"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("View with cancelled ctx = %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, func(Tx) error { return nil }); err == nil {
		t.Error("Update on closed DB succeeded")
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// Everything the bot must not lose survives a restart.
func TestReopenKeepsData(t *testing.T) {
	db, clock := openTestDB(t)
	r := mustCreate(t, db, newReport(KindReport, "3510014107900001"))
	if _, err := db.Transition(ctx, r.ID, StatusEligible, staffAni, ""); err != nil {
		t.Fatal(err)
	}
	sess := &Session{Flow: "lapor", State: "nama", Data: map[string]string{"nik": "3510014107900001"}}
	if err := db.PutSession(ctx, citizenChat, sess); err != nil {
		t.Fatal(err)
	}
	if err := db.Enqueue(ctx, &Outbound{To: citizenChat, Payload: []byte(`{"text":"Laporan diterima"}`)}); err != nil {
		t.Fatal(err)
	}
	if err := db.Put(ctx, "telegram", "offset", []byte("42")); err != nil {
		t.Fatal(err)
	}

	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}

	got, err := db.Report(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusEligible || len(got.History) != 2 || got.NIK != r.NIK {
		t.Errorf("report after reopen = %+v", got)
	}
	gs, err := db.Session(ctx, citizenChat)
	if err != nil {
		t.Fatal(err)
	}
	if gs.State != "nama" || gs.Data["nik"] != "3510014107900001" || !gs.UpdatedAt.Equal(t0) {
		t.Errorf("session after reopen = %+v", gs)
	}
	pending, err := db.Pending(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || string(pending[0].Payload) != `{"text":"Laporan diterima"}` {
		t.Errorf("queue after reopen = %+v", pending)
	}
	if v, err := db.Get(ctx, "telegram", "offset"); err != nil || string(v) != "42" {
		t.Errorf("state after reopen = %q, %v", v, err)
	}
	// Numbering continues instead of reusing LB-2611-0001.
	next := mustCreate(t, db, newReport(KindReport, "3510014107900002"))
	if next.ID != "LB-2611-0002" {
		t.Errorf("next ID after reopen = %s", next.ID)
	}
}

// The store refuses to open through a symlink (moved from storage's symlink table).
func TestOpenRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("untouched"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "laporbansos.db")
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symlinks here:", err)
	}
	db := NewDB(link)
	if err := db.Open(); err == nil {
		db.Close()
		t.Fatal("Open followed a symlink")
	}
	if b, _ := os.ReadFile(target); string(b) != "untouched" {
		t.Fatalf("wrote through the symlink: target now %q", b)
	}
}
