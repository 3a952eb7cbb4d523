package registry

import (
	"context"
	"sync"
	"time"
)

// Shared is where the instances of one deployment (several processes on one PostgreSQL) tell
// each other which registry version each has in service. Each instance keeps and imports its
// own registry file; sharing the result lets an instance import a new version as soon as
// another one has, instead of up to an hour later, and shows an instance that lags.
type Shared interface {
	// Publish records that instance serves the version v.
	Publish(ctx context.Context, instance string, v Version) error
	// Newest returns the most recently imported version any instance published (zero when
	// none has).
	Newest(ctx context.Context) (Version, error)
}

// Version is one import's result as instances share it.
type Version struct {
	SHA256     string    `json:"sha256"`
	ImportedAt time.Time `json:"imported_at"`
	Rows       int       `json:"rows"`
	NIKs       int       `json:"niks"`
	Instance   string    `json:"instance,omitempty"` // who imported it first
}

// VersionOf is the shared form of m.
func VersionOf(m Meta) Version {
	return Version{SHA256: m.SHA256, ImportedAt: m.ImportedAt, Rows: m.RowsImported, NIKs: m.DistinctNIKs}
}

// Newer reports whether v is a different version imported after w.
func (v Version) Newer(w Version) bool {
	return v.SHA256 != "" && v.SHA256 != w.SHA256 && v.ImportedAt.After(w.ImportedAt)
}

// shareState is the Syncer's memory of what it published and whether it lags.
type shareState struct {
	mu        sync.Mutex
	published string    // SHA256 last published
	behind    Version   // the newer version another instance serves; zero when in step
	since     time.Time // when this instance was first seen behind it
	told      string    // SHA256 of the newer version already logged about
}

// Behind returns the newer version another instance serves and since when this instance has
// been seen behind it; a zero Version when in step (or without Shared).
func (s *Syncer) Behind() (Version, time.Time) {
	s.shared.mu.Lock()
	defer s.shared.mu.Unlock()
	return s.shared.behind, s.shared.since
}

// share publishes the version in service when it changed, and checks this instance's own source
// at once when another instance imported a newer version.
func (s *Syncer) share(ctx context.Context, w *syncWatch) {
	if s.Shared == nil || s.Instance == "" {
		return
	}
	mine := VersionOf(s.Registry.Meta())
	st := &s.shared
	if mine.SHA256 != "" && mine.SHA256 != st.published {
		if err := s.Shared.Publish(ctx, s.Instance, mine); err != nil {
			if ctx.Err() == nil {
				s.Log.Warn().Err(err).Msg("could not publish the registry version to the other instances; trying again next round")
			}
		} else {
			st.published = mine.SHA256
		}
	}
	newest, err := s.Shared.Newest(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.Log.Warn().Err(err).Msg("could not read the registry version of the other instances")
		}
		return
	}
	if !newest.Newer(mine) {
		s.setBehind(Version{})
		return
	}
	// Another instance imported a newer version: look at this instance's copy of the source now
	// (one stat when it has not changed since the last round).
	if s.Source != "" {
		s.check(ctx, w)
		if mine = VersionOf(s.Registry.Meta()); !newest.Newer(mine) {
			s.setBehind(Version{})
			s.share(ctx, w) // publish what was just imported
			return
		}
	}
	s.setBehind(newest)
	st.mu.Lock()
	tell := st.told != newest.SHA256
	st.told = newest.SHA256
	st.mu.Unlock()
	if tell {
		s.Log.Warn().Str("newest_sha256", newest.SHA256[:min(12, len(newest.SHA256))]).Str("by", newest.Instance).Time("imported_at", newest.ImportedAt).
			Msg("another instance serves a newer registry than this one; this instance's copy of the source has not changed yet (see LAPOR_REGISTRY_SOURCE)")
	}
}

func (s *Syncer) setBehind(v Version) {
	s.shared.mu.Lock()
	defer s.shared.mu.Unlock()
	if v.SHA256 == "" {
		s.shared.behind, s.shared.since = Version{}, time.Time{}
		return
	}
	if s.shared.behind.SHA256 != v.SHA256 {
		s.shared.since = time.Now()
	}
	s.shared.behind = v
}
