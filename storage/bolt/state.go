package bolt

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Channels keep their small state (Telegram's update offset, WhatsApp bookkeeping) in named
// buckets nested under "state", so no name a channel picks can collide with the store's own.

// Get returns the value under bucket/key, or ErrNotFound. The slice is a copy the caller owns.
func (tx *boltTx) Get(bucket, key string) ([]byte, error) {
	b := tx.bucket(bucketState).Bucket([]byte(bucket))
	if b == nil {
		return nil, fmt.Errorf("%w: %s/%s", ErrNotFound, bucket, key)
	}
	v := b.Get([]byte(key))
	if v == nil {
		return nil, fmt.Errorf("%w: %s/%s", ErrNotFound, bucket, key)
	}
	return bytes.Clone(v), nil
}

// Put stores v under bucket/key, creating the bucket on first use.
func (tx *boltTx) Put(bucket, key string, v []byte) error {
	b, err := tx.nested(bucketState, bucket)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), v)
}

// Delete removes bucket/key; a key that is not there is not an error.
func (tx *boltTx) Delete(bucket, key string) error {
	b := tx.bucket(bucketState).Bucket([]byte(bucket))
	if b == nil {
		return nil
	}
	return b.Delete([]byte(key))
}

// ForEachState walks bucket in key order.
func (tx *boltTx) ForEachState(bucket string, fn func(key string, v []byte) error) error {
	b := tx.bucket(bucketState).Bucket([]byte(bucket))
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		if v == nil {
			return nil // a nested bucket, not a value
		}
		return fn(string(k), v)
	})
}

func (tx *boltTx) nested(root []byte, name string) (*bolt.Bucket, error) {
	if name == "" {
		return nil, fmt.Errorf("%w: empty bucket name", ErrInvalid)
	}
	return tx.bucket(root).CreateBucketIfNotExists([]byte(name))
}

// MarkSeen records that id (a Telegram update id, a WhatsApp message id) was processed, and
// reports whether this is the first time. Called in the same Update as the step it guards, a
// redelivered update after a crash is either fully processed once or not at all.
func (tx *boltTx) MarkSeen(namespace, id string) (fresh bool, err error) {
	if id == "" {
		return false, fmt.Errorf("%w: empty id", ErrInvalid)
	}
	b, err := tx.nested(bucketSeen, namespace)
	if err != nil {
		return false, err
	}
	if b.Get([]byte(id)) != nil {
		return false, nil
	}
	return true, b.Put([]byte(id), timeKey(tx.Now()))
}

// PruneSeen forgets ids of namespace seen before olderThan, so the set stays bounded; keep
// them longer than any platform redelivers. It returns how many were removed.
func (tx *boltTx) PruneSeen(namespace string, olderThan time.Time) (int, error) {
	b := tx.bucket(bucketSeen).Bucket([]byte(namespace))
	if b == nil {
		return 0, nil
	}
	cutoff := timeKey(olderThan)
	var old [][]byte
	err := b.ForEach(func(k, v []byte) error {
		if bytes.Compare(v, cutoff) < 0 {
			old = append(old, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(old), nil
}
