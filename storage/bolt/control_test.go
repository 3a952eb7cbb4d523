package bolt

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRemoteBackup: a second process cannot open a running bot's store (bbolt's lock), so the
// backup command asks the bot over the control socket; the copy is whole and checked.
func TestRemoteBackup(t *testing.T) {
	db, _ := openTestDB(t)
	for i := 0; i < 50; i++ {
		mustCreate(t, db, newReport(KindReport, fmt.Sprintf("351001010190%04d", i+1)))
	}
	dir, err := os.MkdirTemp("", "ctl") // short: a unix socket path is limited to ~100 bytes
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, ControlSocket)
	if _, err := RemoteBackup(sock, filepath.Join(dir, "x.db")); !errors.Is(err, ErrNoBot) {
		t.Fatalf("RemoteBackup with no bot = %v, want ErrNoBot", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	c := &Control{DB: db, Retention: 24 * time.Hour}
	go func() { done <- c.Serve(ctx, sock) }()
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if fi, err := os.Stat(sock); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket: %v %v", fi, err)
	}
	out := filepath.Join(dir, "backup.db")
	n, err := RemoteBackup(sock, out)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(out); fi.Size() != n || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %d bytes (wrote %d), mode %o", fi.Size(), n, fi.Mode().Perm())
	}
	if got := len(storedIDs(t, out)); got != 50 {
		t.Errorf("backup holds %d reports, want 50", got)
	}
	res, err := RemotePurgeDry(sock)
	if err != nil || len(res.Reports) != 0 {
		t.Errorf("RemotePurgeDry = %+v, %v", res, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Error("socket left behind after shutdown")
	}
}
