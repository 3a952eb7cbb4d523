package bolt

import (
	"github.com/laporbansos/laporbansos/storage"

	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func noNIKReport(name, desa string) *Report {
	r := newReport(KindReport, "")
	r.NoNIK, r.NoNIKNote = true, "KTP hilang terbawa banjir"
	r.Name, r.Desa, r.KecamatanCode = name, desa, "35.10.01"
	return r
}

func TestCreateReportWithoutNIK(t *testing.T) {
	tests := []struct {
		name    string
		report  func() *Report
		wantErr error
	}{
		{"without NIK, marked", func() *Report { return noNIKReport("Sumarni", "Sumberagung") }, nil},
		{"empty NIK, not marked", func() *Report { return newReport(KindReport, "") }, ErrInvalid},
		{"marked but with a NIK", func() *Report {
			r := noNIKReport("Sumarni", "Sumberagung")
			r.NIK = "3510010101900001"
			return r
		}, ErrInvalid},
		{"a sanggah without NIK", func() *Report {
			r := noNIKReport("Sumarni", "Sumberagung")
			r.Kind = KindSanggah
			return r
		}, ErrInvalid},
		{"auto-rejected without NIK", func() *Report {
			r := noNIKReport("Sumarni", "Sumberagung")
			r.Status = StatusAutoRejected
			return r
		}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := openTestDB(t)
			err := db.CreateReport(ctx, tt.report())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("CreateReport = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestReportsByNameDesa(t *testing.T) {
	db, clock := openTestDB(t)
	first := mustCreate(t, db, noNIKReport("Soedjono", "Sumberagung"))
	clock.Advance(time.Hour)
	withNIK := newReport(KindReport, "3510010101900001")
	withNIK.Name, withNIK.Desa, withNIK.KecamatanCode = "SUJONO ", "SUMBERAGUNG", "35.10.01"
	mustCreate(t, db, withNIK)
	mustCreate(t, db, noNIKReport("Sujono Adi", "Sumberagung")) // another name
	other := noNIKReport("Sujono", "Sumberagung")               // same desa name, other kecamatan
	other.KecamatanCode = "35.10.02"
	mustCreate(t, db, other)

	tests := []struct {
		name, kec, desa, query string
		want                   []string
	}{
		{"old spelling, other case and spacing", "35.10.01", "Sumberagung", "sujono", []string{withNIK.ID, first.ID}},
		{"desa typed with a space", "35.10.01", "Sumber Agung", "Soedjono", nil},
		{"punctuation ignored", "35.10.01", "Sumberagung", "Sujono,", []string{withNIK.ID, first.ID}},
		{"other kecamatan", "35.10.02", "Sumberagung", "Sujono", []string{other.ID}},
		{"no such name", "35.10.01", "Sumberagung", "Sumarni", nil},
		{"empty name", "35.10.01", "Sumberagung", " . ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := db.View(ctx, func(tx Tx) error {
				rs, err := tx.ReportsByNameDesa(tt.kec, tt.desa, tt.query)
				for _, r := range rs {
					got = append(got, r.ID)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("ReportsByNameDesa(%q, %q) = %v, want %v", tt.desa, tt.query, got, tt.want)
			}
		})
	}
}

// The desa is part of the key as typed by the flows (the official name): "Sumber Agung" and
// "Sumberagung" are different keys, and the desa step always stores the official spelling.
func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"  Siti   WAHYUNI ": "siti wahyuni",
		"Moh. Tjahjono":     "moh cahjono",
		"Soekarno":          "sukarno",
		"St.-Aminah":        "st aminah",
		"":                  "",
	} {
		if got := storage.NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPurgeRemovesNoNIKReportAndIndex(t *testing.T) {
	db, clock := openTestDB(t)
	r := mustCreate(t, db, noNIKReport("Sumarni", "Sumberagung"))
	if _, err := db.Transition(ctx, r.ID, StatusIneligible, staffAni, "Mampu"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(400 * 24 * time.Hour)
	res, err := db.Purge(ctx, 365*24*time.Hour, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Reports) != 1 || res.Reports[0] != r.ID {
		t.Fatalf("purged %v, want [%s]", res.Reports, r.ID)
	}
	err = db.View(ctx, func(tx Tx) error {
		got, err := tx.Report(r.ID)
		if err != nil {
			return err
		}
		if got.Name != "" || got.NoNIKNote != "" || got.Desa != "" || !got.NoNIK {
			t.Errorf("after purge: name %q note %q desa %q no-NIK %v", got.Name, got.NoNIKNote, got.Desa, got.NoNIK)
		}
		if k, _ := tx.(*boltTx).bucket(bucketReportNameDesa).Cursor().First(); k != nil {
			t.Errorf("name index still holds %q", k)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A store written before the name index existed gets it on the next Open.
func TestOpenBackfillsNameIndex(t *testing.T) {
	db, _ := openTestDB(t)
	r := mustCreate(t, db, noNIKReport("Sumarni", "Sumberagung"))
	path := db.Path
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := raw.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketReportNameDesa) }); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	err = db.View(ctx, func(tx Tx) error {
		rs, err := tx.ReportsByNameDesa("35.10.01", "Sumberagung", "SUMARNI")
		if len(rs) != 1 || rs[0].ID != r.ID {
			t.Errorf("after backfill: %d reports", len(rs))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestExportNoNIKColumn(t *testing.T) {
	db, _ := openTestDB(t)
	mustCreate(t, db, noNIKReport("Sumarni", "Sumberagung"))
	mustCreate(t, db, newReport(KindReport, "3510010101900001"))
	var buf bytes.Buffer
	if err := db.ExportCSV(&buf, ExportOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\r\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	col := slices.Index(strings.Split(lines[0], ";"), "tanpa_nik")
	if col < 0 {
		t.Fatalf("header %q lacks tanpa_nik", lines[0])
	}
	noNIK, withNIK := strings.Split(lines[1], ";"), strings.Split(lines[2], ";")
	if noNIK[4] != "" || noNIK[col] != "KTP hilang terbawa banjir" {
		t.Errorf("no-NIK row: nik %q, tanpa_nik %q", noNIK[4], noNIK[col])
	}
	if withNIK[4] != "3510010101900001" || withNIK[col] != "" {
		t.Errorf("NIK row: nik %q, tanpa_nik %q", withNIK[4], withNIK[col])
	}
}
