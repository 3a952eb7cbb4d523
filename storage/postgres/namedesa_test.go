package postgres_test

import (
	"context"
	"slices"
	"testing"

	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/postgres"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// Rows written before migration 0003 have no name_desa; Open fills it, so their possible
// duplicates are found as bbolt's backfill finds them.
func TestNameDesaBackfill(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	open := func() *postgres.DB {
		db := postgres.New(url)
		if err := db.Open(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db := open()
	var made []string
	for _, name := range []string{"Soedjono", "Sujono", "Sumarni"} {
		r := &storage.Report{Kind: storage.KindReport, Status: storage.StatusSubmitted, NoNIK: true,
			Name: name, Desa: "Sumberagung", KecamatanCode: "35.10.01",
			From: storage.ChatAddr{Channel: "telegram", ID: "1001"}}
		if err := db.CreateReport(ctx, r); err != nil {
			t.Fatal(err)
		}
		made = append(made, r.ID)
	}
	if _, err := db.Pool().Exec(ctx, `UPDATE reports SET name_desa = NULL`); err != nil {
		t.Fatal(err)
	}
	find := func(db *postgres.DB) []string {
		var got []string
		err := db.View(ctx, func(tx storage.Tx) error {
			rs, err := tx.ReportsByNameDesa("35.10.01", "sumberagung", "sujono")
			for _, r := range rs {
				got = append(got, r.ID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := find(db); len(got) != 0 {
		t.Fatalf("before the backfill found %v; the test needs the column empty", got)
	}
	_ = db.Close()
	db = open()
	defer db.Close()
	if got, want := find(db), []string{made[1], made[0]}; !slices.Equal(got, want) {
		t.Errorf("after reopening found %v, want %v", got, want)
	}
}
