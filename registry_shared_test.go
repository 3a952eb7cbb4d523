package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// The shared registry record on both state backends: the newest version is the one imported
// last, whoever publishes after it.
func TestSharedRegistryVersions(t *testing.T) {
	backends := map[string]func(t *testing.T) storage.Store{
		"bolt": func(t *testing.T) storage.Store {
			db := bolt.NewDB(filepath.Join(t.TempDir(), "state.db"))
			if err := db.Open(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		},
		"postgres": func(t *testing.T) storage.Store { return pgtest.Open(t, nil) },
	}
	t0 := time.Date(2026, 11, 29, 6, 0, 0, 0, time.UTC)
	v1 := registry.Version{SHA256: "aaa", ImportedAt: t0, Rows: 10}
	v2 := registry.Version{SHA256: "bbb", ImportedAt: t0.Add(time.Hour), Rows: 11}
	steps := []struct {
		name     string
		instance string
		v        registry.Version
		want     registry.Version // newest after the step
	}{
		{"first import", "a", v1, withInstance(v1, "a")},
		{"same version elsewhere", "b", v1, withInstance(v1, "a")},
		{"a newer import", "a", v2, withInstance(v2, "a")},
		{"an instance still on the old one", "b", v1, withInstance(v2, "a")},
		{"b catches up", "b", v2, withInstance(v2, "a")},
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			s := sharedRegistry{open(t)}
			ctx := context.Background()
			if got, err := s.Newest(ctx); err != nil || got.SHA256 != "" {
				t.Fatalf("newest before any import = %+v, %v", got, err)
			}
			for _, st := range steps {
				if err := s.Publish(ctx, st.instance, st.v); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				got, err := s.Newest(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if got.SHA256 != st.want.SHA256 || got.Instance != st.want.Instance || !got.ImportedAt.Equal(st.want.ImportedAt) {
					t.Errorf("%s: newest = %+v, want %+v", st.name, got, st.want)
				}
			}
		})
	}
}

func withInstance(v registry.Version, instance string) registry.Version {
	v.Instance = instance
	return v
}
