package bolt

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/laporbansos/laporbansos/storage"
	bolt "go.etcd.io/bbolt"
)

// The lookup budget lives in the store, not in memory: it must hold across restarts and, once
// several instances share one store, across instances. It is written in the same transaction as
// the dialogue step that spends it, so a refused or rolled-back step spends nothing.
//
// Layout, in the state bucket's nested bucket "lookup_budget":
//
//	"chat/" ChatAddr.Key()    → JSON []int64   Unix seconds of this chat's lookups in the last 24 h
//	"global/" YYYYMMDDHH (UTC) → count(8)       all chats' lookups in that clock hour
//	"recip/" ChatAddr.Key()   → JSON recipSeen hashed recipient NIKs this chat looked up recently
const budgetBucket = "lookup_budget"

// SpendLookup takes one lookup from chat's budget and the global one, or refuses and says when
// the chat may try again. A refusal spends nothing.
func (tx *boltTx) SpendLookup(chat ChatAddr, lim LookupLimits) (LookupGrant, error) {
	ck, err := chatKey(chat)
	if err != nil {
		return LookupGrant{}, err
	}
	b, err := tx.nested(bucketState, budgetBucket)
	if err != nil {
		return LookupGrant{}, err
	}
	now := tx.Now()
	chatK := append([]byte("chat/"), ck...)
	var times []int64
	if v := b.Get(chatK); v != nil {
		if err := json.Unmarshal(v, &times); err != nil {
			return LookupGrant{}, fmt.Errorf("storage: decode lookup budget: %w", err)
		}
	}
	dayAgo, hourAgo := now.Add(-24*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	kept := times[:0]
	for _, t := range times {
		if t > dayAgo {
			kept = append(kept, t)
		}
	}
	times = kept
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	var inHour []int64
	for i, t := range times {
		if t > hourAgo {
			inHour = times[i:]
			break
		}
	}
	if lim.ChatDay > 0 && len(times) >= lim.ChatDay {
		return LookupGrant{Scope: ScopeChatDay, Limit: lim.ChatDay, RetryAt: time.Unix(times[len(times)-lim.ChatDay], 0).Add(24 * time.Hour)}, nil
	}
	if lim.ChatHour > 0 && len(inHour) >= lim.ChatHour {
		return LookupGrant{Scope: ScopeChatHour, Limit: lim.ChatHour, RetryAt: time.Unix(inHour[len(inHour)-lim.ChatHour], 0).Add(time.Hour)}, nil
	}
	hour := now.UTC().Truncate(time.Hour)
	globalK := []byte("global/" + hour.Format("2006010215"))
	var count uint64
	if v := b.Get(globalK); len(v) == 8 {
		count = binary.BigEndian.Uint64(v)
	}
	if lim.GlobalHour > 0 && count >= uint64(lim.GlobalHour) {
		return LookupGrant{Scope: ScopeGlobal, Limit: lim.GlobalHour, RetryAt: hour.Add(time.Hour)}, nil
	}
	if err := pruneBefore(b, []byte("global/"), globalK); err != nil {
		return LookupGrant{}, err
	}
	if err := b.Put(globalK, u64(count+1)); err != nil {
		return LookupGrant{}, err
	}
	times = append(times, now.Unix())
	v, err := json.Marshal(times)
	if err != nil {
		return LookupGrant{}, err
	}
	return LookupGrant{Allowed: true}, b.Put(chatK, v)
}

// pruneBefore deletes the keys with prefix that sort before upto: old global hours.
func pruneBefore(b *bolt.Bucket, prefix, upto []byte) error {
	var old [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && bytes.Compare(k, upto) < 0; k, _ = c.Next() {
		old = append(old, bytes.Clone(k))
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// recipSeen is what the store keeps to spot scraping: hashes, never NIKs, with the time each
// was last looked up, and when staff were last alerted.

// NoteRecipientLookup records that chat looked up a registry recipient's NIK, and returns how
// many different recipients it looked up within window. alert is true the first time in a
// window that the count reaches threshold: the caller tells staff once, not at every lookup.
// Only a hash of the NIK is kept, and only for window.
func (tx *boltTx) NoteRecipientLookup(chat ChatAddr, nik string, window time.Duration, threshold int) (count int, alert bool, err error) {
	ck, err := chatKey(chat)
	if err != nil {
		return 0, false, err
	}
	b, err := tx.nested(bucketState, budgetBucket)
	if err != nil {
		return 0, false, err
	}
	k := append([]byte("recip/"), ck...)
	v, count, alert, err := storage.NoteRecipientSeen(b.Get(k), nik, tx.Now(), window, threshold)
	if err != nil {
		return 0, false, err
	}
	return count, alert, b.Put(k, v)
}
