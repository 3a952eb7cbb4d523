package bolt

import (
	"errors"
	"testing"
	"time"
)

func TestUsers(t *testing.T) {
	db, clock := openTestDB(t)
	// A fresh file has no users bucket yet: reads answer empty / not found, not an error.
	if us, err := db.Users(ctx); err != nil || len(us) != 0 {
		t.Fatalf("Users on a fresh store: %v %v", us, err)
	}
	if _, err := db.User(ctx, "kepala"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("User on a fresh store: %v", err)
	}
	for _, tc := range []struct {
		name string
		u    User
		want error
	}{
		{"viewer", User{Name: "Operator.Satu", Role: RoleViewer, Hash: "$argon2id$x"}, nil},
		{"supervisor", User{Name: "kepala", Role: RoleSupervisor, Hash: "$argon2id$y"}, nil},
		{"bad name", User{Name: "kepala dinas", Role: RoleViewer, Hash: "h"}, ErrInvalid},
		{"empty name", User{Name: " ", Role: RoleViewer, Hash: "h"}, ErrInvalid},
		{"bad role", User{Name: "x", Role: "admin", Hash: "h"}, ErrInvalid},
		{"no hash", User{Name: "x", Role: RoleViewer}, ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := db.PutUser(ctx, tc.u); !errors.Is(err, tc.want) {
				t.Fatalf("PutUser: %v, want %v", err, tc.want)
			}
		})
	}
	u, err := db.User(ctx, "OPERATOR.satu")
	if err != nil || u.Name != "operator.satu" || u.Role != RoleViewer || !u.CreatedAt.Equal(t0) {
		t.Fatalf("User: %+v %v", u, err)
	}
	us, err := db.Users(ctx)
	if err != nil || len(us) != 2 || us[0].Name != "kepala" || us[1].Name != "operator.satu" {
		t.Fatalf("Users: %+v %v", us, err)
	}
	if err := db.DeleteUser(ctx, "kepala"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteUser(ctx, "kepala"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	clock.Advance(time.Hour)
	if us, _ := db.Users(ctx); len(us) != 1 {
		t.Fatalf("after delete: %+v", us)
	}
}

func TestReportForViewRecordsTheView(t *testing.T) {
	db, clock := openTestDB(t)
	r := mustCreate(t, db, newReport(KindReport, "3510091203850001"))
	if vs, err := db.Views(ctx, time.Time{}, 0); err != nil || len(vs) != 0 {
		t.Fatalf("Views on a fresh store: %v %v", vs, err)
	}
	clock.Advance(time.Minute)
	got, err := db.ReportForView(ctx, r.ID, "kepala")
	if err != nil || got.ID != r.ID || got.NIK != r.NIK {
		t.Fatalf("ReportForView: %+v %v", got, err)
	}
	clock.Advance(time.Minute)
	if _, err := db.ReportForView(ctx, "LB-2611-0099", "kepala"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing report: %v", err)
	}
	if _, err := db.ReportForView(ctx, r.ID, "budi"); err != nil {
		t.Fatal(err)
	}
	vs, err := db.Views(ctx, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []ViewEntry{
		{User: "budi", Report: r.ID, At: t0.Add(2 * time.Minute)},
		{User: "kepala", Report: r.ID, At: t0.Add(time.Minute)},
	}
	if len(vs) != len(want) {
		t.Fatalf("views %+v, want %+v", vs, want)
	}
	for i := range want {
		if vs[i].User != want[i].User || vs[i].Report != want[i].Report || !vs[i].At.Equal(want[i].At) {
			t.Fatalf("view %d: %+v, want %+v", i, vs[i], want[i])
		}
	}
	if vs, _ := db.Views(ctx, t0.Add(90*time.Second), 0); len(vs) != 1 || vs[0].User != "budi" {
		t.Fatalf("Views since: %+v", vs)
	}
	if vs, _ := db.Views(ctx, time.Time{}, 1); len(vs) != 1 || vs[0].User != "budi" {
		t.Fatalf("Views limit: %+v", vs)
	}
}
