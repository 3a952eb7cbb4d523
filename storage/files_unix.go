//go:build unix

package storage

import "syscall"

// oNoFollow makes open fail on a symlink as the last path element.
const oNoFollow = syscall.O_NOFOLLOW
