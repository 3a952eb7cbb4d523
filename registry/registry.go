package registry

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	bolt "go.etcd.io/bbolt"
)

// File layout: Dir/registry.db holds bucket "nik" (8-byte big-endian NIK → program records, see
// codec.go) and bucket "meta" (format version, dictionary, Meta as JSON).
const (
	fileName   = "registry.db"
	tmpPrefix  = "registry-"
	tmpSuffix  = ".db.tmp"
	bucketNIK  = "nik"
	bucketMeta = "meta"
	keyFormat  = "format"
	keyDict    = "dict"
	keyMeta    = "meta"
	keyBloom   = "bloom"
)

// tmpName names an import's new file after the process writing it, so another process (the
// CLI beside the running bot) knows whether it is still being written.
func tmpName(pid int, nanos int64) string {
	return tmpPrefix + strconv.Itoa(pid) + "-" + strconv.FormatInt(nanos, 10) + tmpSuffix
}

// staleTmp reports whether name is an import file left by a process that is gone. A file named
// by an older build (no pid) counts as stale once staleAge old: no import takes that long.
func staleTmp(name string, modTime, now time.Time, alive func(pid int) bool) bool {
	rest, ok := strings.CutPrefix(name, tmpPrefix)
	if !ok || !strings.HasSuffix(rest, tmpSuffix) {
		return false
	}
	pidText, _, hasPid := strings.Cut(strings.TrimSuffix(rest, tmpSuffix), "-")
	pid, err := strconv.Atoi(pidText)
	if !hasPid || err != nil || pid <= 0 {
		return now.Sub(modTime) > staleAge
	}
	return !alive(pid)
}

const staleAge = 24 * time.Hour

// processAlive reports whether pid names a running process (signal 0 checks without sending).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// removeStaleTmp removes the files of imports whose process died; another process's import in
// progress (the bot's sync beside a CLI command) is left alone.
func (r *Registry) removeStaleTmp() {
	entries, err := os.ReadDir(r.Dir)
	if err != nil {
		return
	}
	n := 0
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !staleTmp(e.Name(), info.ModTime(), r.now(), processAlive) {
			continue
		}
		if os.Remove(filepath.Join(r.Dir, e.Name())) == nil {
			n++
		}
	}
	if n > 0 {
		r.Log.Warn().Int("files", n).Msg("removed files of an interrupted registry import")
	}
}

// ErrClosed is returned by a Registry that is not open.
var ErrClosed = errors.New("registry: not open")

// Registry is the read-only recipient registry, a bbolt file in Dir that Import replaces
// atomically while lookups go on.
type Registry struct {
	Dir string           // data directory; created 0700 if missing
	Now func() time.Time // clock for import times; time.Now when nil
	Log zerolog.Logger   // component logger; never gets a full NIK

	cur      atomic.Pointer[state] // nil when closed
	importMu sync.Mutex            // one import (or reload) at a time
	mu       sync.Mutex            // guards open and the swap of cur
	open     bool
}

// state is one opened registry file. It keeps a single read-only transaction open for its whole
// life: a bbolt View per lookup costs about 2 µs, a Get in an open transaction a fraction of that.
// The file never changes while open (imports write a new one), so the snapshot never goes stale.
type state struct {
	mu     sync.RWMutex // lookups hold it shared; close takes it to wait for them
	closed bool
	db     *bolt.DB // nil: no registry file yet
	tx     *bolt.Tx
	nik    *bolt.Bucket
	// cursors holds bolt cursors on nik for reuse: Bucket.Get makes a new one each time, three
	// allocations that are a tenth of a lookup. A cursor only reads, so any goroutine may take one.
	cursors sync.Pool
	dict    []string
	filter  bloom // in the memory map: valid while tx is
	meta    Meta
	file    os.FileInfo // to notice a registry.db replaced by another process
}

func (r *Registry) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Registry) path() string { return filepath.Join(r.Dir, fileName) }

// Open opens Dir/registry.db read-only. A missing file is an empty registry: lookups return
// ErrNotFound until the first import. Open also removes files left by an import whose process
// died; an import another process is running goes on.
func (r *Registry) Open() error {
	if r.Dir == "" {
		return errors.New("registry: no data directory")
	}
	if err := os.MkdirAll(r.Dir, 0o700); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	r.removeStaleTmp()
	if err := privateFile(r.path()); err != nil {
		return err
	}
	s, err := openState(r.path())
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.open {
		s.close()
		return errors.New("registry: already open")
	}
	r.open = true
	r.cur.Store(s)
	if s.db != nil {
		r.Log.Info().Str("source", s.meta.Source).Time("imported_at", s.meta.ImportedAt).
			Int("niks", s.meta.DistinctNIKs).Msg("registry opened")
	} else {
		r.Log.Info().Msg("registry is empty: no import yet")
	}
	return nil
}

// Close closes the registry, after the lookups in flight. An import running at the same time
// fails with ErrClosed.
func (r *Registry) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.open = false
	if old := r.cur.Swap(nil); old != nil {
		return old.close()
	}
	return nil
}

