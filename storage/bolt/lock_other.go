//go:build !unix

package bolt

import "os"

// tryLock cannot see bbolt's lock on this platform; Restore then relies on the operator having
// stopped the bot (the service files are for Linux).
func tryLock(*os.File) (bool, error) { return true, nil }
