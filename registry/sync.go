package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
)

// Syncer keeps the registry in step with an export file that Smart Kampung / DTKS rewrites (the
// SOP syncs every hour): it re-imports the file whenever its content changed.
type Syncer struct {
	Registry *Registry
	Source   string        // path of the CSV export
	Every    time.Duration // how often to look; one hour when zero
	Log      zerolog.Logger
}

// Run checks the source at once and then every Every, until ctx is done; it then returns nil.
// A failed check or import is logged and tried again next time, never fatal: the registry in
// service stays. Each round also picks up a registry.db replaced by another process (the import
// command).
func (s *Syncer) Run(ctx context.Context) error {
	if s.Registry == nil || s.Source == "" {
		return errors.New("registry: syncer needs a registry and a source file")
	}
	every := s.Every
	if every <= 0 {
		every = time.Hour
	}
	var w syncWatch
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		s.check(ctx, &w)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// syncWatch remembers what the last round saw, so that an unchanged file costs one stat.
type syncWatch struct {
	size    int64
	modTime time.Time
	failed  string // checksum of a source whose import failed: not retried until it changes
}

func (s *Syncer) check(ctx context.Context, w *syncWatch) {
	if reloaded, err := s.Registry.Reload(); err != nil {
		s.Log.Error().Err(err).Msg("registry reload failed")
	} else if reloaded {
		s.Log.Info().Msg("registry file replaced by another process: reloaded")
	}
	fi, err := os.Stat(s.Source)
	if err != nil {
		s.Log.Warn().Err(err).Msg("registry source unreadable; keeping the registry in service")
		return
	}
	if fi.Size() == w.size && fi.ModTime().Equal(w.modTime) {
		return
	}
	sum, err := fileSHA256(s.Source)
	if err != nil {
		s.Log.Warn().Err(err).Msg("registry source unreadable; keeping the registry in service")
		return
	}
	if sum == s.Registry.Meta().SHA256 || sum == w.failed {
		w.size, w.modTime = fi.Size(), fi.ModTime()
		return
	}
	res, err := s.Registry.Import(ctx, s.Source, ImportOptions{})
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		w.failed = sum
		w.size, w.modTime = fi.Size(), fi.ModTime()
		s.Log.Error().Err(err).Msg("registry sync failed; keeping the registry in service")
		return
	}
	w.size, w.modTime = fi.Size(), fi.ModTime()
	if res.RowsRefused > 0 {
		s.Log.Warn().Int("refused", res.RowsRefused).Msg("registry sync refused rows")
	}
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
