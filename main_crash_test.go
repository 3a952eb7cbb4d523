package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// One damaged report record: `reports list` and `reports export` still work, name the damaged
// number and leave it out; a citizen checking it is told of an outage, not "not found".
func TestCLIWithDamagedRecord(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"LAPOR_DATA_DIR": dir}
	file := func(nik string) string {
		return "1\n1\n" + nik + "\nSumarni\nDusun Krajan RT 02 RW 03\nGenteng\nKembiritan\nlansia\n081234567890\nkirim\n"
	}
	if code, _, errOut := runMain(t, env, file("3510091506800004")+"menu\n"+file("3510095507750005")); code != 0 {
		t.Fatalf("filing: exit %d: %s", code, errOut)
	}
	const bad, good = "LB-2611-0001", "LB-2611-0002"
	bdb, err := bolt.Open(filepath.Join(dir, "laporbansos.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = bdb.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("reports")).Put([]byte(bad), []byte(`{"id":`)) })
	if cerr := bdb.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}

	code, out, errOut := runMain(t, env, "", "reports", "list")
	if code != 0 || !strings.Contains(out, good) || strings.Contains(out, bad) || !strings.Contains(errOut, bad) {
		t.Errorf("reports list: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	csv := filepath.Join(t.TempDir(), "ekspor.csv")
	code, _, errOut = runMain(t, env, "", "reports", "export", "--out", csv)
	data, _ := os.ReadFile(csv)
	if code != 0 || !strings.Contains(string(data), good) || strings.Contains(string(data), bad) || !strings.Contains(errOut, bad) {
		t.Errorf("reports export: exit %d\nfile:\n%s\nstderr:\n%s", code, data, errOut)
	}
	code, out, _ = runMain(t, env, "2\n"+bad+"\n")
	if code != 0 || !strings.Contains(out, "data laporan sedang gangguan") || strings.Contains(out, "tidak ditemukan") {
		t.Errorf("check of the damaged report: exit %d\n%s", code, out)
	}
}
