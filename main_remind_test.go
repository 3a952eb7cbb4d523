package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRemindTickDividesThePeriod(t *testing.T) {
	cases := []struct {
		every, tick time.Duration
	}{
		{time.Minute, time.Minute},
		{30 * time.Second, 30 * time.Second},
		{90 * time.Second, 45 * time.Second},
		{time.Hour, time.Minute},
		{0, time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.every.String(), func(t *testing.T) {
			got := remindTick(tc.every)
			if got != tc.tick {
				t.Fatalf("remindTick(%v) = %v, want %v", tc.every, got, tc.tick)
			}
			if tc.every > 0 && tc.every%got != 0 {
				t.Fatalf("tick %v does not divide %v", got, tc.every)
			}
		})
	}
}

// On the console, overdue work is chased too, with how late it is; `reports list` speaks words
// and WIB.
func TestConsoleRemindsAndListsInWords(t *testing.T) {
	env := map[string]string{"LAPOR_DATA_DIR": filepath.Join(t.TempDir(), "data")}
	t0 := time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)
	run := func(now time.Time, stdin string, args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] },
			Now: func() time.Time { return now }}
		if code := m.Run(context.Background(), args); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
		return out.String()
	}
	run(t0, "lapor\n1\n3510091506800004\nSumarni\nDusun Krajan RT 02 RW 03\nGenteng\nKembiritan\nlansia\n081234567890\nkirim\n")
	out := run(t0.Add(3*time.Hour+25*time.Minute), "")
	if !strings.Contains(out, "Pengingat pekerjaan terlambat") || !strings.Contains(out, "LB-2611-0001 Sumarni, Genteng — terlambat 25 menit") {
		t.Fatalf("no reminder on the console:\n%s", out)
	}
	list := run(t0, "", "reports", "list")
	for _, want := range []string{"laporan", "menunggu verifikasi", "2026-11-22 10:00 WIB", "1 laporan"} {
		if !strings.Contains(list, want) {
			t.Errorf("reports list lacks %q:\n%s", want, list)
		}
	}
}
