package flows

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// stagedPrefix names photos written before their step; nothing else in the photo directory
// starts with a dot but the store's own temporary files.
const stagedPrefix = ".incoming-"

// stagePhoto writes a downloaded photo to the photo directory, synced, before the step's
// transaction: a 10 MB write and fsync inside the store's single writer would hold up every
// other chat. The step only hard-links it to its final name (cheap, and the same on a retried
// transaction); the caller removes the staged name afterwards, whatever the step did. It
// returns "" when there is nothing to stage or it could not be written (the step then writes
// the file itself).
func (e *Engine) stagePhoto(m *Message) string {
	p := m.Photo
	// Without a message id there is no name the step would find again on a retry.
	if p == nil || e.PhotoDir == "" || m.StaffChat || m.ID == "" || len(p.Data) == 0 || len(p.Data) > MaxPhotoBytes {
		return ""
	}
	if err := os.MkdirAll(e.PhotoDir, 0o700); err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(m.ID))
	path := filepath.Join(e.PhotoDir, stagedPrefix+hex.EncodeToString(sum[:12]))
	if err := storage.WritePrivateFile(path, p.Data); err != nil {
		e.Log.Warn().Err(err).Msg("photo not staged; written in the step")
		return ""
	}
	p.staged = path
	return path
}

// placePhoto puts the photo at path: a link to the staged file, or a fresh write.
func placePhoto(p *Photo, path string) error {
	if p.staged != "" {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return err
		}
		if err := os.Link(p.staged, path); err == nil {
			return nil
		}
	}
	return storage.WritePrivateFile(path, p.Data)
}

// sweepStaged removes staged photos left by a crash between staging and the step.
func (e *Engine) sweepStaged(olderThan time.Time) {
	if e.PhotoDir == "" {
		return
	}
	entries, err := os.ReadDir(e.PhotoDir)
	if err != nil {
		return
	}
	for _, d := range entries {
		if !strings.HasPrefix(d.Name(), stagedPrefix) {
			continue
		}
		if fi, err := d.Info(); err == nil && fi.ModTime().Before(olderThan) {
			_ = os.Remove(filepath.Join(e.PhotoDir, d.Name()))
		}
	}
}
