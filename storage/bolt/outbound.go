package bolt

import (
	"encoding/json"
	"fmt"
)

// Enqueue appends messages to the durable send queue, assigning each its Seq and, when zero,
// CreatedAt. Enqueued in the same Update as the state change they announce, a reply is sent
// only if that change was committed, and is sent even if the process dies right after.
func (tx *boltTx) Enqueue(msgs ...*Outbound) error {
	b := tx.bucket(bucketOutbound)
	for _, o := range msgs {
		if o == nil {
			return fmt.Errorf("%w: nil outbound message", ErrInvalid)
		}
		if _, err := chatKey(o.To); err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		o.Seq = seq
		if o.CreatedAt.IsZero() {
			o.CreatedAt = tx.Now()
		}
		if err := putOutbound(b.Put, o); err != nil {
			return err
		}
	}
	return nil
}

func putOutbound(put func(k, v []byte) error, o *Outbound) error {
	v, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("storage: encode outbound: %w", err)
	}
	return put(u64(o.Seq), v)
}

// Pending returns up to limit queued messages (all when limit <= 0) in Seq order, including
// those whose NotBefore is still ahead: the sender decides what is due. A damaged entry is
// logged and left out, so it cannot stop every other chat's messages.
func (tx *boltTx) Pending(limit int) ([]*Outbound, error) {
	out := []*Outbound{}
	c := tx.bucket(bucketOutbound).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if limit > 0 && len(out) >= limit {
			break
		}
		var o Outbound
		if err := json.Unmarshal(v, &o); err != nil {
			if err := tx.skipDamaged(&DamagedRecordError{Record: fmt.Sprintf("outbound %d", keyUint(k)), Err: err}); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, &o)
	}
	return out, nil
}

// AckOutbound removes a sent message. Acking one that is gone is not an error: a sender that
// crashed between sending and acking, or a DropOutbound in between, may ack it twice.
func (tx *boltTx) AckOutbound(seq uint64) error {
	return tx.bucket(bucketOutbound).Delete(u64(seq))
}

// UpdateOutbound stores a queued message's new Attempts and NotBefore after a failed send. It
// returns ErrNotFound when the message was acked or dropped meanwhile, and does not re-add it.
func (tx *boltTx) UpdateOutbound(o *Outbound) error {
	if o == nil {
		return fmt.Errorf("%w: nil outbound message", ErrInvalid)
	}
	b := tx.bucket(bucketOutbound)
	if b.Get(u64(o.Seq)) == nil {
		return fmt.Errorf("%w: outbound %d", ErrNotFound, o.Seq)
	}
	return putOutbound(b.Put, o)
}

// DropOutbound removes every queued message to chat (the user blocked the bot, the chat is
// gone) and returns how many there were.
func (tx *boltTx) DropOutbound(chat ChatAddr) (int, error) {
	b := tx.bucket(bucketOutbound)
	var drop [][]byte
	err := b.ForEach(func(k, v []byte) error {
		to, err := outboundAddr(v)
		if err != nil {
			return tx.skipDamaged(&DamagedRecordError{Record: fmt.Sprintf("outbound %d", keyUint(k)), Err: err})
		}
		if to == chat {
			drop = append(drop, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	// Deleting while iterating would skip keys; bolt cursors move under deletes.
	for _, k := range drop {
		if err := b.Delete(k); err != nil {
			return 0, err
		}
	}
	return len(drop), nil
}

// DropDamagedOutbound removes queued messages that cannot be decoded, which lists skip, and
// returns their sequence numbers. The sender calls it when it starts, so one damaged entry is
// reported once instead of on every pass.
func (tx *boltTx) DropDamagedOutbound() ([]uint64, error) {
	b := tx.bucket(bucketOutbound)
	var bad []uint64
	err := b.ForEach(func(k, v []byte) error {
		var o Outbound
		if json.Unmarshal(v, &o) != nil {
			bad = append(bad, keyUint(k))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, seq := range bad {
		if err := b.Delete(u64(seq)); err != nil {
			return nil, err
		}
	}
	return bad, nil
}
