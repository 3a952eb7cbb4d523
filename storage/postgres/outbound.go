package postgres

import (
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
			return nil, &storage.DamagedRecordError{Record: fmt.Sprintf("outbound %d", seq), Err: err}
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
	tag, err := tx.exec(`UPDATE outbound SET doc = $2 WHERE seq = $1`, o.Seq, doc)
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

// DropDamagedOutbound finds none: a jsonb column holds only valid JSON.
func (tx *pgTx) DropDamagedOutbound() ([]uint64, error) { return nil, nil }

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
