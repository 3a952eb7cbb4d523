package bolt

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/laporbansos/laporbansos/storage"
)

// Evidence photos are files in DB.PhotoDir named by storage.PhotoName, beside the database file
// rather than in it: one bbolt file holds every step's writes under one writer, and a 10 MB
// value would be copied on every page split. The file is put in place inside the step, under a
// name only that report and that photo number can have: a step that is rolled back leaves a
// file the report's next photo overwrites and the retention purge removes with the report.

// stagedPrefix names photos written before their step; nothing else in the photo directory
// starts with a dot but WritePrivateFile's temporary files.
const stagedPrefix = ".incoming-"

var _ storage.PhotoStager = (*DB)(nil)

// StagePhoto writes data to the photo directory, synced, before the step's transaction (see
// storage.PhotoStager); PutPhoto of the same slice in the step links it. When it cannot write,
// it stages nothing and PutPhoto writes the file in the step.
func (db *DB) StagePhoto(data []byte) (unstage func()) {
	if len(data) == 0 || db.PhotoDir == "" {
		return func() {}
	}
	if err := os.MkdirAll(db.PhotoDir, 0o700); err != nil {
		db.Log.Warn().Err(err).Msg("photo not staged; written in the step")
		return func() {}
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	path := filepath.Join(db.PhotoDir, stagedPrefix+hex.EncodeToString(b[:]))
	if err := storage.WritePrivateFile(path, data); err != nil {
		db.Log.Warn().Err(err).Msg("photo not staged; written in the step")
		return func() {}
	}
	key := &data[0]
	db.stageMu.Lock()
	if db.staged == nil {
		db.staged = map[*byte]string{}
	}
	db.staged[key] = path
	db.stageMu.Unlock()
	return func() {
		db.stageMu.Lock()
		delete(db.staged, key)
		db.stageMu.Unlock()
		_ = os.Remove(path)
	}
}

func (db *DB) stagedFile(data []byte) string {
	if len(data) == 0 {
		return ""
	}
	db.stageMu.Lock()
	defer db.stageMu.Unlock()
	return db.staged[&data[0]]
}

// sweepStaged removes staged photos a crash left between staging and the step.
func (db *DB) sweepStaged() {
	entries, err := os.ReadDir(db.PhotoDir)
	if err != nil {
		return
	}
	for _, d := range entries {
		if strings.HasPrefix(d.Name(), stagedPrefix) {
			_ = os.Remove(filepath.Join(db.PhotoDir, d.Name()))
		}
	}
}

// PutPhoto puts the photo at DB.PhotoDir/name: a link to the file StagePhoto wrote for data,
// or a fresh synced write. See storage.Tx.
func (tx *boltTx) PutPhoto(name string, data []byte) error {
	if !tx.tx.Writable() {
		return bolterrors.ErrTxNotWritable
	}
	if _, ok := storage.PhotoReport(name); !ok || len(data) == 0 {
		return fmt.Errorf("%w: photo %q", ErrInvalid, name)
	}
	dir := tx.db.PhotoDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("storage: photo directory: %w", err)
	}
	path := filepath.Join(dir, name)
	if staged := tx.db.stagedFile(data); staged != "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("storage: photo: %w", err)
		}
		if err := os.Link(staged, path); err == nil {
			return nil
		}
	}
	if err := storage.WritePrivateFile(path, data); err != nil {
		return fmt.Errorf("storage: photo: %w", err)
	}
	return nil
}

// Photo reads DB.PhotoDir/name; ErrNotFound when there is no such file. See storage.Tx.
func (tx *boltTx) Photo(name string) ([]byte, error) {
	if _, ok := storage.PhotoReport(name); !ok {
		return nil, fmt.Errorf("%w: photo", ErrNotFound)
	}
	data, err := os.ReadFile(filepath.Join(tx.db.PhotoDir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: photo %s", ErrNotFound, name)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: photo: %w", err)
	}
	return data, nil
}
