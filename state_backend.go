package main

import (
	"context"
	"errors"
	"sync"
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

// leadEvery is how often the leader checks that it still holds its lock; a dead leader's
// duties move to another instance within about three times this.
var leadEvery = 2 * time.Second

// leadership is this instance's term as the one instance that sends the queue, runs WhatsApp,
// reminds and purges. They share one term: the sender must run where the WhatsApp connection
// is, and one lock per process cannot be taken twice (advisory locks are per session).
type leadership struct {
	mu      sync.Mutex
	term    context.Context // nil between terms
	changed chan struct{}   // closed when term changes
}

// set starts a term; end ends it.
func (l *leadership) set(term context.Context) {
	l.mu.Lock()
	l.term = term
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

func (l *leadership) end() {
	l.mu.Lock()
	l.term = nil
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
}

// wait returns the current term, waiting for one to start; ok is false once ctx is done.
func (l *leadership) wait(ctx context.Context) (term context.Context, ok bool) {
	for {
		l.mu.Lock()
		term, changed := l.term, l.changed
		l.mu.Unlock()
		if term != nil && term.Err() == nil {
			return term, true
		}
		select {
		case <-ctx.Done():
			return nil, false
		case <-changed:
		}
	}
}

// once returns a run function for a duty that must run on exactly one instance (the sender,
// WhatsApp, reminders, the purge): with PostgreSQL it runs during each of this instance's terms
// as leader; with the bbolt file, which only one process can open, it simply runs.
func (m *Main) once(ctx context.Context, a *app, duty string, f func(ctx context.Context) error) func() error {
	pg, ok := a.db.(*postgres.DB)
	if !ok {
		return func() error { return f(ctx) }
	}
	a.leadOnce.Do(func() {
		a.lead = &leadership{changed: make(chan struct{})}
		go pg.Lead(ctx, "leader", leadEvery, func(term context.Context) {
			m.log.Info().Msg("this instance leads: sender, WhatsApp, reminders, purge")
			a.lead.set(term)
			<-term.Done()
			a.lead.end()
		})
	})
	return func() error {
		for {
			term, ok := a.lead.wait(ctx)
			if !ok {
				return nil
			}
			if err := f(term); err != nil && term.Err() == nil {
				m.log.Error().Err(err).Str("duty", duty).Msg("duty stopped until the next term")
			}
			<-term.Done()
		}
	}
}
