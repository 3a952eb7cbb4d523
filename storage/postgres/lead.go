package postgres

import (
	"context"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
)

// lockKey is the advisory lock key of a duty, the same in every instance.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("laporbansos:" + name))
	return int64(h.Sum64())
}

// Lead runs fn while this instance holds the session advisory lock of duty name, so that across
// every instance sharing the database exactly one runs it: the send queue's sender, the
// WhatsApp linked device, reminders and purges. The lock lives on a connection of its own; when
// that connection is lost (the database restarted, a network cut, the holder terminated) fn's
// context is cancelled, and when the holding process dies the server drops the lock with the
// connection, so another instance takes over within about five times every. Lead returns when
// ctx is done.
func (db *DB) Lead(ctx context.Context, name string, every time.Duration, fn func(ctx context.Context)) {
	key := lockKey(name)
	for ctx.Err() == nil {
		if held := db.leadOnce(ctx, key, every, fn); !held {
			t := time.NewTimer(every)
			select {
			case <-ctx.Done():
			case <-t.C:
			}
			t.Stop()
		}
	}
}

// pingTimeout is how long the leader waits for the database to answer before it gives up its
// term: long enough for a loaded server, short enough for a quick failover.
func pingTimeout(every time.Duration) time.Duration { return 3 * every }

// leadOnce tries the lock once and, when it gets it, runs fn until fn returns or the lock's
// connection is lost. It reports whether it held the lock.
func (db *DB) leadOnce(ctx context.Context, key int64, every time.Duration, fn func(ctx context.Context)) bool {
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig)
	if err != nil {
		db.Log.Warn().Err(err).Msg("leadership: cannot reach the database")
		return false
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", key).Scan(&ok); err != nil || !ok {
		return false
	}
	// A leader cut off from the database notices within the ping interval plus its timeout; the
	// new one waits longer than that before starting, so the two never overlap.
	grace := time.NewTimer(every + pingTimeout(every) + every/2)
	select {
	case <-ctx.Done():
		grace.Stop()
		return true
	case <-grace.C:
	}
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(lctx)
	}()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-done:
			_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key)
			return true
		case <-t.C:
			pctx, pcancel := context.WithTimeout(ctx, pingTimeout(every))
			err := conn.Ping(pctx)
			pcancel()
			if err != nil && ctx.Err() == nil {
				// Another instance may hold the lock already: stop before doing the duty twice.
				db.Log.Warn().Err(err).Msg("leadership lost with the database connection")
				cancel()
				<-done
				return true
			}
		}
	}
}
