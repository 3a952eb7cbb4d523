package bolt

import (
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"
)

// PutRawForTest writes v as the stored record key of table (storetest.Table*) without
// encoding it: the contract tests damage records with it.
func PutRawForTest(db *DB, table, key string, v []byte) error {
	k := []byte(key)
	var bucket []byte
	switch table {
	case "reports":
		bucket = bucketReports
	case "sessions":
		bucket = bucketSessions
	case "users":
		bucket = bucketUsers
	case "outbound":
		bucket = bucketOutbound
		seq, err := strconv.ParseUint(key, 10, 64)
		if err != nil {
			return err
		}
		k = u64(seq)
	default:
		return fmt.Errorf("no table %q", table)
	}
	return db.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b == nil || b.Get(k) == nil {
			return fmt.Errorf("%s %s: %w", table, key, ErrNotFound)
		}
		return b.Put(k, v)
	})
}
