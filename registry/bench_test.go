package registry

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the baseline only: the product does not import it
)

// Benchmarks compare the bbolt registry with the obvious alternative, SQLite (modernc, pure Go),
// on the same generated source. Size: LAPOR_BENCH_ROWS rows (default 1,000,000; 20,000 with
// -short or CI=true).
//
//	go test ./registry/ -run '^$' -bench . -benchtime 1x            # imports, cold start
//	go test ./registry/ -run '^$' -bench 'Lookup' -benchtime 2000000x

func benchRows() int {
	if s := os.Getenv("LAPOR_BENCH_ROWS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			return n
		}
	}
	if testing.Short() || os.Getenv("CI") == "true" {
		return 20_000
	}
	return 1_000_000
}

// benchSource is the generated CSV, written once per test binary and removed by TestMain.
var benchSource struct {
	once sync.Once
	dir  string
	path string
	rows int
	hits []NIK // NIKs in the source
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchSource.dir != "" {
		os.RemoveAll(benchSource.dir)
	}
	os.Exit(code)
}

func benchCSV(b *testing.B) (path string, rows int, hits []NIK) {
	b.Helper()
	s := &benchSource
	s.once.Do(func() {
		s.dir, s.err = os.MkdirTemp("", "lapor-bench-")
		if s.err != nil {
			return
		}
		s.path = filepath.Join(s.dir, "registry.csv")
		s.rows = benchRows()
		s.hits, s.err = writeSyntheticCSV(s.path, s.rows, 1<<16)
	})
	if s.err != nil {
		b.Fatal(s.err)
	}
	return s.path, s.rows, s.hits
}

// nikSpace enumerates distinct valid NIKs: 25 Banyuwangi kecamatan × birth dates × serials. The
// i-th NIK of a source is syntheticNIK(i*step mod size): distinct, and in no order.
const (
	nikDates = 28 * 2 * 12 * 100 // day 1–28, male/female, month, year
	nikSpace = 25 * nikDates * 9999
	nikStep  = 1_000_003 // prime, coprime with nikSpace
)

func syntheticNIK(i uint64) NIK {
	i %= nikSpace
	serial := i%9999 + 1
	i /= 9999
	kec := i%25 + 1
	i /= 25
	day := i%28 + 1
	i /= 28
	if i%2 == 1 {
		day += 40
	}
	i /= 2
	month := i%12 + 1
	year := i / 12
	return NIK(fmt.Sprintf("3510%02d%02d%02d%02d%04d", kec, day, month, year, serial))
}

// missNIK is a valid NIK that no synthetic source contains: the sources take indices from the
// start of the permutation.
func missNIK(i int) NIK { return syntheticNIK(uint64(nikSpace-1-i) * nikStep) }

var (
	firstNames = []string{"Siti", "Sri", "Budi", "Agus", "Dwi", "Eko", "Tri", "Nur", "Ahmad", "Muhammad", "Wahyu", "Rina", "Dewi", "Suparman", "Sutrisno", "Sumarni", "Slamet", "Ngatini", "Bambang", "Endang", "Yuli", "Hadi", "Puji", "Joko"}
	lastNames  = []string{"Wahyuni", "Rahayu", "Santoso", "Susanti", "Hidayat", "Setiawan", "Lestari", "Prasetyo", "Wulandari", "Kurniawan", "Handayani", "Purnomo", "Saputra", "Utami", "Hartono", "Suryani"}
	dusuns     = []string{"Krajan", "Kidul", "Lor", "Tengah", "Wetan", "Kulon", "Sumberrejo", "Karanganyar", "Sidomulyo"}
	programs   = []string{"PKH", "BPNT", "BLT Desa", "BST", "BPUM", "APD"}
)

