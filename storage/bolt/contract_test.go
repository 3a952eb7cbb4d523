package bolt_test

import (
	"path/filepath"
	"testing"

	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
	"github.com/laporbansos/laporbansos/storage/storetest"
)

// TestContract holds the bbolt store to the contract every backend passes.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t testing.TB, clock *storetest.Clock) storage.Store {
		db := bolt.NewDB(filepath.Join(t.TempDir(), "laporbansos.db"))
		db.Now = clock.Now
		if err := db.Open(); err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	})
}
