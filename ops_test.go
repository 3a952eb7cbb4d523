package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage/bolt"
)

const reportScript = "halo\n1\n2\n3510091506800004\nSumarni\nDusun Krajan RT 02 RW 03\nGenteng\nKembiritan\nlansia\n081234567890\nBudi Hartono\ntetangga\nkirim\n"

func TestStartRefusesDamagedStore(t *testing.T) {
	tests := []struct {
		name   string
		damage func(path string) error
	}{
		{"emptied", func(p string) error { return os.Truncate(p, 0) }},
		{"truncated", func(p string) error { return os.Truncate(p, 3*4096) }},
		{"a damaged page", func(p string) error {
			f, err := os.OpenFile(p, os.O_RDWR, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteAt(bytes.Repeat([]byte{0xA5}, 3*4096), 2*4096)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"LAPOR_DATA_DIR": filepath.Join(t.TempDir(), "data")}
			if code, _, errOut := runMain(t, env, reportScript, "console"); code != 0 {
				t.Fatalf("console: exit %d: %s", code, errOut)
			}
			path := filepath.Join(env["LAPOR_DATA_DIR"], "laporbansos.db")
			if err := tt.damage(path); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"reports", "list"}, {"console"}, {"reports", "export"}} {
				code, out, errOut := runMain(t, env, "halo\n", args...)
				if code != 1 || !strings.Contains(errOut, path) || !strings.Contains(errOut, "laporbansos restore") {
					t.Errorf("%v: exit %d, stderr %q, want 1 naming the file and the restore command", args, code, errOut)
				}
				if strings.Contains(out, "0 laporan") {
					t.Errorf("%v ran on a damaged store: %s", args, out)
				}
			}
			if fi, err := os.Stat(path); err != nil || (tt.name == "emptied" && fi.Size() != 0) {
				t.Errorf("the damaged file was replaced: %v %v", fi, err)
			}
		})
	}
}

func TestBackupRestoreCLI(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"LAPOR_DATA_DIR": filepath.Join(dir, "data")}
	if code, _, errOut := runMain(t, env, reportScript, "console"); code != 0 {
		t.Fatalf("console: exit %d: %s", code, errOut)
	}
	backup := filepath.Join(dir, "backup.db")
	code, out, errOut := runMain(t, env, "", "backup", backup)
	if code != 0 || !strings.Contains(out, "written to "+backup) {
		t.Fatalf("backup: exit %d %s %s", code, out, errOut)
	}
	if fi, _ := os.Stat(backup); fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %o", fi.Mode().Perm())
	}
	path := filepath.Join(env["LAPOR_DATA_DIR"], "laporbansos.db")

	// While the store is open (a running bot holds bbolt's lock), restore refuses.
	db := bolt.NewDB(path)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runMain(t, env, "", "restore", backup)
	db.Close()
	if code != 1 || !strings.Contains(errOut, "stop it first") {
		t.Fatalf("restore over an open store: exit %d %q", code, errOut)
	}

	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := runMain(t, env, "", "reports", "list"); code != 1 {
		t.Fatal("reports list ran on the emptied store")
	}
	code, out, errOut = runMain(t, env, "", "restore", backup)
	if code != 0 || !strings.Contains(out, "before-restore-") {
		t.Fatalf("restore: exit %d %s %s", code, out, errOut)
	}
	code, out, _ = runMain(t, env, "", "reports", "list")
	if code != 0 || !strings.Contains(out, "1 laporan") {
		t.Fatalf("after restore: exit %d\n%s", code, out)
	}
	if code, _, errOut := runMain(t, env, "", "restore", filepath.Join(dir, "nope.db")); code != 1 || !strings.Contains(errOut, "nope.db") {
		t.Errorf("restore of a missing file: exit %d %q", code, errOut)
	}
}

