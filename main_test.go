package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runMain(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }}
	code := m.Run(context.Background(), args)
	return code, out.String(), errOut.String()
}

// The README's piped console session: a full report, LAYAK, SALUR, then a check.
func TestConsoleScriptedLifecycle(t *testing.T) {
	env := map[string]string{"LAPOR_DATA_DIR": filepath.Join(t.TempDir(), "data")}
	script := "halo\n1\n2\n3510091506800004\nSumarni\nDusun Krajan RT 02 RW 03\nGenteng\nKembiritan\nlansia\n081234567890\nBudi Hartono\ntetangga\nkirim\n" +
		"@tamu LAYAK LB-2611-0001\n@staf LAYAK LB-2611-0001\n@staf SALUR LB-2611-0001\n2\nLB-2611-0001\n"
	code, out, errOut := runMain(t, env, script)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"memuat registry DEMO bawaan",
		"Laporan diterima dengan nomor *LB-",
		"👥 [grup staf] 📋 *LAPORAN BARU LB-",
		"Anda tidak berwenang",
		"dinyatakan LAYAK oleh Petugas Konsol",
		"paket sembako *SUDAH DISALURKAN*",
		"sudah disalurkan (",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("console output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
	// A second run on the same data directory keeps the report and does not reload the demo.
	code, out, _ = runMain(t, env, "2\nLB-2611-0001\n")
	if code != 0 || strings.Contains(out, "memuat registry DEMO") || !strings.Contains(out, "sudah disalurkan (") {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}
	fi, err := os.Stat(env["LAPOR_DATA_DIR"])
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("data dir mode: %v %v", fi.Mode(), err)
	}
}

func TestCLIExitCodes(t *testing.T) {
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "dtks.csv")
	csv := "\ufeffNIK;Nama;Program;Periode;Status\n3510091203850001;Siti Wahyuni;PKH;2026 Tahap 3;Sudah Salur\nbad;X;PKH;;\n"
	if err := os.WriteFile(csvPath, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"LAPOR_DATA_DIR": filepath.Join(dir, "data")}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"help", []string{"help"}, 0, "laporbansos registry import FILE"},
		{"version", []string{"version"}, 0, "laporbansos"},
		{"unknown command", []string{"frobnicate"}, 2, ""},
		{"import without file", []string{"registry", "import"}, 2, ""},
		{"import", []string{"registry", "import", csvPath}, 0, "1 imported, 1 refused"},
		{"lookup hit", []string{"registry", "lookup", "3510 0912 0385 0001"}, 0, "PKH"},
		{"lookup miss", []string{"registry", "lookup", "3510091506800004"}, 1, "not in the registry"},
		{"lookup bad NIK", []string{"registry", "lookup", "123"}, 1, ""},
		{"stats", []string{"registry", "stats"}, 0, "distinct NIKs: 1"},
		{"reports list", []string{"reports", "list"}, 0, "0 laporan"},
		{"reports export", []string{"reports", "export"}, 0, "nomor;jenis;status"},
		{"reports bad flag", []string{"reports", "list", "--nope"}, 2, ""},
		{"config hides nothing secret", []string{"config"}, 0, "LAPOR_DATA_DIR="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runMain(t, env, "", tc.args...)
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
		})
	}
	if code, _, errOut := runMain(t, map[string]string{"LAPOR_CHECK_LIMIT": "x"}, "", "config"); code != 1 || !strings.Contains(errOut, "LAPOR_CHECK_LIMIT") {
		t.Fatalf("bad config: exit %d: %s", code, errOut)
	}
}
