package main

import (
	"context"
	"errors"
	"time"

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

// leadEvery is how often a duty's leader checks that it still holds its lock; a dead leader's
// duty moves to another instance within about three times this.
var leadEvery = 2 * time.Second

// once returns a run function for a duty that must run on exactly one instance (the sender,
// WhatsApp, reminders, the purge): with PostgreSQL it runs while this instance leads it, and
// here with the bbolt file, which only one process can open.
func (m *Main) once(ctx context.Context, a *app, duty string, f func(ctx context.Context) error) func() error {
	pg, ok := a.db.(*postgres.DB)
	if !ok {
		return func() error { return f(ctx) }
	}
	return func() error {
		pg.Lead(ctx, duty, leadEvery, func(ctx context.Context) {
			m.log.Info().Str("duty", duty).Msg("this instance leads")
			if err := f(ctx); err != nil && ctx.Err() == nil {
				m.log.Error().Err(err).Str("duty", duty).Msg("duty stopped; another instance may take it")
			}
		})
		return nil
	}
}
