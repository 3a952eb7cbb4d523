package postgres

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrLockHeld is TryLock's answer when another database session holds the lock.
var ErrLockHeld = errors.New("storage: the lock is held by another session")

// Lock is a session advisory lock held on a database connection of its own, beside the store's
// pool: it ends with Release, or when that connection is lost (the holder died, the database
// restarted), which Lost reports.
type Lock struct {
	mu   sync.Mutex // pgx connections are not safe for concurrent use
	conn *pgx.Conn
	key  int64
	lost chan struct{}
	stop chan struct{}
	once sync.Once
	done chan struct{}
}

// TryLock takes the session advisory lock name (the same key in every instance) without
// waiting: ErrLockHeld when another session holds it. While held, the connection is pinged
// every interval; when a ping fails Lost is closed (another instance may have the lock by
// then), and the holder must stop what the lock guards.
func (db *DB) TryLock(ctx context.Context, name string, every time.Duration) (*Lock, error) {
	if db.pool == nil {
		return nil, errNotOpen
	}
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig)
	if err != nil {
		return nil, err
	}
	l := &Lock{conn: conn, key: lockKey(name), lost: make(chan struct{}), stop: make(chan struct{}), done: make(chan struct{})}
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", l.key).Scan(&ok); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	if !ok {
		conn.Close(context.WithoutCancel(ctx))
		return nil, ErrLockHeld
	}
	go l.watch(every)
	return l, nil
}

func (l *Lock) watch(every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), pingTimeout(every))
		l.mu.Lock()
		err := l.conn.Ping(ctx)
		l.mu.Unlock()
		cancel()
		if err != nil {
			close(l.lost)
			return
		}
	}
}

// Lost is closed when the lock's connection was lost: the lock is no longer held.
func (l *Lock) Lost() <-chan struct{} { return l.lost }

// Release unlocks and closes the connection; it may be called more than once.
func (l *Lock) Release() {
	l.once.Do(func() {
		close(l.stop)
		<-l.done
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		l.mu.Lock()
		defer l.mu.Unlock()
		_, _ = l.conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", l.key)
		_ = l.conn.Close(ctx)
	})
}