// writeSyntheticCSV writes a deterministic registry export of rows rows, semicolon-separated as
// Indonesian Excel does, with some NIKs in 2–3 programs and a few quoted fields. It returns up to
// maxHits of its NIKs.
func writeSyntheticCSV(path string, rows, maxHits int) ([]NIK, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(2026, 3))
	kecs := Regions().Kecamatan("35.10")
	desas := make([][]Region, len(kecs))
	for i, k := range kecs {
		desas[i] = Regions().Desa(k.Code)
	}
	w.WriteString("\uFEFFNIK;Nama;Alamat;Desa;Kecamatan;Program;Periode;Status\n")
	var hits []NIK
	for i, written := uint64(0), 0; written < rows; i++ {
		nik := syntheticNIK(i * nikStep)
		if len(hits) < maxHits && rng.IntN(2) == 0 {
			hits = append(hits, nik)
		}
		kec := int(nik[4]-'0')*10 + int(nik[5]-'0') - 1
		desa := desas[kec][rng.IntN(len(desas[kec]))].Name
		name := firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))]
		if rng.IntN(3) == 0 {
			name = firstNames[rng.IntN(len(firstNames))] + " " + name
		}
		if rng.IntN(100) == 0 {
			name = `"` + name + `, S.Pd"` // a quoted field holding a separator-like comma
		}
		addr := fmt.Sprintf("Dusun %s RT %03d RW %03d", dusuns[rng.IntN(len(dusuns))], rng.IntN(20)+1, rng.IntN(8)+1)
		n := 1
		switch r := rng.IntN(10); {
		case r == 0:
			n = 3
		case r < 3:
			n = 2
		}
		first := rng.IntN(len(programs))
		for p := 0; p < n && written < rows; p++ {
			status := "Sudah Salur"
			if rng.IntN(4) == 0 {
				status = "Belum Salur"
			}
			fmt.Fprintf(w, "%s;%s;%s;%s;%s;%s;2026 Tahap %d;%s\n", nik, name, addr, desa, kecs[kec].Name,
				programs[(first+p)%len(programs)], rng.IntN(4)+1, status)
			written++
		}
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	return hits, f.Close()
}

// lookupQueries alternates NIKs in the registry and NIKs not in it.
func lookupQueries(hits []NIK) []NIK {
	q := make([]NIK, 0, 2*len(hits))
	for i, h := range hits {
		q = append(q, h, missNIK(i))
	}
	return q
}

// timedLoop runs op b.N times, timing each call, and reports the median and 99th percentile
// of all calls and of hits and misses apart (op returns whether it found the NIK).
func timedLoop(b *testing.B, op func(i int) bool) {
	n := min(b.N, 1<<22)
	all := make([]time.Duration, 0, n)
	var hits, misses []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		hit := op(i)
		d := time.Since(t0)
		if len(all) < n {
			all = append(all, d)
			if hit {
				hits = append(hits, d)
			} else {
				misses = append(misses, d)
			}
		}
	}
	b.StopTimer()
	report := func(samples []time.Duration, prefix string) {
		if len(samples) == 0 {
			return
		}
		slices.Sort(samples)
		b.ReportMetric(float64(samples[len(samples)/2].Nanoseconds()), prefix+"median-ns")
		b.ReportMetric(float64(samples[len(samples)*99/100].Nanoseconds()), prefix+"p99-ns")
	}
	report(all, "")
	report(hits, "hit-")
	report(misses, "miss-")
}

