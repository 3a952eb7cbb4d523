//go:build linux

package bolt

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestDiskFullForReal fills the "disk" for real: in a child process the file size limit
// (RLIMIT_FSIZE) is set to the store's current size, so bbolt's next growth of the file fails
// in the kernel (EFBIG, as ENOSPC would on a full disk). The failed commit must leave every
// earlier report readable and add nothing, and once the limit is lifted (space returns) the same
// open store takes writes again, without a restart.
func TestDiskFullForReal(t *testing.T) {
	if os.Getenv("LAPOR_DISKFULL_CHILD") != "" {
		diskFullChild(t, os.Getenv("LAPOR_DISKFULL_CHILD"))
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDiskFullForReal$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "LAPOR_DISKFULL_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "write refused:") {
		t.Fatalf("the child never hit the limit:\n%s", out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "diskfull_test.go") {
			t.Log(strings.TrimSpace(line))
		}
	}
	// The file the child left behind is whole.
	if _, err := CheckFile(filepath.Join(dir, "laporbansos.db")); err != nil {
		t.Fatalf("store after the disk-full episode: %v", err)
	}
}

func diskFullChild(t *testing.T, dir string) {
	db := NewDB(filepath.Join(dir, "laporbansos.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	long := strings.Repeat("rumah bocor, atap roboh, tidak ada penghasilan. ", 40)
	file := func(i int) error {
		r := newReport(KindReport, fmt.Sprintf("351001010190%04d", i))
		r.ReasonText = long
		return db.CreateReport(ctx, r)
	}
	for i := 1; i <= 20; i++ {
		if err := file(i); err != nil {
			t.Fatal(err)
		}
	}
	fi, _ := os.Stat(db.Path)
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	full := lim
	full.Cur = uint64(fi.Size())
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &full); err != nil {
		t.Fatal(err)
	}
	stored := 20
	var werr error
	for i := 21; i <= 5000; i++ {
		if werr = file(i); werr != nil {
			break
		}
		stored++
	}
	if werr == nil {
		t.Fatal("no write failed under the file size limit")
	}
	t.Logf("write refused: %v (after %d reports, file %d bytes)", werr, stored, fi.Size())
	// bbolt formats the cause with %s, so only the text says it was the kernel's EFBIG.
	if !errors.Is(werr, syscall.EFBIG) && !strings.Contains(werr.Error(), syscall.EFBIG.Error()) {
		t.Errorf("error = %v, want EFBIG from the kernel", werr)
	}
	count := func() int {
		n := 0
		err := db.View(ctx, func(tx Tx) error {
			return tx.ForEachReport(func(*Report) error { n++; return nil })
		})
		if err != nil {
			t.Fatalf("reading after the failed write: %v", err)
		}
		return n
	}
	if n := count(); n != stored {
		t.Fatalf("%d reports readable after the failed write, %d were stored", n, stored)
	}
	// Another try while still full fails the same way and changes nothing.
	if err := file(9000); err == nil {
		t.Fatal("a write succeeded with the disk still full")
	}
	// Space returns: the open store takes writes again.
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if err := file(9100 + i); err != nil {
			t.Fatalf("write after space returned: %v", err)
		}
	}
	if n := count(); n != stored+50 {
		t.Fatalf("%d reports after recovery, want %d", n, stored+50)
	}
	t.Logf("recovered: %d reports", stored+50)
}
