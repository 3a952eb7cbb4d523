package bolt_test

import (
	"path/filepath"
	"testing"

	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
	"github.com/laporbansos/laporbansos/storage/storetest"
)

func openContract(t testing.TB, clock *storetest.Clock) storage.Store {
	db := bolt.NewDB(filepath.Join(t.TempDir(), "laporbansos.db"))
	db.Now = clock.Now
	if err := db.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestContract holds the bbolt store to the contract every backend passes.
func TestContract(t *testing.T) {
	storetest.Run(t, openContract)
}

// TestContractDamaged holds it to the contract on records that do not decode.
func TestContractDamaged(t *testing.T) {
	storetest.RunDamaged(t, openContract, func(t testing.TB, s storage.Store, table, key string, doc []byte) {
		t.Helper()
		if err := bolt.PutRawForTest(s.(*bolt.DB), table, key, doc); err != nil {
			t.Fatalf("damage %s %s: %v", table, key, err)
		}
	})
}
