package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// Dashboard accounts and the record of who viewed which full report live in the bot's own file,
// beside the reports they give access to: one file to back up, one file whose permissions
// (0600) guard both. The buckets are created on first write, so older files need no migration.
//
//	users          name → User
//	views          at(8) + seq(8) → ViewEntry       every view of a full (unmasked) report
var (
	bucketUsers = []byte("users")
	bucketViews = []byte("views")
)

// PutUser creates or replaces the account u.Name (normalised); CreatedAt is set to tx.Now() when
// zero. The error wraps ErrInvalid for a bad name, role or an empty hash.
func (tx *boltTx) PutUser(u User) error {
	name, ok := storage.NormalizeUserName(u.Name)
	if !ok {
		return fmt.Errorf("%w: account name must be 1-32 of a-z 0-9 . _ -", ErrInvalid)
	}
	if !u.Role.Valid() {
		return fmt.Errorf("%w: role must be viewer or supervisor", ErrInvalid)
	}
	if u.Hash == "" {
		return fmt.Errorf("%w: account without password hash", ErrInvalid)
	}
	u.Name = name
	if u.CreatedAt.IsZero() {
		u.CreatedAt = tx.Now()
	}
	b, err := tx.tx.CreateBucketIfNotExists(bucketUsers)
	if err != nil {
		return err
	}
	v, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return b.Put([]byte(name), v)
}

// User returns the account name; ErrNotFound when there is none.
func (tx *boltTx) User(name string) (User, error) {
	n, ok := storage.NormalizeUserName(name)
	if !ok {
		return User{}, fmt.Errorf("%w: account", ErrNotFound)
	}
	b := tx.tx.Bucket(bucketUsers)
	if b == nil {
		return User{}, fmt.Errorf("%w: account %s", ErrNotFound, n)
	}
	v := b.Get([]byte(n))
	if v == nil {
		return User{}, fmt.Errorf("%w: account %s", ErrNotFound, n)
	}
	var u User
	if err := json.Unmarshal(v, &u); err != nil {
		return User{}, fmt.Errorf("storage: decode account %s: %w", n, err)
	}
	return u, nil
}

// Users returns every account, by name.
func (tx *boltTx) Users() ([]User, error) {
	out := []User{}
	b := tx.tx.Bucket(bucketUsers)
	if b == nil {
		return out, nil
	}
	err := b.ForEach(func(_, v []byte) error {
		var u User
		if err := json.Unmarshal(v, &u); err != nil {
			return fmt.Errorf("storage: decode account: %w", err)
		}
		out = append(out, u)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, err
}

// DeleteUser removes the account; ErrNotFound when there is none.
func (tx *boltTx) DeleteUser(name string) error {
	if _, err := tx.User(name); err != nil {
		return err
	}
	n, _ := storage.NormalizeUserName(name)
	return tx.tx.Bucket(bucketUsers).Delete([]byte(n))
}

// RecordView appends a ViewEntry at tx.Now().
func (tx *boltTx) RecordView(user, report string) error {
	if user == "" || report == "" {
		return fmt.Errorf("%w: view without user or report", ErrInvalid)
	}
	b, err := tx.tx.CreateBucketIfNotExists(bucketViews)
	if err != nil {
		return err
	}
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	v, err := json.Marshal(ViewEntry{User: user, Report: report, At: tx.Now()})
	if err != nil {
		return err
	}
	return b.Put(concat(timeKey(tx.Now()), u64(seq)), v)
}

// Views returns the recorded full views at or after since, newest first, at most limit (<= 0:
// all).
func (tx *boltTx) Views(since time.Time, limit int) ([]ViewEntry, error) {
	out := []ViewEntry{}
	b := tx.tx.Bucket(bucketViews)
	if b == nil {
		return out, nil
	}
	from := timeKey(since)
	c := b.Cursor()
	for k, v := c.Last(); k != nil && bytes.Compare(k[:8], from) >= 0; k, v = c.Prev() {
		if limit > 0 && len(out) >= limit {
			break
		}
		var e ViewEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, fmt.Errorf("storage: decode view entry: %w", err)
		}
		out = append(out, e)
	}
	return out, nil
}

// PutUser stores an account in its own transaction; see Tx.PutUser.
func (db *DB) PutUser(ctx context.Context, u User) error {
	return db.Update(ctx, func(tx Tx) error { return tx.PutUser(u) })
}

// User reads an account; see Tx.User.
func (db *DB) User(ctx context.Context, name string) (u User, err error) {
	err = db.View(ctx, func(tx Tx) error { u, err = tx.User(name); return err })
	return u, err
}

// Users lists accounts; see Tx.Users.
func (db *DB) Users(ctx context.Context) (us []User, err error) {
	err = db.View(ctx, func(tx Tx) error { us, err = tx.Users(); return err })
	return us, err
}

// DeleteUser removes an account; see Tx.DeleteUser.
func (db *DB) DeleteUser(ctx context.Context, name string) error {
	return db.Update(ctx, func(tx Tx) error { return tx.DeleteUser(name) })
}

// ReportForView returns report id and, in the same transaction, records that user viewed it in
// full: the record and its audit entry cannot part. ErrNotFound when there is no such report.
func (db *DB) ReportForView(ctx context.Context, id, user string) (r *Report, err error) {
	err = db.Update(ctx, func(tx Tx) error {
		r, err = tx.Report(id)
		if err != nil {
			return err
		}
		return tx.RecordView(user, r.ID)
	})
	return r, err
}

// Views lists recorded full views; see Tx.Views.
func (db *DB) Views(ctx context.Context, since time.Time, limit int) (es []ViewEntry, err error) {
	err = db.View(ctx, func(tx Tx) error { es, err = tx.Views(since, limit); return err })
	return es, err
}
