package main

import (
	"context"
	"errors"

	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
	"github.com/laporbansos/laporbansos/storage/postgres"
)

// stateStore is the state backend: PostgreSQL when LAPOR_DATABASE_URL is set, else the bbolt
// file.
type stateStore interface {
	storage.Store
	Close() error
}

// errFileOnly refuses the commands that work on the bbolt file when the state is in PostgreSQL.
var errFileOnly = errors.New("the state is in PostgreSQL (LAPOR_DATABASE_URL): back it up and restore it with pg_dump and pg_restore")

// openState opens the configured backend; file is the bbolt store (nil with PostgreSQL), for
// what only a file has: the control socket, file backups.
func (m *Main) openState(ctx context.Context) (st stateStore, file *bolt.DB, err error) {
	if u := m.cfg.DatabaseURL.Value(); u != "" {
		db := postgres.New(u)
		db.Log = m.log.With().Str("component", "storage").Logger()
		if m.Now != nil {
			db.Now = m.Now
		}
		if err := db.Open(ctx); err != nil {
			return nil, nil, err
		}
		return db, nil, nil
	}
	f, err := m.openStore()
	if err != nil {
		return nil, nil, err
	}
	return f, f, nil
}
