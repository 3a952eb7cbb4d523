package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/laporbansos/laporbansos/storage"
	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Bucket names; the layout is described in doc.go.
var (
	bucketMeta         = []byte("meta")
	bucketReports      = []byte("reports")
	bucketReportOrder  = []byte("report_order")
	bucketReportStatus = []byte("report_status")
	bucketReportNIK    = []byte("report_nik")
	bucketCounters     = []byte("counters")
	bucketAudit        = []byte("audit")
	bucketSessions     = []byte("sessions")
	bucketOutbound     = []byte("outbound")
	bucketSeen         = []byte("seen")
	bucketState        = []byte("state")

	allBuckets = [][]byte{
		bucketMeta, bucketReports, bucketReportOrder, bucketReportStatus, bucketReportNIK,
		bucketCounters, bucketAudit, bucketSessions, bucketOutbound, bucketSeen, bucketState,
		bucketReportNameDesa,
	}
)

// schemaVersion is stored in meta so a later layout change can tell what it is reading.
const schemaVersion = "1"

// DefaultMaxBatchDelay is how long Update waits for other chats' steps to share a commit. 1 ms
// keeps a lone citizen's reply quick while 64 busy chats still share fsyncs (see
// BenchmarkSessionStep).
const DefaultMaxBatchDelay = time.Millisecond

// wib is storage.WIB, the zone report numbers and exports use.
var wib = storage.WIB

var errNotOpen = errors.New("storage: database is not open")

// DB is the bbolt store. Set the fields before Open; they are not meant to change afterwards.
type DB struct {
	Path string
	// Now is the clock; tests replace it. Each transaction reads it once (Tx.Now).
	Now func() time.Time
	// MaxBatchDelay bounds how long Update waits to group commits; 0 means DefaultMaxBatchDelay.
	MaxBatchDelay time.Duration
	// NoSync skips fsync. Only for fuzzing and benchmarks of logic above the store: with it, a
	// crash can lose what the citizen was told is stored.
	NoSync bool
	Log    zerolog.Logger
	// PhotoDir is where evidence photos are kept as files (photos.go); "" means "photos" beside
	// the database file.
	PhotoDir string

	db *bolt.DB

	stageMu sync.Mutex
	staged  map[*byte]string // StagePhoto's files by the first byte of the data they hold
}

// NewDB returns a DB for the file at path, with the real clock and logging off.
func NewDB(path string) *DB {
	return &DB{Path: path, Now: time.Now, MaxBatchDelay: DefaultMaxBatchDelay, Log: zerolog.Nop()}
}

