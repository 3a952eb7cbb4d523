package postgres_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/postgres"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
	"github.com/laporbansos/laporbansos/storage/storetest"
)

func openContract(t testing.TB, clock *storetest.Clock) storage.Store {
	return pgtest.Open(t, clock.Now)
}

// TestContract holds the PostgreSQL store to the contract every backend passes.
func TestContract(t *testing.T) {
	storetest.Run(t, openContract)
}

// TestContractDamaged holds it to the contract on rows whose jsonb does not decode.
func TestContractDamaged(t *testing.T) {
	storetest.RunDamaged(t, openContract, func(t testing.TB, s storage.Store, table, key string, doc []byte) {
		t.Helper()
		var q string
		var k any = key
		switch table {
		case storetest.TableReports:
			q = `UPDATE reports SET doc = $2 WHERE id = $1`
		case storetest.TableSessions:
			q = `UPDATE sessions SET doc = $2 WHERE chat = $1`
		case storetest.TableUsers:
			q = `UPDATE users SET doc = $2 WHERE name = $1`
		case storetest.TableOutbound:
			q = `UPDATE outbound SET doc = $2 WHERE seq = $1`
			seq, err := strconv.ParseInt(key, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			k = seq
		default:
			t.Fatalf("no table %q", table)
		}
		tag, err := s.(*postgres.DB).Pool().Exec(context.Background(), q, k, doc)
		if err != nil || tag.RowsAffected() != 1 {
			t.Fatalf("damage %s %s: %v (%d rows)", table, key, err, tag.RowsAffected())
		}
	})
}
