package registry

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSyncer(t *testing.T) {
	r, logs := openTest(t)
	src := filepath.Join(t.TempDir(), "export.csv")
	write := func(content string, mtime time.Time) {
		t.Helper()
		if err := os.WriteFile(src, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(src, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; log:\n%s", what, logs.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	programOf := func() string {
		progs, err := r.Lookup(NIK(testNIK))
		if err != nil {
			return err.Error()
		}
		return progs[0].Program
	}
	t0 := time.Now().Add(-time.Hour)
	write("nik;nama;program\n"+testNIK+";Siti;PKH\n", t0)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	s := &Syncer{Registry: r, Source: src, Every: 10 * time.Millisecond, Log: r.Log}
	go func() { done <- s.Run(ctx) }()

	waitFor("the first import", func() bool { return programOf() == "PKH" })
	first := r.Meta().ImportedAt

	// Same content, new mtime: checksummed, not re-imported.
	write("nik;nama;program\n"+testNIK+";Siti;PKH\n", t0.Add(time.Minute))
	time.Sleep(50 * time.Millisecond)
	if n := strings.Count(logs.String(), "registry imported"); n != 1 {
		t.Errorf("%d imports of unchanged content", n)
	}
	if !r.Meta().ImportedAt.Equal(first) {
		t.Error("unchanged content was re-imported")
	}

	write("nik;nama;program\n"+testNIK+";Siti;BPNT\n", t0.Add(2*time.Minute))
	waitFor("the changed source", func() bool { return programOf() == "BPNT" })

	// A broken export is logged and the registry in service stays.
	write("nama;program\nSiti;PKH\n", t0.Add(3*time.Minute))
	waitFor("the failure to be logged", func() bool { return strings.Contains(logs.String(), "registry sync failed") })
	time.Sleep(50 * time.Millisecond)
	if got := programOf(); got != "BPNT" {
		t.Errorf("after a failed sync: %s", got)
	}
	if n := strings.Count(logs.String(), "registry sync failed"); n != 1 {
		t.Errorf("the same broken file was tried %d times", n)
	}

	// A missing export is not fatal either.
	os.Remove(src)
	time.Sleep(30 * time.Millisecond)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	assertNoFullNIK(t, logs.String(), []byte(testNIK))
}

func TestSyncerNeedsSource(t *testing.T) {
	r, _ := openTest(t)
	for _, s := range []*Syncer{{Registry: r}, {Source: "x.csv"}} {
		if err := s.Run(context.Background()); err == nil {
			t.Errorf("Run(%+v) without registry or source succeeded", s)
		}
	}
}
