package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
)

// PendingWhere returns, in Seq order, up to limit queued messages whose address keep accepts,
// looking at no more than maxScan messages (all when maxScan <= 0). keep sees every address
// in queue order, so a sender can take only each chat's oldest message and skip chats of a
// channel that is not running: messages for a stopped channel no longer hide the ones behind
// them, as a plain Pending(limit) window would once limit of them pile up at the head.
//
// Only the address of a skipped message is decoded, which keeps a scan of a long queue cheap.
func (tx *boltTx) PendingWhere(limit, maxScan int, keep func(ChatAddr) bool) ([]*Outbound, error) {
	out := []*Outbound{}
	c := tx.bucket(bucketOutbound).Cursor()
	scanned := 0
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if (limit > 0 && len(out) >= limit) || (maxScan > 0 && scanned >= maxScan) {
			break
		}
		scanned++
		var o Outbound
		to, err := outboundAddr(v)
		if err == nil && !keep(to) {
			continue
		}
		if err == nil {
			err = json.Unmarshal(v, &o)
		}
		if err != nil {
			// Left out, never the reason the whole queue stalls.
			if err := tx.skipDamaged(&DamagedRecordError{Record: fmt.Sprintf("outbound %d", keyUint(k)), Err: err}); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, &o)
	}
	return out, nil
}

// outboundAddr reads the "to" field of an encoded Outbound without decoding its payload.
func outboundAddr(v []byte) (ChatAddr, error) {
	var to ChatAddr
	dec := json.NewDecoder(bytes.NewReader(v))
	if _, err := dec.Token(); err != nil { // '{'
		return to, err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return to, err
		}
		if name, _ := t.(string); name == "to" {
			err := dec.Decode(&to)
			return to, err
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return to, err
		}
	}
	return to, fmt.Errorf("no address")
}

// PendingWhere lists queued messages by address; see Tx.PendingWhere.
func (db *DB) PendingWhere(ctx context.Context, limit, maxScan int, keep func(ChatAddr) bool) (msgs []*Outbound, err error) {
	err = db.View(ctx, func(tx Tx) error { msgs, err = tx.PendingWhere(limit, maxScan, keep); return err })
	return msgs, err
}
