package bolt

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrDamaged is returned by Open, Check and Restore for a file that exists but is not a whole,
// consistent store: empty, truncated, not a bbolt file, or with a damaged page. Open never
// replaces or reinitialises such a file: the reports in it are restored from a backup instead.
var ErrDamaged = errors.New("storage: damaged database file")

// DamagedError names the file and what is wrong with it; it wraps ErrDamaged.
type DamagedError struct {
	Path   string
	Reason string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("storage: %s is damaged (%s); the bot will not start on it. "+
		"Stop the bot and put the last good backup in place: laporbansos restore BACKUP-FILE "+
		"(backups are in LAPOR_BACKUP_DIR; list them with ls -lt)", e.Path, e.Reason)
}

func (e *DamagedError) Unwrap() error { return ErrDamaged }

// bbolt's file header: a page header (16 bytes) then the meta page, whose first fields are
// magic (4), version (4) and page size (4).
const (
	boltMagic     = 0xED0CDAED
	boltMetaStart = 16
	boltMaxErrors = 5 // of a consistency check: enough to say what is wrong
)

// checkHeader looks at an existing file before bbolt maps it. bbolt silently initialises a
// zero-length file (every report gone, no error), and maps a truncated one whose pages past
// the end fault the process when read; both are refused here.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // a new store
	}
	if err != nil {
		return fmt.Errorf("storage: open %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil // bbolt gives its own error for a directory
	}
	if fi.Size() == 0 {
		return &DamagedError{Path: path, Reason: "the file is empty"}
	}
	var hdr [boltMetaStart + 12]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		return &DamagedError{Path: path, Reason: fmt.Sprintf("only %d bytes, not a database", fi.Size())}
	}
	if binary.LittleEndian.Uint32(hdr[boltMetaStart:]) != boltMagic {
		return &DamagedError{Path: path, Reason: "not a Lapor Bansos database (no bbolt header)"}
	}
	pageSize := int64(binary.LittleEndian.Uint32(hdr[boltMetaStart+8:]))
	if pageSize < 512 || pageSize > 1<<20 {
		return &DamagedError{Path: path, Reason: fmt.Sprintf("page size %d in the header", pageSize)}
	}
	if fi.Size() < 4*pageSize {
		return &DamagedError{Path: path, Reason: fmt.Sprintf("truncated to %d bytes", fi.Size())}
	}
	return checkFreelistPage(f, path, pageSize, fi.Size())
}

// checkFreelistPage looks at the freelist page the newest valid meta page names. bbolt reads it
// inside Open, after it has locked and mapped the file, and panics on a damaged one; the panic
// can be recovered, but the half-opened handle cannot be closed, and its mapping keeps the
// file lock for the rest of the process (a restore in the same process would then wait).
func checkFreelistPage(f *os.File, path string, pageSize, size int64) error {
	var best struct {
		ok             bool
		txid, freelist uint64
		highWater      uint64
	}
	for i := int64(0); i < 2; i++ {
		var m [boltMetaStart + 64]byte
		if _, err := f.ReadAt(m[:], i*pageSize); err != nil {
			continue
		}
		meta := m[boltMetaStart:]
		if binary.LittleEndian.Uint32(meta[0:]) != boltMagic {
			continue
		}
		h := fnv.New64a()
		_, _ = h.Write(meta[:56])
		if h.Sum64() != binary.LittleEndian.Uint64(meta[56:]) {
			continue // bbolt skips a meta page whose checksum fails, and so do we
		}
		txid := binary.LittleEndian.Uint64(meta[48:])
		if !best.ok || txid > best.txid {
			best.ok, best.txid = true, txid
			best.freelist = binary.LittleEndian.Uint64(meta[32:])
			best.highWater = binary.LittleEndian.Uint64(meta[40:])
		}
	}
	if !best.ok {
		return &DamagedError{Path: path, Reason: "both meta pages are damaged"}
	}
	const noFreelist, freelistFlag = ^uint64(0), 0x10
	if best.freelist == noFreelist {
		return nil
	}
	if best.freelist < 2 || best.freelist >= best.highWater || int64(best.freelist+1)*pageSize > size {
		return &DamagedError{Path: path, Reason: fmt.Sprintf("freelist page %d is outside the file", best.freelist)}
	}
	var hdr [16]byte
	if _, err := f.ReadAt(hdr[:], int64(best.freelist)*pageSize); err != nil {
		return &DamagedError{Path: path, Reason: fmt.Sprintf("freelist page %d cannot be read: %v", best.freelist, err)}
	}
	if id, flags := binary.LittleEndian.Uint64(hdr[0:]), binary.LittleEndian.Uint16(hdr[8:]); id != best.freelist || flags&freelistFlag == 0 {
		return &DamagedError{Path: path, Reason: fmt.Sprintf("freelist page %d is damaged", best.freelist)}
	}
	return nil
}

// openChecked opens the file with bbolt and checks it page by page before anything reads it.
// A damaged freelist or branch page can make bbolt panic or fault; both become a DamagedError.
func openChecked(path string, opts *bolt.Options) (bdb *bolt.DB, err error) {
	if err := checkHeader(path); err != nil {
		return nil, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if bdb != nil {
				_ = bdb.Close()
			}
			bdb, err = nil, &DamagedError{Path: path, Reason: fmt.Sprint("reading it failed: ", r)}
		}
	}()
	bdb, err = bolt.Open(path, 0o600, opts)
	if err != nil {
		if errors.Is(err, bolterrors.ErrInvalid) || errors.Is(err, bolterrors.ErrChecksum) || errors.Is(err, bolterrors.ErrVersionMismatch) {
			return nil, &DamagedError{Path: path, Reason: err.Error()}
		}
		return nil, err
	}
	if err := checkDB(bdb, path); err != nil {
		_ = bdb.Close()
		return nil, err
	}
	return bdb, nil
}

// checkDB runs bbolt's consistency check (every page reachable once, no page past the end,
// every key in order) after making sure the pages it will read are inside the file.
func checkDB(bdb *bolt.DB, path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	return bdb.View(func(tx *bolt.Tx) error {
		if tx.Size() > fi.Size() {
			return &DamagedError{Path: path, Reason: fmt.Sprintf("truncated: %d of %d bytes", fi.Size(), tx.Size())}
		}
		var errs []error
		for err := range tx.Check() {
			// Drain the channel even after enough errors: the checker goroutine blocks on it.
			if len(errs) < boltMaxErrors {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return &DamagedError{Path: path, Reason: errors.Join(errs...).Error()}
		}
		return nil
	})
}

// CheckFile checks a store file that is not open (a backup before a restore, say): the header,
// every page, and that it holds this build's buckets. It returns a *DamagedError when it is not
// a whole store, and how long the check took.
func CheckFile(path string) (time.Duration, error) {
	start := time.Now()
	fi, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("storage: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("storage: %s is not a regular file", path)
	}
	bdb, err := openChecked(path, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return 0, fmt.Errorf("storage: %s is in use by another process", path)
		}
		return 0, err
	}
	defer bdb.Close()
	err = bdb.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || tx.Bucket(bucketReports) == nil {
			return &DamagedError{Path: path, Reason: "a bbolt file without the report buckets: not a Lapor Bansos store"}
		}
		if v := meta.Get([]byte("schema")); string(v) != schemaVersion {
			return &DamagedError{Path: path, Reason: fmt.Sprintf("schema version %q, this build reads %s", v, schemaVersion)}
		}
		return nil
	})
	return time.Since(start), err
}
