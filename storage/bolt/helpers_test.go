package bolt

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// testClock is a settable clock for DB.Now.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// t0 is 2026-11-22 10:00 WIB.
var t0 = time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)

var ctx = context.Background()

// openTestDB opens a fresh database in a temp dir with a clock at t0, closed at test end.
func openTestDB(t testing.TB) (*DB, *testClock) {
	t.Helper()
	clock := &testClock{t: t0}
	db := NewDB(filepath.Join(t.TempDir(), "data", "laporbansos.db"))
	db.Now = clock.Now
	if err := db.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, clock
}

var (
	citizenChat = ChatAddr{Channel: "telegram", ID: "1001"}
	staffAni    = Actor{Channel: "telegram", ID: "501", Name: "Ani"}
	staffBudi   = Actor{Channel: "whatsapp", ID: "6281200000002@s.whatsapp.net", Name: "Budi"}
)

// newReport is a valid report of kind on nik from citizenChat.
func newReport(kind Kind, nik string) *Report {
	return &Report{
		Kind:      kind,
		Status:    StatusSubmitted,
		NIK:       nik,
		Name:      "Siti Wahyuni",
		Address:   "Dusun Krajan RT 01 RW 02",
		Desa:      "Sumberagung",
		Kecamatan: "Pesanggaran",
		Reason:    "lost_job",
		Phone:     "6281234567890",
		ForSelf:   true,
		From:      citizenChat,
	}
}

func mustCreate(t testing.TB, db *DB, r *Report) *Report {
	t.Helper()
	if err := db.CreateReport(ctx, r); err != nil {
		t.Fatalf("CreateReport: %v", err)
	}
	return r
}