func TestPurgeCLI(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"LAPOR_DATA_DIR": filepath.Join(dir, "data"), "LAPOR_RETENTION": "30 hari"}
	script := reportScript + "@staf TOLAK LB-2611-0001 sudah mampu\n"
	now := time.Now()
	run := func(at time.Time, stdin string, args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
			Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return at }}
		code := m.Run(context.Background(), args)
		return code, out.String(), errOut.String()
	}
	if code, out, errOut := run(now, script, "console"); code != 0 || !strings.Contains(out, "TIDAK LAYAK") && !strings.Contains(out, "tidak layak") {
		t.Fatalf("console: exit %d\n%s\n%s", code, out, errOut)
	}
	id := ""
	if _, out, _ := run(now, "", "reports", "list"); strings.Contains(out, "LB-") {
		id = strings.Fields(out)[0]
	}
	cases := []struct {
		name string
		at   time.Time
		args []string
		want string
	}{
		{"within the period", now.Add(10 * 24 * time.Hour), []string{"purge", "--dry-run"}, "would remove the personal data of 0 closed reports"},
		{"dry run after it", now.Add(31 * 24 * time.Hour), []string{"purge", "--dry-run"}, "would remove the personal data of 1 closed reports, 1 idle sessions"},
		{"purge", now.Add(31 * 24 * time.Hour), []string{"purge"}, "removed the personal data of 1 closed reports"},
		{"again", now.Add(32 * 24 * time.Hour), []string{"purge"}, "removed the personal data of 0 closed reports"},
	}
	for _, c := range cases {
		code, out, errOut := run(c.at, "", c.args...)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Fatalf("%s: exit %d\n%s\n%s", c.name, code, out, errOut)
		}
	}
	_, out, _ := run(now, "", "reports", "list")
	if !strings.Contains(out, id) || strings.Contains(out, "Sumarni") || strings.Contains(out, "3510") {
		t.Errorf("after the purge the list still shows personal data, or lost the report:\n%s", out)
	}
	_, csv, _ := run(now, "", "reports", "export")
	for _, s := range []string{"Sumarni", "3510091506800004", "081234567890", "6281234567890", "Budi", "Krajan"} {
		if strings.Contains(csv, s) {
			t.Errorf("export after the purge still holds %q", s)
		}
	}
	if !strings.Contains(csv, id) || !strings.Contains(csv, "Genteng") {
		t.Errorf("export after the purge lost the report or its kecamatan:\n%s", csv)
	}
}

func TestDoctor(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bot123:good/getMe" {
			fmt.Fprint(w, `{"ok":true,"result":{"id":123,"is_bot":true,"username":"lapor_bot"}}`)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
	}))
	defer api.Close()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	env := map[string]string{"LAPOR_DATA_DIR": data, "LAPOR_TELEGRAM_API_URL": api.URL,
		"LAPOR_TELEGRAM_TOKEN": "123:good", "LAPOR_TELEGRAM_STAFF_CHATS": "-100", "LAPOR_BACKUP_DIR": filepath.Join(dir, "backups")}
	if code, _, errOut := runMain(t, map[string]string{"LAPOR_DATA_DIR": data}, reportScript, "console"); code != 0 {
		t.Fatal(errOut)
	}
	code, out, _ := runMain(t, env, "", "doctor")
	for _, want := range []string{"ok   data directory", "ok   reports store", "every page checked", "ok   registry", "ok   telegram               getMe: @lapor_bot", "warn backups", "warn contact"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if code != 0 {
		t.Errorf("doctor exit %d on a healthy set-up:\n%s", code, out)
	}

	env["LAPOR_TELEGRAM_TOKEN"] = "123:bad"
	if err := os.Chmod(data, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(data, "laporbansos.db"), 0); err != nil {
		t.Fatal(err)
	}
	code, out, _ = runMain(t, env, "", "doctor")
	for _, want := range []string{"FIX  data directory", "chmod 700", "FIX  reports store", "laporbansos restore", "FIX  telegram", "token is refused"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
	if code != 1 || strings.Contains(out, "123:bad") {
		t.Errorf("doctor: exit %d (want 1), token shown: %v", code, strings.Contains(out, "123:bad"))
	}

	// WhatsApp enabled but never linked.
	wa := map[string]string{"LAPOR_DATA_DIR": filepath.Join(dir, "wa"), "LAPOR_WHATSAPP": "1", "LAPOR_WHATSAPP_STAFF_GROUPS": "120363000000000000@g.us"}
	code, out, _ = runMain(t, wa, "", "doctor")
	if code != 1 || !strings.Contains(out, "FIX  whatsapp") || !strings.Contains(out, "laporbansos whatsapp login") {
		t.Errorf("doctor without a WhatsApp session: exit %d\n%s", code, out)
	}
}
