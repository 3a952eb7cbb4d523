//go:build !linux

package registry

import bolt "go.etcd.io/bbolt"

// dropMapped is a no-op where the resident memory of a file mapping is not worth trimming.
func dropMapped(*bolt.DB, int) {}
