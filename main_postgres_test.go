package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// With LAPOR_DATABASE_URL the whole state lives in PostgreSQL: a console report is kept there
// (no bbolt file appears), a second process sees it, and the file-only commands refuse.
func TestStateInPostgreSQL(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"LAPOR_DATA_DIR": dir, "LAPOR_DATABASE_URL": pgtest.NewDatabase(t)}
	script := "halo\n1\n2\n3510091506800004\nSumarni\nDusun Krajan RT 02 RW 03\nGenteng\nKembiritan\nlansia\n081234567890\nBudi Hartono\ntetangga\nkirim\n"
	code, out, errOut := runMain(t, env, script)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	id := regexp.MustCompile(`LB-\d{4}-\d{4}`).FindString(out)
	if id == "" {
		t.Fatalf("no report number in the console output:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "laporbansos.db")); !os.IsNotExist(err) {
		t.Errorf("a bbolt file was created beside PostgreSQL: %v", err)
	}
	code, out, errOut = runMain(t, env, "", "reports", "list")
	if code != 0 || !strings.Contains(out, id) {
		t.Errorf("reports list from PostgreSQL: exit %d, %s %s", code, out, errOut)
	}
	for _, args := range [][]string{{"backup", filepath.Join(t.TempDir(), "b.db")}, {"restore", "x.db"}} {
		if code, _, errOut := runMain(t, env, "", args...); code == 0 || !strings.Contains(errOut, "pg_dump") {
			t.Errorf("%s with PostgreSQL: exit %d, %s", args[0], code, errOut)
		}
	}
}

// doctor with LAPOR_DATABASE_URL checks the database rather than a bbolt file, and looks for the
// linked WhatsApp device in it.
func TestDoctorPostgreSQL(t *testing.T) {
	cases := []struct {
		name string
		url  func(t *testing.T) string
		want []string
	}{
		{"reachable, no device linked", func(t *testing.T) string { return pgtest.NewDatabase(t) },
			[]string{"ok   reports store          PostgreSQL (LAPOR_DATABASE_URL): connected", "FIX  whatsapp               no device linked"}},
		{"unreachable", func(t *testing.T) string {
			pgtest.NewDatabase(t) // skips the test without a server, like the reachable case
			return "postgres://laporbansos:rahasia@127.0.0.1:1/laporbansos?sslmode=disable&connect_timeout=2"
		}, []string{"FIX  reports store          PostgreSQL (LAPOR_DATABASE_URL):", "FIX  whatsapp               its session is in PostgreSQL, which is unreachable"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"LAPOR_DATA_DIR": filepath.Join(t.TempDir(), "data"), "LAPOR_DATABASE_URL": tc.url(t), "LAPOR_WHATSAPP": "1",
				"LAPOR_WHATSAPP_STAFF_GROUPS": "120363000000000001@g.us"}
			code, out, _ := runMain(t, env, "", "doctor")
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("doctor output lacks %q:\n%s", want, out)
				}
			}
			if code != 1 {
				t.Errorf("doctor exit %d, want 1 (something to fix)", code)
			}
			if strings.Contains(out, "rahasia") {
				t.Errorf("doctor printed the database password:\n%s", out)
			}
		})
	}
}
