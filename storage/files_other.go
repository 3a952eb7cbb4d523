//go:build !unix

package storage

// oNoFollow: without O_NOFOLLOW, callers rely on NotSymlink and create-then-rename.
const oNoFollow = 0
