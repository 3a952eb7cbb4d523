package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

var testNow = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

// openTest opens a registry in a temp dir with a fixed clock; its log goes to the returned
// buffer, which tests search for leaked NIKs.
func openTest(t *testing.T) (*Registry, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	r := &Registry{Dir: filepath.Join(t.TempDir(), "data"), Now: func() time.Time { return testNow }, Log: zerolog.New(logs)}
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r, logs
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testdata(name string) string { return filepath.Join("..", "testdata", "registry", name) }

func mustNIK(t *testing.T, s string) NIK {
	t.Helper()
	n, err := ParseNIK(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEmptyRegistry(t *testing.T) {
	r, _ := openTest(t)
	if !r.Empty() {
		t.Error("a new registry is not empty")
	}
	if _, err := r.Lookup(mustNIK(t, testNIK)); !errors.Is(err, ErrNotFound) {
		t.Errorf("Lookup = %v, want ErrNotFound", err)
	}
	if m := r.Meta(); !reflect.DeepEqual(m, Meta{}) {
		t.Errorf("Meta = %+v, want zero", m)
	}
	fi, err := os.Stat(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("data dir mode %v, want 0700", fi.Mode().Perm())
	}
}

func TestImport(t *testing.T) {
	siti := Program{Program: "PKH", Period: "2026 Tahap 3", Status: "Sudah Salur", Name: "Siti Wahyuni",
		Address: "Dusun Krajan; RT 001 RW 002", Desa: "Kembiritan", Kecamatan: "Genteng"}
	siti2 := siti
	siti2.Program, siti2.Status = "BPNT", "Belum Salur"
	tests := []struct {
		name       string
		file       string
		want       map[string][]Program // NIK → programs; nil value: not found
		rowsRead   int
		imported   int
		refused    int
		duplicates int
		niks       int
		perProgram map[string]int
		badLines   []int
		badReasons []string // substrings, in order of badLines
	}{
		{
			name: "Excel: BOM, semicolons, CRLF, quoted separator and newline, spaced header, extra column",
			file: "excel-semicolon-bom.csv",
			want: map[string][]Program{
				testNIK: {siti, siti2},
				"3510011203650007": {{Program: "BLT Desa", Period: "2026 Tahap 2", Status: "Sudah Salur",
					Name: `Budi "Gendut" Santoso`, Address: "Jl. Mawar 3\nRT 004 RW 001", Desa: "Sarongan", Kecamatan: "Pesanggaran"}},
				"3510250101900001": {{Program: "BST", Period: "2026 Tahap 1", Status: "Sudah Salur", Name: "Ahmad",
					Address: "Dusun Lor", Desa: "Gintangan", Kecamatan: "Blimbingsari"}},
				"3510094507800043": nil,
			},
			rowsRead: 4, imported: 4, niks: 3,
			perProgram: map[string]int{"PKH": 1, "BPNT": 1, "BLT Desa": 1, "BST": 1},
		},
		{
			name: "commas, required columns only, any order",
			file: "comma-minimal.csv",
			want: map[string][]Program{
				testNIK:            {{Program: "PKH", Name: "Siti Wahyuni"}},
				"3510011203650007": {{Program: "APD", Name: "Budi Santoso"}},
			},
			rowsRead: 2, imported: 2, niks: 2, perProgram: map[string]int{"PKH": 1, "APD": 1},
		},
		{
			name:     "blank rows Excel leaves behind are skipped, not refused",
			file:     "excel-blank-rows.csv",
			want:     map[string][]Program{testNIK: {{Program: "PKH", Name: "Siti"}}},
			rowsRead: 1, imported: 1, niks: 1, perProgram: map[string]int{"PKH": 1},
		},
		{
			name: "duplicates: same nik, program and periode are stored once",
			file: "duplicates.csv",
			want: map[string][]Program{
				testNIK: {{Program: "PKH", Period: "2026 Tahap 3", Name: "Siti"}, {Program: "PKH", Period: "2026 Tahap 4", Name: "Siti"}},
			},
			rowsRead: 5, imported: 3, duplicates: 2, niks: 2, perProgram: map[string]int{"PKH": 3},
		},
		{
			name: "bad rows are counted and listed, the good ones imported",
			file: "bad-rows.csv",
			want: map[string][]Program{
				testNIK:            {{Program: "PKH", Name: "Siti"}},
				"3510011203650007": {{Program: "BPNT", Name: "Budi"}},
				"3510094507800043": nil,
			},
			rowsRead: 13, imported: 2, refused: 11, niks: 2, perProgram: map[string]int{"PKH": 1, "BPNT": 1},
			badLines: []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13},
			badReasons: []string{
				"column nik: invalid NIK: too short",
				"column nama: empty",
				"column program: empty",
				"4 fields, the header has 3",
				"1 fields, the header has 3",
				"unknown province",
				"invalid birth month",
				"invalid birth day",
				"serial 0000",
				"column nik: invalid NIK: not digits",
				"malformed CSV",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, logs := openTest(t)
			src, err := os.ReadFile(testdata(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			res, err := r.Import(context.Background(), testdata(tt.file), ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(src)
			wantMeta := Meta{Source: testdata(tt.file), SHA256: hex.EncodeToString(sum[:]), ImportedAt: testNow,
				RowsRead: tt.rowsRead, RowsImported: tt.imported, RowsRefused: tt.refused, Duplicates: tt.duplicates,
				DistinctNIKs: tt.niks, PerProgram: tt.perProgram}
			if !reflect.DeepEqual(res.Meta, wantMeta) {
				t.Errorf("result Meta:\n got %+v\nwant %+v", res.Meta, wantMeta)
			}
			if m := r.Meta(); !reflect.DeepEqual(m, wantMeta) {
				t.Errorf("Meta():\n got %+v\nwant %+v", m, wantMeta)
			}
			if res.Duplicates != tt.duplicates {
				t.Errorf("Duplicates = %d, want %d", res.Duplicates, tt.duplicates)
			}
			var lines []int
			for i, b := range res.Bad {
				lines = append(lines, b.Line)
				if i < len(tt.badReasons) && !strings.Contains(b.Reason, tt.badReasons[i]) {
					t.Errorf("bad row %d: reason %q does not contain %q", b.Line, b.Reason, tt.badReasons[i])
				}
			}
			if !reflect.DeepEqual(lines, tt.badLines) {
				t.Errorf("bad lines %v, want %v (%+v)", lines, tt.badLines, res.Bad)
			}
			for nik, want := range tt.want {
				got, err := r.Lookup(mustNIK(t, nik))
				if want == nil {
					if !errors.Is(err, ErrNotFound) {
						t.Errorf("Lookup(%s) = %v, %v; want ErrNotFound", nik, got, err)
					}
					continue
				}
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("Lookup(%s):\n got %+v, %v\nwant %+v", nik, got, err, want)
				}
			}
			if r.Empty() {
				t.Error("Empty after an import")
			}
			assertNoFullNIK(t, logs.String()+fmt.Sprint(res.Bad), src)
			fi, err := os.Stat(filepath.Join(r.Dir, "registry.db"))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("registry file mode %v, want 0600", fi.Mode().Perm())
			}
		})
	}
}

// assertNoFullNIK fails if text holds any 16-digit run of the source.
func assertNoFullNIK(t *testing.T, text string, src []byte) {
	t.Helper()
	for _, field := range strings.FieldsFunc(string(src), func(r rune) bool { return r == ';' || r == ',' || r == '\n' || r == '\r' }) {
		d := strings.Map(keepDigits, field)
		if len(d) >= 16 && strings.Contains(text, d[:16]) {
			t.Errorf("a full NIK (%s…) appears in logs or results: %s", d[:6], text)
		}
	}
}

func TestImportRefused(t *testing.T) {
	tests := []struct {
		name string
		file string
		in   io.Reader // when file is ""
		want string    // substring of the error
	}{
		{name: "empty file", file: "empty.csv", want: "empty"},
		{name: "only a BOM", in: strings.NewReader("\uFEFF"), want: "empty"},
		{name: "header without program", file: "missing-program.csv", want: `no "program" column`},
		{name: "header without nik", in: strings.NewReader("NAMA;PROGRAM\nSiti;PKH\n"), want: `no "nik" column`},
		{name: "header only", file: "header-only.csv", want: "no valid row"},
		{name: "no valid row", file: "no-valid-row.csv", want: "no valid row (1 read, 1 refused)"},
		{name: "absurdly long line", in: io.MultiReader(strings.NewReader("nik;nama;program\n"+testNIK+";Siti;PKH\n"), endless('x')), want: "line 3: a record longer than 64 KiB"},
		{name: "absurdly long quoted field with newlines", in: io.MultiReader(strings.NewReader("nik;nama;program\n"+testNIK+";\""), endless('\n')), want: "line 2: a record longer than 64 KiB"},
		{name: "long header", in: endless(';'), want: "line 1: a record longer than 64 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := openTest(t)
			if _, err := r.Import(context.Background(), testdata("comma-minimal.csv"), ImportOptions{}); err != nil {
				t.Fatal(err)
			}
			before := r.Meta()
			var err error
			if tt.file != "" {
				_, err = r.Import(context.Background(), testdata(tt.file), ImportOptions{})
			} else {
				counted := &countingReader{r: tt.in}
				_, err = r.ImportReader(context.Background(), counted, "test", ImportOptions{})
				if counted.n > 1<<20 {
					t.Errorf("read %d bytes before refusing", counted.n)
				}
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Import error %v, want one containing %q", err, tt.want)
			}
			if m := r.Meta(); !reflect.DeepEqual(m, before) {
				t.Errorf("the registry changed after a refused import: %+v", m)
			}
			if _, err := r.Lookup(mustNIK(t, testNIK)); err != nil {
				t.Errorf("the old registry is gone: %v", err)
			}
			if tmp, _ := filepath.Glob(filepath.Join(r.Dir, "registry-*")); len(tmp) > 0 {
				t.Errorf("left files behind: %v", tmp)
			}
		})
	}
}

// endless is a reader that never ends.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

func TestImportOptions(t *testing.T) {
	var src strings.Builder
	src.WriteString("nik;nama;program\n")
	for i := range 30 {
		fmt.Fprintf(&src, "35100945078%05d;;PKH\n", i+1) // no nama
	}
	src.WriteString(testNIK + ";Siti;PKH\n")
	tests := []struct {
		name   string
		max    int
		listed int
	}{
		{"default lists 20", 0, 20},
		{"five", 5, 5},
		{"none", -1, 0},
		{"more than there are", 100, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := openTest(t)
			calls := 0
			res, err := r.ImportReader(context.Background(), strings.NewReader(src.String()), "test", ImportOptions{
				MaxBadRows: tt.max,
				Progress: func(rows int, done, total int64) {
					calls++
					if total != int64(src.Len()) || done > total || rows > 31 {
						t.Errorf("Progress(%d, %d, %d)", rows, done, total)
					}
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Bad) != tt.listed || res.RowsRefused != 30 || res.RowsImported != 1 {
				t.Errorf("%d listed, %d refused, %d imported", len(res.Bad), res.RowsRefused, res.RowsImported)
			}
			if calls == 0 {
				t.Error("Progress never called")
			}
		})
	}
}

func TestImportCancelled(t *testing.T) {
	r, _ := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Import(ctx, testdata("comma-minimal.csv"), ImportOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Import = %v, want context.Canceled", err)
	}
	if !r.Empty() {
		t.Error("a cancelled import changed the registry")
	}
}

func TestReopenKeepsRegistry(t *testing.T) {
	r, _ := openTest(t)
	res, err := r.Import(context.Background(), testdata("excel-semicolon-bom.csv"), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Lookup(mustNIK(t, testNIK)); !errors.Is(err, ErrClosed) {
		t.Errorf("Lookup after Close = %v, want ErrClosed", err)
	}
	if _, err := r.Import(context.Background(), testdata("comma-minimal.csv"), ImportOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Import after Close = %v, want ErrClosed", err)
	}
	// An interrupted import leaves a temp file: Open removes it once its process is gone (a pid
	// above Linux's pid_max never runs).
	stale := filepath.Join(r.Dir, tmpName(1<<30, 123))
	if err := os.WriteFile(stale, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	r2 := &Registry{Dir: r.Dir}
	if err := r2.Open(); err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if !reflect.DeepEqual(r2.Meta(), res.Meta) {
		t.Errorf("Meta after reopen:\n got %+v\nwant %+v", r2.Meta(), res.Meta)
	}
	if progs, err := r2.Lookup(mustNIK(t, testNIK)); err != nil || len(progs) != 2 {
		t.Errorf("Lookup after reopen = %v, %v", progs, err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temp file still there: %v", err)
	}
	if err := r2.Open(); err == nil {
		t.Error("a second Open succeeded")
	}
}

func TestReloadSeesAnotherProcessImport(t *testing.T) {
	r, _ := openTest(t)
	if _, err := r.Import(context.Background(), testdata("comma-minimal.csv"), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if ok, err := r.Reload(); ok || err != nil {
		t.Fatalf("Reload of an unchanged file = %v, %v", ok, err)
	}
	// The import command runs as its own process with its own Registry on the same directory.
	cmd := &Registry{Dir: r.Dir}
	if err := cmd.Open(); err != nil {
		t.Fatal(err)
	}
	if _, err := cmd.Import(context.Background(), testdata("excel-semicolon-bom.csv"), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	cmd.Close()
	if ok, err := r.Reload(); !ok || err != nil {
		t.Fatalf("Reload = %v, %v; want the new file", ok, err)
	}
	progs, err := r.Lookup(mustNIK(t, testNIK))
	if err != nil || len(progs) != 2 {
		t.Errorf("after Reload: %v, %v", progs, err)
	}
}

func TestLookupNotANIK(t *testing.T) {
	r, _ := openTest(t)
	var ne *NIKError
	for _, n := range []NIK{"", "123", "35100945078000x2"} {
		if _, err := r.Lookup(n); !errors.As(err, &ne) {
			t.Errorf("Lookup(%q) = %v, want a *NIKError", n, err)
		}
	}
}

// TestSwapUnderLoad looks NIKs up from several goroutines while imports replace the registry
// over and over: every lookup must see the old or the new registry, never an error or a closed
// transaction. Run with -race.
func TestSwapUnderLoad(t *testing.T) {
	r, _ := openTest(t)
	sources := []string{
		"nik;nama;program\n" + testNIK + ";Siti;PKH\n3510011203650007;Budi;BPNT\n",
		"nik;nama;program\n" + testNIK + ";Siti;BST\n" + testNIK + ";Siti;APD\n",
	}
	if _, err := r.ImportReader(context.Background(), strings.NewReader(sources[0]), "a", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	siti, budi := mustNIK(t, testNIK), mustNIK(t, "3510011203650007")
	var stop atomic.Bool
	var lookups atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				progs, err := r.Lookup(siti)
				if err != nil {
					errs <- fmt.Errorf("Lookup(siti) during a swap: %w", err)
					return
				}
				switch p := progs[0].Program; {
				case len(progs) == 1 && p == "PKH", len(progs) == 2 && p == "BST" && progs[1].Program == "APD":
				default:
					errs <- fmt.Errorf("Lookup(siti) saw a mixed registry: %+v", progs)
					return
				}
				if _, err := r.Lookup(budi); err != nil && !errors.Is(err, ErrNotFound) {
					errs <- fmt.Errorf("Lookup(budi) during a swap: %w", err)
					return
				}
				_ = r.Meta()
				lookups.Add(1)
			}
		}()
	}
	for i := range 20 {
		if _, err := r.ImportReader(context.Background(), strings.NewReader(sources[i%2]), "x", ImportOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if lookups.Load() == 0 {
		t.Error("no lookups ran")
	}
	if files, _ := filepath.Glob(filepath.Join(r.Dir, "*")); len(files) != 1 {
		t.Errorf("files left in the data dir: %v", files)
	}
}

func TestCloseWaitsForLookups(t *testing.T) {
	r, _ := openTest(t)
	if _, err := r.Import(context.Background(), testdata("comma-minimal.csv"), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	n := mustNIK(t, testNIK)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if _, err := r.Lookup(n); err != nil {
					if !errors.Is(err, ErrClosed) {
						t.Errorf("Lookup = %v, want a hit or ErrClosed", err)
					}
					return
				}
			}
		}()
	}
	time.Sleep(5 * time.Millisecond)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
}

func TestLoadDemo(t *testing.T) {
	r, _ := openTest(t)
	res, err := r.LoadDemo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Source != DemoSource || res.RowsRefused != 0 || res.RowsImported < 50 || res.DistinctNIKs < 40 {
		t.Errorf("demo import: %+v", res)
	}
	// The NIKs demo/README.md offers.
	tests := []struct {
		nik      string
		programs []string
	}{
		{"3510161311480101", []string{"PKH"}},
		{"3510164802800102", []string{"PKH", "BPNT"}},
		{"3510052111920112", []string{"BPUM", "APD"}},
		{"3510091506800004", nil},
		{"3510096709810341", nil},
		{"3510136609571404", nil},
	}
	for _, tt := range tests {
		progs, err := r.Lookup(mustNIK(t, tt.nik))
		if tt.programs == nil {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("Lookup(%s) = %v, %v; want ErrNotFound", tt.nik, progs, err)
			}
			continue
		}
		var names []string
		for _, p := range progs {
			names = append(names, p.Program)
		}
		if err != nil || !sameSet(names, tt.programs) {
			t.Errorf("Lookup(%s) = %v, %v; want %v", tt.nik, names, err, tt.programs)
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}
