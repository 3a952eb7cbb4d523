package registry

import (
	"os"
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// dropMapped unmaps from this process the pages of db's memory map that bbolt's writes have
// touched (the right edge of the tree at each commit, and its neighbours faulted in by the
// kernel): clean file pages, still in the page cache, but counted in the process's resident
// memory — at 50 M rows they made up more than half of it. No transaction may be open; the
// next access faults the page back in. limit bounds the range to the mapping's known size.
func dropMapped(db *bolt.DB, limit int) {
	fi, err := os.Stat(db.Path())
	if err != nil {
		return
	}
	n := min(fi.Size(), int64(limit))
	if n <= 0 {
		return
	}
	// The raw system call takes the mapping's address as bbolt reports it, with no conversion
	// back to a pointer.
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, db.Info().Data, uintptr(n), syscall.MADV_DONTNEED)
}