func BenchmarkLookup(b *testing.B) {
	path, _, hits := benchCSV(b)
	reg := &Registry{Dir: b.TempDir()}
	if err := reg.Open(); err != nil {
		b.Fatal(err)
	}
	defer reg.Close()
	if _, err := reg.Import(context.Background(), path, ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	queries := lookupQueries(hits)
	found := 0
	runtime.GC()
	b.ReportAllocs()
	timedLoop(b, func(i int) bool {
		progs, err := reg.Lookup(queries[i%len(queries)])
		if err == nil {
			found += len(progs)
		} else if err != ErrNotFound {
			b.Fatal(err)
		}
		return err == nil
	})
	if found == 0 {
		b.Fatal("no hits")
	}
}

func BenchmarkLookupSQLite(b *testing.B) {
	path, _, hits := benchCSV(b)
	db, err := sqliteImport(context.Background(), path, filepath.Join(b.TempDir(), "registry.sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin() // one long read transaction, as the bbolt registry keeps
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	stmt, err := tx.Prepare(`SELECT program, periode, status, nama, alamat, desa, kecamatan FROM recipient WHERE nik = ?`)
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	queries := lookupQueries(hits)
	found := 0
	runtime.GC()
	b.ReportAllocs()
	timedLoop(b, func(i int) bool {
		progs, err := sqliteLookup(stmt, queries[i%len(queries)])
		if err == nil {
			found += len(progs)
		} else if err != ErrNotFound {
			b.Fatal(err)
		}
		return err == nil
	})
	if found == 0 {
		b.Fatal("no hits")
	}
}

func sqliteLookup(stmt *sql.Stmt, nik NIK) ([]Program, error) {
	rows, err := stmt.Query(int64(nik.Uint64()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Program
	for rows.Next() {
		var p Program
		if err := rows.Scan(&p.Program, &p.Period, &p.Status, &p.Name, &p.Address, &p.Desa, &p.Kecamatan); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, ErrNotFound
	}
	return out, nil
}

// sqliteImport is the baseline import: the same CSV reading and NIK validation, then prepared
// INSERTs in one transaction (WAL, synchronous=NORMAL: SQLite's usual production settings).
func sqliteImport(ctx context.Context, src, dbPath string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dbPath+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	fail := func(err error) (*sql.DB, error) { db.Close(); return nil, err }
	if _, err := db.Exec(`CREATE TABLE recipient (nik INTEGER NOT NULL, program TEXT NOT NULL, periode TEXT NOT NULL,
		status TEXT, nama TEXT, alamat TEXT, desa TEXT, kecamatan TEXT, PRIMARY KEY (nik, program, periode)) WITHOUT ROWID`); err != nil {
		return fail(err)
	}
	f, err := os.Open(src)
	if err != nil {
		return fail(err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	if bom, _ := br.Peek(3); string(bom) == "\uFEFF" {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comma = ';'
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	if _, err := cr.Read(); err != nil { // header: the generator's fixed order
		return fail(err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	stmt, err := tx.Prepare(`INSERT OR IGNORE INTO recipient (nik, nama, alamat, desa, kecamatan, program, periode, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return fail(err)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		} else if err != nil {
			return fail(err)
		}
		nik, err := ParseNIK(strings.TrimSpace(rec[0]))
		if err != nil {
			continue
		}
		if _, err := stmt.Exec(int64(nik.Uint64()), rec[1], rec[2], rec[3], rec[4], rec[5], rec[6], rec[7]); err != nil {
			return fail(err)
		}
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fail(err)
	}
	return db, nil
}

func BenchmarkImport(b *testing.B) {
	path, rows, _ := benchCSV(b)
	srcSize := fileSize(b, path)
	var fileBytes int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		reg := &Registry{Dir: b.TempDir()}
		if err := reg.Open(); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		b.StartTimer()
		res, err := reg.Import(context.Background(), path, ImportOptions{})
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if res.RowsImported+res.Duplicates != rows {
			b.Fatalf("imported %d + %d duplicates of %d rows", res.RowsImported, res.Duplicates, rows)
		}
		fileBytes = fileSize(b, filepath.Join(reg.Dir, fileName))
		reg.Close()
		b.StartTimer()
	}
	reportImport(b, rows, srcSize, fileBytes)
}

func BenchmarkImportSQLite(b *testing.B) {
	path, rows, _ := benchCSV(b)
	srcSize := fileSize(b, path)
	var fileBytes int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dbPath := filepath.Join(b.TempDir(), "registry.sqlite")
		runtime.GC()
		b.StartTimer()
		db, err := sqliteImport(context.Background(), path, dbPath)
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
		fileBytes = fileSize(b, dbPath)
		b.StartTimer()
	}
	reportImport(b, rows, srcSize, fileBytes)
}

func reportImport(b *testing.B, rows int, srcSize, fileBytes int64) {
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(rows)/perOp, "rows/s")
	b.ReportMetric(float64(fileBytes)/float64(rows), "file-bytes/row")
	b.ReportMetric(float64(srcSize)/float64(rows), "csv-bytes/row")
}

func fileSize(b *testing.B, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

// BenchmarkColdStart opens a registry file (page cache warm: it was just written) and looks up
// one NIK, as the bot does at start.
func BenchmarkColdStart(b *testing.B) {
	path, _, hits := benchCSV(b)
	dir := b.TempDir()
	reg := &Registry{Dir: dir}
	if err := reg.Open(); err != nil {
		b.Fatal(err)
	}
	if _, err := reg.Import(context.Background(), path, ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	reg.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		reg := &Registry{Dir: dir}
		if err := reg.Open(); err != nil {
			b.Fatal(err)
		}
		if _, err := reg.Lookup(hits[i%len(hits)]); err != nil {
			b.Fatal(err)
		}
		reg.Close()
	}
}

// BenchmarkSearchName searches by (kecamatan, desa, name) for registry entries of the generated
// source: half the queries the full name, half the first and last word (a middle name left out,
// or the first name alone when there are two words).
//
//	LAPOR_BENCH_ROWS=1000000 go test ./registry/ -run '^$' -bench 'SearchName' -benchtime 200000x
func BenchmarkSearchName(b *testing.B) {
	path, _, hits := benchCSV(b)
	reg := &Registry{Dir: b.TempDir()}
	if err := reg.Open(); err != nil {
		b.Fatal(err)
	}
	defer reg.Close()
	if _, err := reg.Import(context.Background(), path, ImportOptions{}); err != nil {
		b.Fatal(err)
	}
	type query struct{ kec, desa, name string }
	var queries []query
	for i, nik := range hits[:min(len(hits), 20000)] {
		progs, err := reg.Lookup(nik)
		if err != nil {
			b.Fatal(err)
		}
		p := progs[0]
		name, _, _ := strings.Cut(p.Name, ",")
		if w := strings.Fields(name); i%2 == 1 {
			name = w[0] + " " + w[len(w)-1]
			if len(w) == 2 {
				name = w[0]
			}
		}
		queries = append(queries, query{p.Kecamatan, p.Desa, name})
	}
	ctx := context.Background()
	found, more := 0, 0
	runtime.GC()
	b.ReportAllocs()
	timedLoop(b, func(i int) bool {
		q := queries[i%len(queries)]
		m, mr, err := reg.SearchName(ctx, q.kec, q.desa, q.name, 5)
		if err != nil {
			b.Fatalf("%q in %s/%s: %v", q.name, q.kec, q.desa, err)
		}
		found += len(m)
		if mr {
			more++
		}
		return true
	})
	b.ReportMetric(float64(found)/float64(b.N), "matches/op")
	b.ReportMetric(float64(more)/float64(b.N), "more/op")
}

// TestWriteBenchCSV writes the generated source to $LAPOR_BENCH_CSV ($LAPOR_BENCH_ROWS rows) for
// measuring a real import from the command line; skipped otherwise.
//
//	LAPOR_BENCH_ROWS=10000000 LAPOR_BENCH_CSV=/tmp/reg10m.csv go test ./registry/ -run WriteBenchCSV
func TestWriteBenchCSV(t *testing.T) {
	path := os.Getenv("LAPOR_BENCH_CSV")
	if path == "" {
		t.Skip("LAPOR_BENCH_CSV not set")
	}
	if _, err := writeSyntheticCSV(path, benchRows(), 0); err != nil {
		t.Fatal(err)
	}
}
