package registry

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// withRunLimits makes imports spill tiny runs for the test's duration, and records how many runs
// each import spilled.
func withRunLimits(t *testing.T, lim runLimits) *[2]int {
	t.Helper()
	old := defaultRunLimits
	defaultRunLimits = lim
	var seen [2]int
	testHookRuns = func(records, names int) { seen = [2]int{records, names} }
	t.Cleanup(func() { defaultRunLimits, testHookRuns = old, nil })
	return &seen
}

// bucketDump returns every key and value of a bucket of the registry in service.
func bucketDump(t *testing.T, r *Registry, name string) map[string]string {
	t.Helper()
	s := r.cur.Load()
	b := s.tx.Bucket([]byte(name))
	if b == nil {
		t.Fatalf("no bucket %q", name)
	}
	out := map[string]string{}
	if err := b.ForEach(func(k, v []byte) error { out[string(k)] = string(v); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportInRunsEqualsOneRun imports the same source with the default limits (one run, merged
// from memory) and with limits small enough for dozens of spilled runs: the registries must be
// identical, key for key and byte for byte.
func TestImportInRunsEqualsOneRun(t *testing.T) {
	src := filepath.Join(t.TempDir(), "export.csv")
	hits, err := writeSyntheticCSV(src, 20_000, 200)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	one, _ := openTest(t)
	seen := withRunLimits(t, defaultRunLimits)
	resOne, err := one.Import(ctx, src, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *seen != [2]int{0, 0} {
		t.Fatalf("default limits spilled %v runs for 20,000 rows", *seen)
	}

	many, _ := openTest(t)
	seen = withRunLimits(t, runLimits{arenaBytes: 16 << 10, rows: 500, names: 1500})
	resMany, err := many.Import(ctx, src, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if seen[0] < 20 || seen[1] < 20 {
		t.Fatalf("tiny limits spilled only %v runs", *seen)
	}

	resOne.Took, resMany.Took = 0, 0
	if !reflect.DeepEqual(resOne, resMany) {
		t.Errorf("results differ:\none run: %+v\nruns:    %+v", resOne, resMany)
	}
	if resOne.Duplicates == 0 && resOne.RowsImported != 20_000 {
		t.Errorf("imported %d of 20,000 rows", resOne.RowsImported)
	}
	for _, bucket := range []string{bucketNIK, bucketName, bucketMeta} {
		a, b := bucketDump(t, one, bucket), bucketDump(t, many, bucket)
		if len(a) == 0 || !reflect.DeepEqual(a, b) {
			t.Errorf("bucket %s: %d keys in one run, %d in runs, or values differ", bucket, len(a), len(b))
		}
	}
	for _, nik := range hits {
		if _, err := many.Lookup(nik); err != nil {
			t.Fatalf("lookup %s: %v", nik.Masked(), err)
		}
	}
	if entries, _ := os.ReadDir(many.Dir); len(entries) != 1 {
		t.Errorf("data dir after import: %v, want registry.db only", entries)
	}
}

// TestImportRunsKeepSourceOrder: a NIK's rows far apart in the source land in different runs; the
// merge keeps their source order and drops the duplicate, whichever run holds it.
func TestImportRunsKeepSourceOrder(t *testing.T) {
	withRunLimits(t, runLimits{arenaBytes: 4 << 10, rows: 40, names: 200})
	nik := syntheticNIK(7)
	var src strings.Builder
	src.WriteString("nik;nama;program;periode;desa;kecamatan\n")
	filler := func(from int) {
		for i := from; i < from+100; i++ {
			fmt.Fprintf(&src, "%s;Warga %d;PKH;2026 Tahap 1;Sumberrejo;Banyuwangi\n", syntheticNIK(uint64(1000+i)*nikStep), i)
		}
	}
	fmt.Fprintf(&src, "%s;Siti Aminah;BPNT;2026 Tahap 1;Sumberrejo;Banyuwangi\n", nik)
	filler(0)
	fmt.Fprintf(&src, "%s;Siti Aminah;PKH;2026 Tahap 1;Sumberrejo;Banyuwangi\n", nik)
	filler(100)
	fmt.Fprintf(&src, "%s;Siti Aminah;BPNT;2026 Tahap 1;Sumberrejo;Banyuwangi\n", nik) // duplicate
	filler(200)
	fmt.Fprintf(&src, "%s;Siti Aminah;BLT Desa;2026;Sumberrejo;Banyuwangi\n", nik)

	r, _ := openTest(t)
	res, err := r.ImportReader(context.Background(), strings.NewReader(src.String()), "test", ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Duplicates != 1 || res.RowsImported != 303 || res.DistinctNIKs != 301 || res.PerProgram["BPNT"] != 1 || res.PerProgram["PKH"] != 301 {
		t.Errorf("result %+v", res)
	}
	progs, err := r.Lookup(nik)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range progs {
		got = append(got, p.Program)
	}
	if want := []string{"BPNT", "PKH", "BLT Desa"}; !reflect.DeepEqual(got, want) {
		t.Errorf("programs %v, want %v (source order)", got, want)
	}
	m, _, err := r.SearchName(context.Background(), "Banyuwangi", "Sumberrejo", "siti aminah", 5)
	if err != nil || len(m) != 1 || len(m[0].Programs) != 3 {
		t.Errorf("search across runs: %+v, %v", m, err)
	}
}

// TestImportRunsFailureLeavesNothing: an import that fails after spilling runs keeps the registry
// in service and leaves no file behind.
func TestImportRunsFailureLeavesNothing(t *testing.T) {
	withRunLimits(t, runLimits{arenaBytes: 4 << 10, rows: 40, names: 200})
	r, _ := openTest(t)
	good := "nik;nama;program\n" + testNIK + ";Siti;PKH\n"
	if _, err := r.ImportReader(context.Background(), strings.NewReader(good), "good", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	var src bytes.Buffer
	src.WriteString("nik;nama;program\n")
	for i := range 500 {
		fmt.Fprintf(&src, "%s;Warga;PKH\n", syntheticNIK(uint64(i)*nikStep))
	}
	src.WriteString(`"` + strings.Repeat("x", MaxRecordBytes+1) + "\n")
	_, err := r.ImportReader(context.Background(), &src, "bad", ImportOptions{})
	var tl *recordTooLongError
	if !errors.As(err, &tl) {
		t.Fatalf("import of an over-long record: %v", err)
	}
	if got := r.Meta().Source; got != "good" {
		t.Errorf("registry in service: %q", got)
	}
	entries, _ := os.ReadDir(r.Dir)
	if len(entries) != 1 || entries[0].Name() != fileName {
		t.Errorf("data dir after a failed import: %v", entries)
	}
}

// TestRegistryFileHasNameIndex checks the bucket layout a reader of an older binary still opens:
// nik and meta unchanged, name added.
func TestRegistryFileHasNameIndex(t *testing.T) {
	r, _ := openTest(t)
	if _, err := r.Import(context.Background(), testdata("excel-semicolon-bom.csv"), ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	r.Close()
	db, err := bolt.Open(filepath.Join(r.Dir, fileName), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.View(func(tx *bolt.Tx) error {
		for _, name := range []string{bucketNIK, bucketMeta, bucketName} {
			if tx.Bucket([]byte(name)) == nil {
				return fmt.Errorf("no bucket %q", name)
			}
		}
		if v := tx.Bucket([]byte(bucketMeta)).Get([]byte(keyFormat)); string(v) != formatVersion {
			return fmt.Errorf("format %q", v)
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
}

func TestPostingRoundTrip(t *testing.T) {
	for _, niks := range [][]uint64{nil, {1}, {3510010101010001, 3510010101010002, 9999999999999999}} {
		got, err := decodePosting(nil, encodePosting(nil, niks))
		if err != nil || len(got) != len(niks) || (len(niks) > 0 && !reflect.DeepEqual(got, niks)) {
			t.Errorf("%v → %v, %v", niks, got, err)
		}
	}
	for _, bad := range [][]byte{nil, {5, 1}, {0xff}} {
		if _, err := decodePosting(nil, bad); err == nil {
			t.Errorf("decodePosting(%v) accepted", bad)
		}
	}
}

func TestSortNames(t *testing.T) {
	for _, n := range []int{10, 5000} {
		rows := make([]nameRow, n)
		for i := range rows {
			rows[i] = nameRow{key: bloomHash(uint64(i%97)) & nameKeyMask, nik: uint64(i)}
		}
		got := sortNames(rows, nil)
		for i := 1; i < len(got); i++ {
			if got[i-1].key > got[i].key || got[i-1].key == got[i].key && got[i-1].nik > got[i].nik {
				t.Fatalf("n=%d: not sorted stably at %d", n, i)
			}
		}
	}
}

// TestImportCancelledDuringMerge: cancelling while the runs are merged into the new file stops
// the import there and keeps the registry in service.
func TestImportCancelledDuringMerge(t *testing.T) {
	r, _ := openTest(t)
	good := "nik;nama;program\n" + testNIK + ";Siti;PKH\n"
	if _, err := r.ImportReader(context.Background(), strings.NewReader(good), "good", ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	withRunLimits(t, runLimits{arenaBytes: 4 << 10, rows: 40, names: 200})
	testHookRuns = func(int, int) { cancel() } // the merge is starting
	var src strings.Builder
	src.WriteString("nik;nama;program\n")
	for i := range 500 {
		fmt.Fprintf(&src, "%s;Warga;PKH\n", syntheticNIK(uint64(i)*nikStep))
	}
	if _, err := r.ImportReader(ctx, strings.NewReader(src.String()), "big", ImportOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("import cancelled during the merge: %v", err)
	}
	if got := r.Meta().Source; got != "good" {
		t.Errorf("registry in service: %q", got)
	}
	entries, _ := os.ReadDir(r.Dir)
	if len(entries) != 1 || entries[0].Name() != fileName {
		t.Errorf("data dir after a cancelled import: %v", entries)
	}
}

// TestRunReadBufSize: the merge's read buffers stay within their budget however many runs, and
// always hold the longest record.
func TestRunReadBufSize(t *testing.T) {
	floor := MaxRecordBytes + 2*binary.MaxVarintLen64 + 8
	for _, tc := range []struct {
		name string
		runs int
		want int
	}{
		{"no run", 0, runReadBuf},
		{"10 M rows", 20, runReadBuf},
		{"50 M rows", 100, runReadBuf},
		{"national", 280, mergeReadBudget / 280},
		{"absurd", 100_000, floor},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := runReadBufSize(tc.runs); got != tc.want || got < floor {
				t.Errorf("runReadBufSize(%d) = %d, want %d (floor %d)", tc.runs, got, tc.want, floor)
			}
		})
	}
}