// openState opens a registry file, or returns an empty state when there is none.
func openState(path string) (*state, error) {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return &state{}, nil
	} else if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	// NoStatistics: bbolt would otherwise bump a shared atomic counter on every cursor.
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second, NoStatistics: true})
	if err != nil {
		return nil, fmt.Errorf("registry: open %s: %w", path, err)
	}
	s := &state{db: db, file: fi}
	if err := s.load(); err != nil {
		_ = s.close()
		return nil, fmt.Errorf("registry: %s: %w", path, err)
	}
	return s, nil
}

func (s *state) load() error {
	tx, err := s.db.Begin(false)
	if err != nil {
		return err
	}
	s.tx = tx
	mb := tx.Bucket([]byte(bucketMeta))
	s.nik = tx.Bucket([]byte(bucketNIK))
	if mb == nil || s.nik == nil {
		return errors.New("not a registry file")
	}
	if v := string(mb.Get([]byte(keyFormat))); v != formatVersion {
		return fmt.Errorf("registry format %q, this program reads %q", v, formatVersion)
	}
	s.filter = bloom(mb.Get([]byte(keyBloom)))
	if s.dict, err = decodeDict(mb.Get([]byte(keyDict))); err != nil {
		return err
	}
	if err := json.Unmarshal(mb.Get([]byte(keyMeta)), &s.meta); err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	return nil
}

// close waits for the lookups using s, then ends its transaction and closes the file. On Linux
// the file may already have been renamed over: the open inode stays valid until here.
func (s *state) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	if s.tx != nil {
		errs = append(errs, s.tx.Rollback())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	return errors.Join(errs...)
}

// Lookup returns the programs the NIK receives, in the order of the source file. It returns
// ErrNotFound when the NIK is not in the registry and ErrClosed when the registry is not open.
func (r *Registry) Lookup(nik NIK) ([]Program, error) {
	if len(nik) != nikLen || !allASCIIDigits(string(nik)) {
		return nil, &NIKError{Code: NIKNotDigits, Detail: "not a parsed NIK"}
	}
	key := nik.Uint64()
	for {
		s := r.cur.Load()
		if s == nil {
			return nil, ErrClosed
		}
		s.mu.RLock()
		if s.closed {
			// Swapped out between Load and RLock: the new state is already in cur.
			s.mu.RUnlock()
			continue
		}
		progs, err := s.lookup(key)
		s.mu.RUnlock()
		if err == errCorrupt {
			r.Log.Error().Str("nik", nik.Masked()).Msg("registry record is corrupt")
		}
		return progs, err
	}
}

func (s *state) lookup(k uint64) ([]Program, error) {
	if s.nik == nil || !s.filter.mayContain(k) {
		return nil, ErrNotFound
	}
	var key [8]byte
	binary.BigEndian.PutUint64(key[:], k)
	c, _ := s.cursors.Get().(*bolt.Cursor)
	if c == nil {
		c = s.nik.Cursor()
	}
	found, v := c.Seek(key[:])
	defer s.cursors.Put(c)
	if !bytes.Equal(found, key[:]) {
		return nil, ErrNotFound
	}
	return decodePrograms(v, s.dict)
}

// Meta describes the registry in service; the zero Meta when nothing was imported yet.
func (r *Registry) Meta() Meta {
	s := r.cur.Load()
	if s == nil {
		return Meta{}
	}
	m := s.meta
	m.PerProgram = maps.Clone(m.PerProgram)
	return m
}

// Empty reports whether the registry has no recipients (nothing imported yet, or closed).
func (r *Registry) Empty() bool {
	s := r.cur.Load()
	return s == nil || s.db == nil || s.meta.DistinctNIKs == 0
}

// Reload reopens Dir/registry.db when another process (the import subcommand) has replaced it.
// It returns whether it did.
func (r *Registry) Reload() (bool, error) {
	r.importMu.Lock()
	defer r.importMu.Unlock()
	s := r.cur.Load()
	if s == nil {
		return false, ErrClosed
	}
	fi, err := os.Stat(r.path())
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("registry: %w", err)
	}
	if s.file != nil && os.SameFile(s.file, fi) && fi.Size() == s.file.Size() && fi.ModTime().Equal(s.file.ModTime()) {
		return false, nil
	}
	if err := r.swapIn(); err != nil {
		return false, err
	}
	return true, nil
}

// swapIn opens Dir/registry.db and puts it in service. The old state is closed once the lookups
// holding it finish; lookups that start meanwhile already see the new one.
func (r *Registry) swapIn() error {
	s, err := openState(r.path())
	if err != nil {
		return err
	}
	r.mu.Lock()
	if !r.open {
		r.mu.Unlock()
		s.close()
		return ErrClosed
	}
	old := r.cur.Swap(s)
	r.mu.Unlock()
	if old != nil {
		if err := old.close(); err != nil {
			r.Log.Warn().Err(err).Msg("closing the previous registry file")
		}
	}
	r.Log.Info().Str("source", s.meta.Source).Time("imported_at", s.meta.ImportedAt).
		Int("niks", s.meta.DistinctNIKs).Msg("registry swapped in")
	return nil
}
