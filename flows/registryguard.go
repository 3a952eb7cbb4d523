package flows

import (
	"context"
	"errors"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// ErrRegistryNotLoaded is a lookup before any registry was imported: nobody can be called "not
// a recipient" yet, so it is an outage, never a miss.
var ErrRegistryNotLoaded = errors.New("flows: recipient registry not loaded yet")

// emptier is a registry that knows it holds nothing yet (*registry.Registry).
type emptier interface{ Empty() bool }

type guardedRegistry struct {
	Registry
	e emptier
}

func (g guardedRegistry) Lookup(nik registry.NIK) ([]registry.Program, error) {
	if g.e.Empty() {
		return nil, ErrRegistryNotLoaded
	}
	return g.Registry.Lookup(nik)
}

func (g guardedRegistry) SearchName(ctx context.Context, kecamatan, desa, name string, limit int) ([]registry.Match, bool, error) {
	if g.e.Empty() {
		return nil, false, ErrRegistryNotLoaded
	}
	return g.Registry.SearchName(ctx, kecamatan, desa, name, limit)
}

// GuardRegistry makes lookups and name searches on a registry that is still empty fail with
// ErrRegistryNotLoaded instead of answering "not found" for everyone. A registry that cannot tell is returned as is.
func GuardRegistry(r Registry) Registry {
	if e, ok := r.(emptier); ok {
		return guardedRegistry{Registry: r, e: e}
	}
	return r
}

// WarnRegistryNotLoaded tells every staff chat that status checks cannot answer yet.
func (e *Engine) WarnRegistryNotLoaded(ctx context.Context) error {
	return e.Store.Update(ctx, func(tx storage.Tx) error {
		out := make([]Reply, 0, len(e.StaffChats))
		for _, chat := range e.StaffChats {
			out = append(out, Reply{To: chat, Text: msgStaffRegistryEmpty})
		}
		return enqueue(tx, out)
	})
}
