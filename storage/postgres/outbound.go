package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// Enqueue takes each message's Seq from the table's sequence. Two steps of one chat are
// serialised (both write its session), so a chat's messages keep their order.
func (tx *pgTx) Enqueue(msgs ...*storage.Outbound) error {
	for _, o := range msgs {
		if o == nil {
			return fmt.Errorf("%w: nil outbound message", storage.ErrInvalid)
		}
		k, err := chatKey(o.To)
		if err != nil {
			return err
		}
		if err := tx.tx.QueryRow(tx.ctx, `SELECT nextval(pg_get_serial_sequence('outbound', 'seq'))`).Scan(&o.Seq); err != nil {
			return err
		}
		if o.CreatedAt.IsZero() {
			o.CreatedAt = tx.Now()
		}
		doc, err := json.Marshal(o)
		if err != nil {
			return fmt.Errorf("storage: encode outbound: %w", err)
		}
		if _, err := tx.exec(`INSERT INTO outbound (seq, chat, doc) VALUES ($1, $2, $3)`, o.Seq, k, doc); err != nil {
			return err
		}
	}
	return nil
}

func (tx *pgTx) Pending(limit int) ([]*storage.Outbound, error) {
	return tx.PendingWhere(limit, 0, func(storage.ChatAddr) bool { return true })
}

// PendingWhere reads the queue in Seq order, as storage/bolt does.
func (tx *pgTx) PendingWhere(limit, maxScan int, keep func(storage.ChatAddr) bool) ([]*storage.Outbound, error) {
	q := `SELECT seq, chat, doc FROM outbound ORDER BY seq`
	var args []any
	if maxScan > 0 {
		q += ` LIMIT $1`
		args = append(args, maxScan)
	}
	rows, err := tx.tx.Query(tx.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*storage.Outbound{}
	for rows.Next() {
		if limit > 0 && len(out) >= limit {
			break
		}
		var seq uint64
		var chat string
		var doc []byte
		if err := rows.Scan(&seq, &chat, &doc); err != nil {
			return nil, err
		}
		if !keep(parseChatKey(chat)) {
			continue
		}
		var o storage.Outbound
		if err := json.Unmarshal(doc, &o); err != nil {
			// Left out, as storage/bolt does: never the reason the whole queue stalls.
			if err := tx.skipDamaged(&storage.DamagedRecordError{Record: fmt.Sprintf("outbound %d", seq), Err: err}); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, &o)
	}
	return out, rows.Err()
}

func (tx *pgTx) AckOutbound(seq uint64) error {
	_, err := tx.exec(`DELETE FROM outbound WHERE seq = $1`, seq)
	return err
}

func (tx *pgTx) UpdateOutbound(o *storage.Outbound) error {
	if o == nil {
		return fmt.Errorf("%w: nil outbound message", storage.ErrInvalid)
	}
	doc, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("storage: encode outbound: %w", err)
	}
	// A reschedule ends the sender's claim: the retry may come from whichever instance leads.
	tag, err := tx.exec(`UPDATE outbound SET doc = $2, claimed_by = NULL, claimed_until = NULL WHERE seq = $1`, o.Seq, doc)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: outbound %d", storage.ErrNotFound, o.Seq)
	}
	return nil
}

func (tx *pgTx) DropOutbound(chat storage.ChatAddr) (int, error) {
	tag, err := tx.exec(`DELETE FROM outbound WHERE chat = $1`, chat.Key())
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// DropDamagedOutbound deletes the queued messages whose document does not decode (valid JSON of
// the wrong shape: the jsonb column admits nothing else), as storage/bolt does.
func (tx *pgTx) DropDamagedOutbound() ([]uint64, error) {
	rows, err := tx.tx.Query(tx.ctx, `SELECT seq, doc FROM outbound ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	var bad []uint64
	for rows.Next() {
		var seq uint64
		var doc []byte
		if err := rows.Scan(&seq, &doc); err != nil {
			rows.Close()
			return nil, err
		}
		var o storage.Outbound
		if json.Unmarshal(doc, &o) != nil {
			bad = append(bad, seq)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(bad) > 0 {
		if _, err := tx.exec(`DELETE FROM outbound WHERE seq = ANY($1)`, int64s(bad)); err != nil {
			return nil, err
		}
	}
	return bad, nil
}

func (tx *pgTx) QueueStats() (depth int, oldest time.Time, err error) {
	var doc []byte
	err = tx.tx.QueryRow(tx.ctx, `SELECT (SELECT count(*) FROM outbound), (SELECT doc FROM outbound ORDER BY seq LIMIT 1)`).Scan(&depth, &doc)
	if err != nil || doc == nil {
		return depth, time.Time{}, err
	}
	var o struct {
		CreatedAt time.Time `json:"created_at"`
	}
	if err := json.Unmarshal(doc, &o); err != nil {
		return depth, time.Time{}, fmt.Errorf("storage: decode outbound: %w", err)
	}
	return depth, o.CreatedAt, nil
}

var _ storage.Claimer = (*DB)(nil)

// ClaimOutbound implements storage.Claimer. The rows are taken FOR UPDATE SKIP LOCKED: a
// message another sender is claiming at this moment counts as claimed rather than being waited
// for. Leases are measured on the server's clock.
func (db *DB) ClaimOutbound(ctx context.Context, owner string, lease time.Duration, msgs ...*storage.Outbound) (ok bool, err error) {
	if len(msgs) == 0 {
		return true, nil
	}
	if owner == "" || lease <= 0 {
		return false, fmt.Errorf("%w: claim needs an owner and a lease", storage.ErrInvalid)
	}
	ids := make([]int64, len(msgs))
	attempts := map[int64]int{}
	for i, o := range msgs {
		ids[i] = int64(o.Seq)
		attempts[ids[i]] = o.Attempts
	}
	err = db.Update(ctx, func(t storage.Tx) error {
		tx := t.(*pgTx)
		ok = false
		rows, err := tx.tx.Query(tx.ctx, `SELECT seq, claimed_by IS NULL OR claimed_by = $2 OR claimed_until <= clock_timestamp(),
			coalesce((doc->>'attempts')::int, 0)
			FROM outbound WHERE seq = ANY($1) FOR UPDATE SKIP LOCKED`, ids, owner)
		if err != nil {
			return err
		}
		n := 0
		free := true
		for rows.Next() {
			var seq int64
			var f bool
			var att int
			if err := rows.Scan(&seq, &f, &att); err != nil {
				rows.Close()
				return err
			}
			n++
			free = free && f && att == attempts[seq]
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if n != len(ids) || !free {
			return nil
		}
		if _, err := tx.exec(`UPDATE outbound SET claimed_by = $2, claimed_until = clock_timestamp() + $3 * interval '1 microsecond' WHERE seq = ANY($1)`,
			ids, owner, lease.Microseconds()); err != nil {
			return err
		}
		ok = true
		return nil
	})
	return ok, err
}

// ReleaseOutbound implements storage.Claimer.
func (db *DB) ReleaseOutbound(ctx context.Context, owner string, seqs ...uint64) error {
	if len(seqs) == 0 {
		return nil
	}
	return db.Update(ctx, func(t storage.Tx) error {
		_, err := t.(*pgTx).exec(`UPDATE outbound SET claimed_by = NULL, claimed_until = NULL WHERE seq = ANY($1) AND claimed_by = $2`, int64s(seqs), owner)
		return err
	})
}

func int64s(seqs []uint64) []int64 {
	out := make([]int64, len(seqs))
	for i, s := range seqs {
		out[i] = int64(s)
	}
	return out
}
