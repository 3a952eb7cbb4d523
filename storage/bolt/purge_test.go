package bolt

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestPurge(t *testing.T) {
	db, clock := openTestDB(t)
	day := 24 * time.Hour
	waChat := ChatAddr{Channel: "whatsapp", ID: "6281234567890@s.whatsapp.net"}

	// Closed 400 days ago: purged. A sanggah dismissed then too: purged.
	old := newReport(KindReport, "3510010101900001")
	old.From, old.ReasonText, old.ReporterName, old.Relation, old.ForSelf = waChat, "rumah roboh", "Budi", "tetangga", false
	mustCreate(t, db, old)
	if _, err := db.Transition(ctx, old.ID, StatusIneligible, staffAni, "sudah mampu"); err != nil {
		t.Fatal(err)
	}
	oldSG := mustCreate(t, db, newReport(KindSanggah, "3510010101900002"))
	if _, err := db.Transition(ctx, oldSG.ID, StatusDismissed, staffAni, "masih layak"); err != nil {
		t.Fatal(err)
	}
	// Filed long ago but still open (layak, not yet delivered): kept whatever its age.
	open := mustCreate(t, db, newReport(KindReport, "3510010101900003"))
	if _, err := db.Transition(ctx, open.ID, StatusEligible, staffAni, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.PutSession(ctx, waChat, &Session{Flow: "lapor", State: "nama"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(400 * day)
	// Filed long ago, delivered only recently: closed for less than the period, kept.
	if _, err := db.Transition(ctx, open.ID, StatusDelivered, staffAni, ""); err != nil {
		t.Fatal(err)
	}
	recent := mustCreate(t, db, &Report{Kind: KindReport, Status: StatusAutoRejected, NIK: "3510010101900005", Name: "Ana", From: citizenChat})
	if err := db.PutSession(ctx, citizenChat, &Session{Flow: "cek"}); err != nil {
		t.Fatal(err)
	}
	photos := db.PhotoDir
	if err := os.MkdirAll(photos, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{old.ID + "-1.jpg", old.ID + ".jpg", oldSG.ID + "-2.png", open.ID + "-1.jpg", old.ID + "1.jpg"} {
		if err := os.WriteFile(filepath.Join(photos, name), []byte("jpeg"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := db.Report(ctx, old.ID)
	auditBefore, _ := db.Audit(ctx, time.Time{})

	dry, err := db.Purge(ctx, 365*day, true)
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := []string{old.ID, oldSG.ID}
	slices.Sort(dry.Reports)
	if !reflect.DeepEqual(dry.Reports, wantIDs) || dry.Sessions != 1 || len(dry.Photos) != 3 {
		t.Fatalf("dry run = %+v, want reports %v, 1 session, 3 photos", dry, wantIDs)
	}
	if r, _ := db.Report(ctx, old.ID); !reflect.DeepEqual(r, before) {
		t.Fatal("dry run changed a report")
	}
	if _, err := os.Stat(filepath.Join(photos, old.ID+"-1.jpg")); err != nil {
		t.Fatal("dry run removed a photo")
	}

	res, err := db.Purge(ctx, 365*day, false)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(res.Reports)
	if !reflect.DeepEqual(res.Reports, wantIDs) || res.Sessions != 1 || len(res.Photos) != 3 {
		t.Fatalf("purge = %+v", res)
	}

	got, err := db.Report(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := *before
	want.NIK, want.Name, want.Address, want.Desa, want.ReasonText, want.Phone = "", "", "", "", "", ""
	want.ReporterName, want.Relation, want.From.ID = "", "", ""
	want.History = slices.Clone(before.History)
	want.History[0].By.ID = PurgedActorID
	want.PurgedAt = clock.Now().Round(0)
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("purged report =\n%+v\nwant\n%+v", *got, want)
	}
	if got.Kecamatan == "" || got.Reason == "" || got.Status != StatusIneligible || got.History[1].Note != "sudah mampu" {
		t.Error("purge removed what statistics need")
	}
	if rs, _ := db.ReportsByNIK(ctx, "3510010101900001"); len(rs) != 0 {
		t.Error("the NIK index still finds the purged report")
	}
	for _, id := range []string{open.ID, recent.ID} {
		r, _ := db.Report(ctx, id)
		if r.NIK == "" || r.Name == "" || !r.PurgedAt.IsZero() {
			t.Errorf("%s (%s) was purged; it is open or closed recently", id, r.Status)
		}
	}
	if _, err := db.Session(ctx, waChat); err == nil {
		t.Error("the idle session was kept")
	}
	if _, err := db.Session(ctx, citizenChat); err != nil {
		t.Error("a recent session was deleted")
	}
	left, _ := os.ReadDir(photos)
	var names []string
	for _, e := range left {
		names = append(names, e.Name())
	}
	if !reflect.DeepEqual(names, []string{old.ID + "1.jpg", open.ID + "-1.jpg"}) && !reflect.DeepEqual(names, []string{open.ID + "-1.jpg", old.ID + "1.jpg"}) {
		t.Errorf("photos left = %v", names)
	}
	audit, _ := db.Audit(ctx, time.Time{})
	if len(audit) != len(auditBefore) {
		t.Fatalf("audit has %d entries, had %d", len(audit), len(auditBefore))
	}
	for i, e := range audit {
		b := auditBefore[i]
		if (e.Report == old.ID || e.Report == oldSG.ID) && e.By.Name == CitizenActorName {
			b.By.ID = PurgedActorID
		}
		if !reflect.DeepEqual(e, b) {
			t.Errorf("audit entry %d = %+v, want %+v", i, e, b)
		}
	}
	// A second purge finds nothing more.
	again, err := db.Purge(ctx, 365*day, false)
	if err != nil || len(again.Reports) != 0 || again.Sessions != 0 {
		t.Errorf("second purge = %+v, %v", again, err)
	}
}
