package bolt

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

func TestExportCSV(t *testing.T) {
	db, clock := openTestDB(t)
	evil := newReport(KindReport, "3510014107900001")
	evil.Name = `=HYPERLINK("http://evil.example","Klik")`
	evil.ReasonText = "@SUM(1+1)"
	evil.Address = "Jl. Mawar; RT 01\nRW 02"
	evil.ForSelf = false
	evil.ReporterName = "-Budi"
	evil.Relation = "tetangga"
	mustCreate(t, db, evil)

	clock.Advance(time.Hour)
	odd := newReport(KindSanggah, "3510014107900002")
	odd.Name = "Siti; Wahyuni\nbaris dua"
	odd.Reason = "moved"
	mustCreate(t, db, odd)
	clock.Advance(30 * time.Minute)
	if _, err := db.Transition(ctx, odd.ID, StatusDismissed, staffBudi, "+masih tinggal di sini"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		opts      ExportOptions
		wantBOM   bool
		wantComma rune
	}{
		{"defaults for Excel", storage.DefaultExportOptions(), true, ';'},
		{"zero value", ExportOptions{}, false, ';'},
		{"comma", ExportOptions{Comma: ','}, false, ','},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := db.ExportCSV(&buf, tt.opts); err != nil {
				t.Fatal(err)
			}
			data := buf.Bytes()
			hasBOM := bytes.HasPrefix(data, []byte("\xEF\xBB\xBF"))
			if hasBOM != tt.wantBOM {
				t.Fatalf("BOM = %v, want %v", hasBOM, tt.wantBOM)
			}
			data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
			cr := csv.NewReader(bytes.NewReader(data))
			cr.Comma = tt.wantComma
			rows, err := cr.ReadAll()
			if err != nil {
				t.Fatalf("export does not parse back: %v\n%s", err, data)
			}
			if len(rows) != 3 {
				t.Fatalf("%d rows, want header + 2", len(rows))
			}
			if strings.Join(rows[0], ",") != strings.Join(storage.ExportColumns, ",") {
				t.Errorf("header = %v", rows[0])
			}
			get := func(row []string, col string) string {
				for i, c := range storage.ExportColumns {
					if c == col {
						return row[i]
					}
				}
				t.Fatalf("no column %s", col)
				return ""
			}
			checks := []struct {
				row       int
				col, want string
			}{
				{1, "nomor", "LB-2611-0001"},
				{1, "jenis", "laporan"},
				{1, "status", "menunggu verifikasi"},
				{1, "dibuat", "2026-11-22 10:00"},
				{1, "nik", "3510014107900001"},
				{1, "nama", `'=HYPERLINK("http://evil.example","Klik")`},
				{1, "alamat", "Jl. Mawar; RT 01\nRW 02"},
				{1, "keterangan", "'@SUM(1+1)"},
				{1, "pelapor", "'-Budi"},
				{1, "hubungan", "tetangga"},
				{1, "telepon", "6281234567890"},
				{1, "kanal", "telegram"},
				{1, "diputuskan_oleh", ""},
				{2, "nomor", "SG-2611-0001"},
				{2, "jenis", "sanggahan"},
				{2, "status", "sanggahan ditolak"},
				{2, "dibuat", "2026-11-22 11:00"},
				{2, "nama", "Siti; Wahyuni\nbaris dua"},
				{2, "hubungan", "diri sendiri"},
				{2, "alasan", "moved"},
				{2, "diputuskan_oleh", "Budi"},
				{2, "diputuskan_pada", "2026-11-22 11:30"},
				{2, "catatan", "'+masih tinggal di sini"},
			}
			for _, c := range checks {
				if got := get(rows[c.row], c.col); got != c.want {
					t.Errorf("row %d %s = %q, want %q", c.row, c.col, got, c.want)
				}
			}
			// No cell may start a formula.
			for _, row := range rows[1:] {
				for i, cell := range row {
					if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
						t.Errorf("column %s starts a formula: %q", storage.ExportColumns[i], cell)
					}
				}
			}
		})
	}
}
