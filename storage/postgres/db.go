// Package postgres is the PostgreSQL backend of storage.Store, for several instances sharing one
// database. Each Update is one SERIALIZABLE transaction, retried from the start on a
// serialization failure (Store already allows fn to run more than once), so a dialogue step
// reads and writes as if it were alone, as on bbolt: the first decision wins, and two steps of
// one chat never interleave. Report numbers come from a sequence per kind and month: unique
// across instances without a counter row every report of the month would queue on; a rolled
// back step leaves a gap, which is allowed.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/storage"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key under which instances starting together migrate one
// at a time ("lapor-migrate" in ASCII, truncated).
const migrationLock = 0x6c61706f722d6d69

// maxRetries bounds the re-runs of one Update after serialization failures.
const maxRetries = 100

// DB is the PostgreSQL store. Set the fields before Open.
type DB struct {
	URL string
	// Now is the clock; tests replace it. Each transaction reads it once (Tx.Now).
	Now func() time.Time
	Log zerolog.Logger

	pool *pgxpool.Pool
	// side runs the few statements that must not join a step's transaction (the global lookup
	// counter), on connections of its own: taking them from pool could wait forever on steps
	// that each hold a connection of pool.
	side *pgxpool.Pool

	seqMu sync.Mutex
	seqs  map[string]bool // report number sequences known to exist
}

var (
	_ storage.Tx    = (*pgTx)(nil)
	_ storage.Store = (*DB)(nil)
)

// New returns a DB for the database at url with the real clock and logging off.
func New(url string) *DB {
	return &DB{URL: url, Now: time.Now, Log: zerolog.Nop()}
}

// Open connects and applies the embedded migrations not yet applied, under an advisory lock.
func (db *DB) Open(ctx context.Context) error {
	cfg, err := pgxpool.ParseConfig(db.URL)
	if err != nil {
		return fmt.Errorf("storage: LAPOR_DATABASE_URL: %w", err)
	}
	if !strings.Contains(db.URL, "pool_max_conns") {
		// 64 chats stepping at once each hold a connection for one short transaction.
		cfg.MaxConns = 32
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("storage: connect: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return err
	}
	if err := backfillNameDesa(ctx, pool); err != nil {
		pool.Close()
		return err
	}
	sideCfg := cfg.Copy()
	sideCfg.MaxConns = 4
	side, err := pgxpool.NewWithConfig(ctx, sideCfg)
	if err != nil {
		pool.Close()
		return fmt.Errorf("storage: connect: %w", err)
	}
	db.pool, db.side = pool, side
	db.seqs = map[string]bool{}
	if db.Now == nil {
		db.Now = time.Now
	}
	return nil
}

// Close closes the pool; it waits for connections in use.
func (db *DB) Close() error {
	if db.pool != nil {
		db.pool.Close()
		db.side.Close()
		db.pool, db.side = nil, nil
	}
	return nil
}

// Pool is the connection pool, for advisory locks held beside the store (leadership).
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("storage: connect: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLock)); err != nil {
		return fmt.Errorf("storage: migration lock: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(migrationLock))
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("storage: migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("storage: migration %s: no version number", base)
		}
		var done bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)", v).Scan(&done); err != nil {
			return err
		}
		if done {
			continue
		}
		sql, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(sql)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", v)
			return err
		})
		if err != nil {
			return fmt.Errorf("storage: migration %s: %w", base, err)
		}
	}
	return nil
}

var errNotOpen = errors.New("storage: database is not open")

// retryable is a conflict that running the step again resolves. 25P02 ("transaction is
// aborted") follows a conflict that the step's code met and passed over, as it may for a read
// it can do without (a cached keyboard, say): the transaction is lost either way, and the re-run
// is the step the code meant.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "25P02")
}

// Update runs fn in a SERIALIZABLE transaction, again from the start after a serialization
// failure or a deadlock, and returns once it committed or failed. Every run sees the same
// tx.Now().
func (db *DB) Update(ctx context.Context, fn func(tx storage.Tx) error) error {
	return db.run(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable}, fn)
}

// View runs fn in a read-only snapshot; a write in it fails.
func (db *DB) View(ctx context.Context, fn func(tx storage.Tx) error) error {
	return db.run(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

func (db *DB) run(ctx context.Context, opts pgx.TxOptions, fn func(tx storage.Tx) error) error {
	if db.pool == nil {
		return errNotOpen
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	now := db.now()
	// Once started, a step is finished even if the caller gives up: its reply depends on it.
	ctx = context.WithoutCancel(ctx)
	for attempt := 0; ; attempt++ {
		err := pgx.BeginTxFunc(ctx, db.pool, opts, func(ptx pgx.Tx) error {
			return fn(&pgTx{db: db, tx: ptx, ctx: ctx, at: now})
		})
		if err == nil || !retryable(err) || attempt >= maxRetries {
			return err
		}
		// A short random pause, growing, so colliding steps do not collide again at once.
		time.Sleep(time.Duration(rand.Int64N(int64(min(attempt+1, 20)) * int64(time.Millisecond))))
	}
}

// now rounds to the microsecond PostgreSQL keeps, so a time read back equals the one written.
func (db *DB) now() time.Time {
	return db.Now().Round(0).Truncate(time.Microsecond)
}

// pgTx is one transaction behind storage.Tx.
type pgTx struct {
	db  *DB
	tx  pgx.Tx
	ctx context.Context
	at  time.Time
}

func (tx *pgTx) Now() time.Time { return tx.at }

func (tx *pgTx) exec(sql string, args ...any) (pgconn.CommandTag, error) {
	return tx.tx.Exec(tx.ctx, sql, args...)
}

// ensureSequence creates the number sequence of one kind and month on its first use, on a
// connection of its own: DDL inside the step's transaction would make two instances' first
// reports of a month conflict for a whole retry.
func (db *DB) ensureSequence(ctx context.Context, name string) error {
	db.seqMu.Lock()
	defer db.seqMu.Unlock()
	if db.seqs[name] {
		return nil
	}
	conn, err := pgx.ConnectConfig(ctx, db.pool.Config().ConnConfig)
	if err != nil {
		return fmt.Errorf("storage: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, "CREATE SEQUENCE IF NOT EXISTS "+pgx.Identifier{name}.Sanitize())
	var pe *pgconn.PgError
	if err != nil && !(errors.As(err, &pe) && (pe.Code == "23505" || pe.Code == "42P07")) {
		return fmt.Errorf("storage: create number sequence: %w", err)
	}
	db.seqs[name] = true
	return nil
}
