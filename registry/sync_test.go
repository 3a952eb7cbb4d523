package registry

import (
	"context"
	"os"
	"os/exec"
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
	// A failed sync is tried again next round (the failure may have been the disk or another
	// process, not the file), never left until the source changes.
	waitFor("the failed sync to be retried", func() bool { return strings.Count(logs.String(), "registry sync failed") >= 2 })

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

func TestSyncerNeedsRegistry(t *testing.T) {
	s := &Syncer{Source: "x.csv"}
	if err := s.Run(context.Background()); err == nil {
		t.Error("Run without a registry succeeded")
	}
}

// writeCSV writes a one-recipient export receiving program and returns its path.
func writeCSV(t *testing.T, program string) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(src, []byte("nik;nama;program\n"+testNIK+";Siti;"+program+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return src
}

// A `laporbansos registry import` run beside the bot (another Registry on the same directory,
// as the CLI opens it) is put in service by the running bot's syncer, which has no source of
// its own.
func TestCLIImportPickedUpByRunningBot(t *testing.T) {
	bot, logs := openTest(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &Syncer{Registry: bot, Watch: 5 * time.Millisecond, Log: bot.Log}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	for _, program := range []string{"PKH", "BPNT"} {
		cli := &Registry{Dir: bot.Dir, Log: bot.Log}
		if err := cli.Open(); err != nil {
			t.Fatal(err)
		}
		if _, err := cli.Import(ctx, writeCSV(t, program), ImportOptions{}); err != nil {
			t.Fatal(err)
		}
		cli.Close()
		deadline := time.Now().Add(5 * time.Second)
		for {
			progs, err := bot.Lookup(NIK(testNIK))
			if err == nil && progs[0].Program == program {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the running registry did not pick up the CLI import of %s (%v, %v); log:\n%s", program, progs, err, logs.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}

// The CLI opening the registry while the bot's sync writes its new file must not delete that
// file: only files of dead processes (and unnamed ones a day old) are removed.
func TestCLIBesideRunningSync(t *testing.T) {
	bot, _ := openTest(t)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no `true` to make a dead pid:", err)
	}
	old := time.Now().Add(-48 * time.Hour)
	files := []struct {
		name string
		mod  time.Time
		keep bool
	}{
		{tmpName(os.Getpid(), 1), time.Now(), true},              // the running bot's import in progress
		{tmpName(dead.Process.Pid, 2), time.Now(), false},        // an import killed midway
		{tmpPrefix + "1700000000" + tmpSuffix, old, false},       // an older build's leftover
		{tmpPrefix + "1700000001" + tmpSuffix, time.Now(), true}, // too fresh to judge
		{"notes.txt", old, true},
	}
	for _, f := range files {
		p := filepath.Join(bot.Dir, f.name)
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, f.mod, f.mod); err != nil {
			t.Fatal(err)
		}
	}
	cli := &Registry{Dir: bot.Dir, Log: bot.Log}
	if err := cli.Open(); err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	for _, f := range files {
		_, err := os.Stat(filepath.Join(bot.Dir, f.name))
		if kept := err == nil; kept != f.keep {
			t.Errorf("%s: kept=%v, want %v", f.name, kept, f.keep)
		}
	}

	// And a sync running while the CLI opens and closes the registry over and over completes.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			c := &Registry{Dir: bot.Dir, Log: bot.Log}
			if c.Open() == nil {
				c.Close()
			}
		}
	}()
	for _, program := range []string{"PKH", "BPNT", "PKH"} {
		if _, err := bot.Import(context.Background(), writeCSV(t, program), ImportOptions{}); err != nil {
			t.Fatalf("import beside the CLI: %v", err)
		}
	}
}
