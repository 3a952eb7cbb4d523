package postgres

import (
	"context"
	"fmt"
)

// WhatsAppInbox is the WhatsApp channel's inbox in the shared database (bot/whatsapp.Inbox):
// the records of messages acknowledged to WhatsApp and not yet handled, by key. It is shared by
// every instance, so the next leader handles what the last one acked and did not finish. Each
// call is one statement, outside the steps' transactions.
type WhatsAppInbox struct{ db *DB }

// WhatsAppInbox returns the inbox in db.
func (db *DB) WhatsAppInbox() *WhatsAppInbox { return &WhatsAppInbox{db: db} }

// Put records (or replaces) the record of key.
func (i *WhatsAppInbox) Put(ctx context.Context, key string, record []byte) error {
	if i.db.pool == nil {
		return errNotOpen
	}
	_, err := i.db.pool.Exec(ctx, `INSERT INTO whatsapp_inbox (key, record) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET record = EXCLUDED.record, recorded_at = now()`, key, record)
	if err != nil {
		return fmt.Errorf("storage: whatsapp inbox: %w", err)
	}
	return nil
}

// Delete forgets key; a key not there is no error.
func (i *WhatsAppInbox) Delete(ctx context.Context, key string) error {
	if i.db.pool == nil {
		return errNotOpen
	}
	if _, err := i.db.pool.Exec(ctx, `DELETE FROM whatsapp_inbox WHERE key = $1`, key); err != nil {
		return fmt.Errorf("storage: whatsapp inbox: %w", err)
	}
	return nil
}

// All returns every record, in bytewise key order.
func (i *WhatsAppInbox) All(ctx context.Context) ([][]byte, error) {
	if i.db.pool == nil {
		return nil, errNotOpen
	}
	rows, err := i.db.pool.Query(ctx, `SELECT record FROM whatsapp_inbox ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("storage: whatsapp inbox: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var r []byte
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("storage: whatsapp inbox: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("storage: whatsapp inbox: %w", err)
	}
	return out, nil
}
