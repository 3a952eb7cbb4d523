package bolt

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrInUse is returned by Restore while a process has the store open.
var ErrInUse = errors.New("storage: the store is open in a running bot")

// Backup writes a consistent copy of the whole store to w while the bot keeps running: one
// read transaction's snapshot (bbolt Tx.WriteTo), so writers are not blocked and the copy holds
// every report committed before it began. It returns the number of bytes written.
func (db *DB) Backup(w io.Writer) (n int64, err error) {
	if db.db == nil {
		return 0, errNotOpen
	}
	err = db.db.View(func(tx *bolt.Tx) error {
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// BackupFile writes a hot copy of the store to path, mode 0600. The copy is written to a
// temporary file beside path, synced and renamed over it, so path is always either the previous
// file or a whole new copy, never half a backup.
func (db *DB) BackupFile(path string) (int64, error) {
	var n int64
	err := writeAtomic(path, func(f *os.File) error {
		var err error
		n, err = db.Backup(f)
		return err
	})
	return n, err
}

// writeAtomic creates path through a synced temporary file in the same directory, mode 0600.
func writeAtomic(path string, fill func(f *os.File) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	if err = fill(f); err != nil {
		return fmt.Errorf("storage: write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("storage: sync %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("storage: sync %s: %w", dir, err)
	}
	return nil
}

// Rotating backups are named laporbansos-YYYYMMDD-HHMMSS.db (UTC), so names sort by age.
const (
	backupPrefix = "laporbansos-"
	backupSuffix = ".db"
	backupStamp  = "20060102-150405"
)

// BackupRotate writes a new backup into dir (created 0700) named after now, then deletes the
// oldest rotating backups so that keep remain. It returns the new file and the removed ones.
// Files in dir that are not rotating backups are left alone.
func (db *DB) BackupRotate(dir string, keep int, now time.Time) (path string, removed []string, err error) {
	if keep < 1 {
		return "", nil, fmt.Errorf("%w: keep %d backups", ErrInvalid, keep)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, fmt.Errorf("storage: backup directory: %w", err)
	}
	path = filepath.Join(dir, backupPrefix+now.UTC().Format(backupStamp)+backupSuffix)
	if _, err := db.BackupFile(path); err != nil {
		return "", nil, err
	}
	backups, err := ListBackups(dir)
	if err != nil {
		return path, nil, err
	}
	for len(backups) > keep {
		old := backups[0]
		backups = backups[1:]
		if err := os.Remove(old); err != nil && !errors.Is(err, os.ErrNotExist) {
			return path, removed, fmt.Errorf("storage: remove old backup: %w", err)
		}
		removed = append(removed, old)
	}
	return path, removed, nil
}

// ListBackups returns the rotating backups in dir, oldest first.
func ListBackups(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(name, backupPrefix) || !strings.HasSuffix(name, backupSuffix) {
			continue
		}
		if _, err := time.Parse(backupStamp, strings.TrimSuffix(strings.TrimPrefix(name, backupPrefix), backupSuffix)); err != nil {
			continue
		}
		out = append(out, filepath.Join(dir, name))
	}
	sort.Strings(out)
	return out, nil
}

// Restore puts the backup at src in place of the store at dst, only while no process has dst
// open: it takes bbolt's own lock on dst and returns ErrInUse when a running bot holds it. src
// is checked page by page first (a *DamagedError when it is not a whole store). The file it
// replaces, damaged or not, is kept beside it as dst.before-restore-<time>, and its name is
// returned ("" when there was none): a restore never destroys data.
func Restore(src, dst string, now time.Time) (kept string, err error) {
	if _, err := CheckFile(src); err != nil {
		return "", fmt.Errorf("backup %s: %w", src, err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", fmt.Errorf("storage: %w", err)
	}
	cur, err := os.OpenFile(dst, os.O_RDWR, 0)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return "", fmt.Errorf("storage: %w", err)
	default:
		defer cur.Close()
		ok, err := tryLock(cur)
		if err != nil {
			return "", fmt.Errorf("storage: lock %s: %w", dst, err)
		}
		if !ok {
			return "", fmt.Errorf("%w: stop it first (systemctl stop laporbansos), then restore (%s)", ErrInUse, dst)
		}
	}
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("storage: %w", err)
	}
	defer in.Close()
	tmp := dst + ".restoring"
	err = writeAtomic(tmp, func(f *os.File) error {
		_, err := io.Copy(f, in)
		return err
	})
	if err != nil {
		return "", err
	}
	if cur != nil {
		kept = dst + ".before-restore-" + now.UTC().Format(backupStamp)
		if err := os.Rename(dst, kept); err != nil {
			_ = os.Remove(tmp)
			return "", fmt.Errorf("storage: keep the current store: %w", err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return kept, fmt.Errorf("storage: %w", err)
	}
	return kept, syncDir(filepath.Dir(dst))
}
