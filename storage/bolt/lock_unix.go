//go:build unix

package bolt

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes the lock bbolt takes on an open store (flock, exclusive), without waiting.
// It reports false when a running bot (or any process with the store open) holds it.
func tryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}
