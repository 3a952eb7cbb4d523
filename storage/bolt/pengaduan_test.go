package bolt

import (
	"github.com/laporbansos/laporbansos/storage"

	"context"
	"errors"
	"testing"
	"time"
)

func newPengaduan(db *DB, t *testing.T) *Report {
	t.Helper()
	r := &Report{Kind: KindPengaduan, Status: StatusSubmitted, Reason: "pungli", ReasonText: "diminta bayar",
		Desa: "Kembiritan", Kecamatan: "Genteng", Anonymous: true, From: ChatAddr{Channel: "test", ID: "w1"}}
	if err := db.CreateReport(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r
}

// errAlready marks a case expecting *AlreadyDecidedError.
var errAlready = errors.New("already decided")

// A pengaduan has no NIK, its own number series and its own lifecycle.
func TestPengaduanLifecycle(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	staff := Actor{Channel: "test", ID: "s1", Name: "Bu Rina"}
	first := newPengaduan(db, t)
	if first.ID != "PG-2611-0001" {
		t.Fatalf("first pengaduan numbered %s", first.ID)
	}
	if id, ok := storage.ParseReportID("pg 2611 1"); !ok || id != first.ID {
		t.Errorf("ParseReportID(pg 2611 1) = %q %v", id, ok)
	}
	tests := []struct {
		name string
		to   Status
		note string
		want error // nil: moves
		// already is the step an *AlreadyDecidedError names, when want is errAlready.
		already Status
	}{
		{"eligible is not for a pengaduan", StatusEligible, "", ErrIllegalTransition, ""},
		{"refused needs a reason", StatusRefused, " ", ErrReasonRequired, ""},
		{"followed up", StatusInProgress, "dipanggil", nil, ""},
		{"followed up twice", StatusInProgress, "lagi", errAlready, StatusInProgress},
		{"resolved", StatusResolved, "uang dikembalikan", nil, ""},
		{"nothing after resolved", StatusRefused, "terlambat", errAlready, StatusResolved},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := db.Transition(ctx, first.ID, tt.to, staff, tt.note)
			if tt.want == errAlready {
				var ad *AlreadyDecidedError
				if !errors.As(err, &ad) || ad.Decision.To != tt.already {
					t.Fatalf("Transition to %s: %v, want already decided (%s)", tt.to, err, tt.already)
				}
				return
			}
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("Transition to %s: %v, want %v", tt.to, err, tt.want)
			}
		})
	}
	r, err := db.Report(ctx, first.ID)
	if err != nil || r.Status != StatusResolved || !r.Status.Final() {
		t.Fatalf("after the moves: %v %v", r, err)
	}
	if second := newPengaduan(db, t); second.ID != "PG-2611-0002" {
		t.Errorf("second pengaduan numbered %s", second.ID)
	}
	st, err := db.Stats(ctx, time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if st.Count(KindPengaduan, StatusResolved) != 1 || st.Count(KindPengaduan, StatusSubmitted) != 1 {
		t.Errorf("stats %v", st.Counts[KindPengaduan])
	}
}

// SaveReport keeps photos and confirmations, and refuses what only Transition may change.
func TestSaveReport(t *testing.T) {
	db, _ := openTestDB(t)
	ctx := context.Background()
	r := newPengaduan(db, t)
	tests := []struct {
		name   string
		change func(r *Report)
		ok     bool
	}{
		{"photo appended", func(r *Report) { r.Photos = append(r.Photos, storage.PhotoName(r.ID, 1, "JPG")) }, true},
		{"status", func(r *Report) { r.Status = StatusResolved }, false},
		{"kind", func(r *Report) { r.Kind = KindReport }, false},
		{"NIK", func(r *Report) { r.NIK = "3510091506800004" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur, err := db.Report(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			tt.change(cur)
			err = db.Update(ctx, func(tx Tx) error { return tx.SaveReport(cur) })
			if (err == nil) != tt.ok || (!tt.ok && !errors.Is(err, ErrInvalid)) {
				t.Fatalf("SaveReport: %v, want ok=%v", err, tt.ok)
			}
		})
	}
	got, _ := db.Report(ctx, r.ID)
	if len(got.Photos) != 1 || got.Photos[0] != "PG-2611-0001-1.jpg" || got.Status != StatusSubmitted {
		t.Errorf("saved report: photos %v status %s", got.Photos, got.Status)
	}
}

func TestPhotoName(t *testing.T) {
	for _, tt := range []struct{ ext, want string }{
		{"jpg", "LB-2611-0001-2.jpg"}, {".PNG", "LB-2611-0001-2.png"}, {"", "LB-2611-0001-2.jpg"},
		{"../x", "LB-2611-0001-2.jpg"}, {"tar.gz", "LB-2611-0001-2.jpg"}, {"jpegxl", "LB-2611-0001-2.jpg"},
	} {
		if got := storage.PhotoName("LB-2611-0001", 2, tt.ext); got != tt.want {
			t.Errorf("PhotoName(%q) = %q, want %q", tt.ext, got, tt.want)
		}
	}
}