// Open opens or creates the database file (its directory 0700, the file 0600: it holds NIKs
// and names) and creates the buckets. It gives up after a few seconds if another process holds
// the file: two bots on one file would each believe they own the send queue.
func (db *DB) Open() error {
	if db.Path == "" {
		return fmt.Errorf("%w: database path is empty", ErrInvalid)
	}
	if db.db != nil {
		return fmt.Errorf("storage: %s is already open", db.Path)
	}
	if db.Now == nil {
		db.Now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(db.Path), 0o700); err != nil {
		return fmt.Errorf("storage: create data directory: %w", err)
	}
	if err := storage.NotSymlink(db.Path); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	// An existing file is checked page by page first: an empty or damaged one is refused, never
	// reinitialised (see check.go).
	bdb, err := openChecked(db.Path, &bolt.Options{Timeout: 3 * time.Second})
	if err != nil {
		if errors.Is(err, ErrDamaged) {
			return err
		}
		if errors.Is(err, bolterrors.ErrTimeout) {
			return fmt.Errorf("storage: %s is in use by another process", db.Path)
		}
		return fmt.Errorf("storage: open %s: %w", db.Path, err)
	}
	// bolt only applies the mode when it creates the file; an older file may be looser.
	if err := os.Chmod(db.Path, 0o600); err != nil {
		_ = bdb.Close()
		return fmt.Errorf("storage: %w", err)
	}
	bdb.NoSync = db.NoSync
	bdb.MaxBatchDelay = db.MaxBatchDelay
	if bdb.MaxBatchDelay <= 0 {
		bdb.MaxBatchDelay = DefaultMaxBatchDelay
	}
	err = bdb.Update(func(tx *bolt.Tx) error {
		newNameIndex := tx.Bucket(bucketReportNameDesa) == nil
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		if newNameIndex {
			if err := backfillNameDesa(tx); err != nil {
				return err
			}
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get([]byte("schema")); v != nil && string(v) != schemaVersion {
			return fmt.Errorf("schema version %s, this build reads %s", v, schemaVersion)
		}
		return meta.Put([]byte("schema"), []byte(schemaVersion))
	})
	if err != nil {
		_ = bdb.Close()
		return fmt.Errorf("storage: %s: %w", db.Path, err)
	}
	db.db = bdb
	if db.PhotoDir == "" {
		db.PhotoDir = filepath.Join(filepath.Dir(db.Path), "photos")
	}
	// Only this process opens the file, so a staged photo now is one a crash left behind.
	db.sweepStaged()
	db.Log.Debug().Str("path", db.Path).Msg("storage opened")
	return nil
}

// Close closes the file; it waits for running transactions.
func (db *DB) Close() error {
	if db.db == nil {
		return nil
	}
	err := db.db.Close()
	db.db = nil
	return err
}

// boltTx is one bbolt transaction behind the Tx interface; one from View refuses writes.
type boltTx struct {
	tx *bolt.Tx
	// at is the time of this transaction, read once from DB.Now: everything written in one
	// step carries the same time, and a re-run of an Update function sees the same time again.
	at  time.Time
	log zerolog.Logger // reports records skipped as damaged (see damaged.go)
	db  *DB            // its photo directory (photos.go)
}

// Now is the time of this transaction (see boltTx.at).
func (tx *boltTx) Now() time.Time { return tx.at }

// Update runs fn in a read-write transaction and returns after it is committed to disk (fsync)
// or rolled back.
//
// Concurrent Updates are grouped into one bbolt transaction (bolt's DB.Batch) so that many
// chats share one fsync. Therefore fn MAY BE CALLED MORE THAN ONCE: when another function in
// the same group fails, the group is rolled back and run again, and a failing fn is re-run on
// its own. fn must be idempotent: write only through tx, and reset any variable it assigns
// (assign, don't append). Every run sees the same tx.Now().
//
// An error from fn discards fn's writes (and nobody else's) and is returned as is. Since that
// costs the group a re-run, return errors for refusals, not as routine control flow.
//
// ctx is checked before the transaction starts; a step that has joined a group cannot be
// cancelled, because its result must be known before the caller replies.
func (db *DB) Update(ctx context.Context, fn func(tx Tx) error) error {
	if db.db == nil {
		return errNotOpen
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	now := db.now()
	return db.db.Batch(func(btx *bolt.Tx) error {
		return fn(&boltTx{tx: btx, at: now, log: db.Log, db: db})
	})
}

// View runs fn in a read-only transaction: a consistent snapshot that never blocks writers.
func (db *DB) View(ctx context.Context, fn func(tx Tx) error) error {
	if db.db == nil {
		return errNotOpen
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	now := db.now()
	return db.db.View(func(btx *bolt.Tx) error {
		return fn(&boltTx{tx: btx, at: now, log: db.Log, db: db})
	})
}

// now strips the monotonic reading: times are compared after a round trip through JSON.
func (db *DB) now() time.Time {
	if db.Now == nil {
		return time.Now().Round(0)
	}
	return db.Now().Round(0)
}

func (tx *boltTx) bucket(name []byte) *bolt.Bucket { return tx.tx.Bucket(name) }

// u64 is the 8-byte big-endian form used in keys, so byte order is numeric order.
func u64(v uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	return b[:]
}

// timeKey is a time as 8 big-endian bytes of Unix nanoseconds; times before 1970 (the zero
// time in particular) become 0 so they sort first instead of wrapping around.
func timeKey(t time.Time) []byte {
	if t.Before(time.Unix(0, 0)) {
		return u64(0)
	}
	return u64(uint64(t.UnixNano()))
}

func keyTime(b []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(b)))
}

func concat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func keyUint(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
