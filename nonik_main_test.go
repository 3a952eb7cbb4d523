package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A report without NIK played on the console, then listed and exported from the command line:
// the list says TANPA NIK, the CSV has the note in its tanpa_nik column, and the office from
// LAPOR_CONTACT is named in the console's help.
func TestConsoleReportWithoutNIK(t *testing.T) {
	env := map[string]string{"LAPOR_DATA_DIR": filepath.Join(t.TempDir(), "data"),
		"LAPOR_CONTACT": "Jl. Contoh 1 Banyuwangi, telp 0333-000000, Senin–Jumat 08.00–15.00"}
	script := "halo\nbantuan\n1\n2\ntidak punya KTP\nbelum pernah rekam e-KTP\nSumarni\nDusun Krajan RT 02 RW 03\nGenteng\nKembiritan\nlansia\n081234567890\nBudi Hartono\ntetangga\nkirim\n"
	code, out, errOut := runMain(t, env, script, "console")
	if code != 0 {
		t.Fatalf("console: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Tidak punya NIK/KTP", "Jl. Contoh 1 Banyuwangi", "Mengapa tidak punya NIK/KTP?", "LB-", "TANPA NIK"} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q:\n%s", want, out)
		}
	}
	code, out, errOut = runMain(t, env, "", "reports", "list")
	if code != 0 || !strings.Contains(out, "TANPA NIK") || !strings.Contains(out, "Sumarni") {
		t.Errorf("reports list: exit %d\n%s%s", code, out, errOut)
	}
	csvPath := filepath.Join(t.TempDir(), "laporan.csv")
	if code, _, errOut := runMain(t, env, "", "reports", "export", "--out", csvPath); code != 0 {
		t.Fatalf("reports export: exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\r\n")
	if len(lines) != 2 {
		t.Fatalf("export:\n%s", data)
	}
	col := slices.Index(strings.Split(lines[0], ";"), "tanpa_nik")
	if row := strings.Split(lines[1], ";"); col < 0 || row[col] != "belum pernah rekam e-KTP" {
		t.Errorf("export (tanpa_nik column %d):\n%s", col, data)
	}
}
