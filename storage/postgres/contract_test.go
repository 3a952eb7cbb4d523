package postgres_test

import (
	"testing"

	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
	"github.com/laporbansos/laporbansos/storage/storetest"
)

// TestContract holds the PostgreSQL store to the contract every backend passes.
func TestContract(t *testing.T) {
	storetest.Run(t, func(t testing.TB, clock *storetest.Clock) storage.Store {
		return pgtest.Open(t, clock.Now)
	})
}
