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
	Source   string        // path of the CSV export; "" only watches registry.db (see Watch)
	Every    time.Duration // how often to look at Source; one hour when zero
	// Watch is how often to look for a registry.db replaced by another process (`laporbansos
	// registry import` beside the running bot); one minute when zero.
	Watch time.Duration
	Log   zerolog.Logger
	// Shared, with several instances on one database, is where each publishes the version it
	// serves; Instance names this one there. An instance then checks its source as soon as
	// another one has imported a newer version (see Shared).
	Shared   Shared
	Instance string

	shared shareState
}

// Run checks at once and then every Watch for a replaced registry.db, and every Every for a
// changed source, until ctx is done; it then returns nil. A failed check or import is logged and
// tried again next round, never fatal: the registry in service stays.
func (s *Syncer) Run(ctx context.Context) error {
	if s.Registry == nil {
		return errors.New("registry: syncer needs a registry")
	}
	every, watch := s.Every, s.Watch
	if every <= 0 {
		every = time.Hour
	}
	if watch <= 0 {
		watch = time.Minute
	}
	watch = min(watch, every)
	var w syncWatch
	t := time.NewTicker(watch)
	defer t.Stop()
	for tick := 0; ; tick++ {
		s.reload()
		if s.Source != "" && tick%max(int(every/watch), 1) == 0 {
			s.check(ctx, &w)
		}
		s.share(ctx, &w)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// reload puts in service a registry.db another process replaced.
func (s *Syncer) reload() {
	if reloaded, err := s.Registry.Reload(); err != nil {
		s.Log.Error().Err(err).Msg("registry reload failed; keeping the registry in service")
	} else if reloaded {
		s.Log.Info().Msg("registry file replaced by another process: reloaded")
	}
}

// syncWatch remembers what the last good round saw, so that an unchanged file costs one stat.
// A failed import is not remembered: the next round tries again (the failure may have been the
// disk, or another process, not the file).
type syncWatch struct {
	size    int64
	modTime time.Time
}

func (s *Syncer) check(ctx context.Context, w *syncWatch) {
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
	if sum == s.Registry.Meta().SHA256 {
		w.size, w.modTime = fi.Size(), fi.ModTime()
		return
	}
	res, err := s.Registry.Import(ctx, s.Source, ImportOptions{})
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		s.Log.Error().Err(err).Msg("registry sync failed; keeping the registry in service, trying again next round")
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
