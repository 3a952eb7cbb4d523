package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/laporbansos/laporbansos/storage"
)

func (tx *pgTx) PutUser(u storage.User) error {
	name, ok := storage.NormalizeUserName(u.Name)
	if !ok {
		return fmt.Errorf("%w: account name must be 1-32 of a-z 0-9 . _ -", storage.ErrInvalid)
	}
	if !u.Role.Valid() {
		return fmt.Errorf("%w: role must be viewer or supervisor", storage.ErrInvalid)
	}
	if u.Hash == "" {
		return fmt.Errorf("%w: account without password hash", storage.ErrInvalid)
	}
	u.Name = name
	if u.CreatedAt.IsZero() {
		u.CreatedAt = tx.Now()
	}
	doc, err := json.Marshal(u)
	if err != nil {
		return err
	}
	_, err = tx.exec(`INSERT INTO users (name, doc) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET doc = excluded.doc`, name, doc)
	return err
}

func (tx *pgTx) User(name string) (storage.User, error) {
	n, ok := storage.NormalizeUserName(name)
	if !ok {
		return storage.User{}, fmt.Errorf("%w: account", storage.ErrNotFound)
	}
	var doc []byte
	err := tx.tx.QueryRow(tx.ctx, `SELECT doc FROM users WHERE name = $1`, n).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return storage.User{}, fmt.Errorf("%w: account", storage.ErrNotFound)
	}
	if err != nil {
		return storage.User{}, err
	}
	var u storage.User
	if err := json.Unmarshal(doc, &u); err != nil {
		return storage.User{}, fmt.Errorf("storage: decode account: %w", err)
	}
	return u, nil
}

func (tx *pgTx) Users() ([]storage.User, error) {
	rows, err := tx.tx.Query(tx.ctx, `SELECT doc FROM users ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []storage.User{}
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var u storage.User
		if err := json.Unmarshal(doc, &u); err != nil {
			return nil, fmt.Errorf("storage: decode account: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func (tx *pgTx) DeleteUser(name string) error {
	n, _ := storage.NormalizeUserName(name)
	tag, err := tx.exec(`DELETE FROM users WHERE name = $1`, n)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: account", storage.ErrNotFound)
	}
	return nil
}

func (tx *pgTx) RecordView(user, report string) error {
	if user == "" || report == "" {
		return fmt.Errorf("%w: view without user or report", storage.ErrInvalid)
	}
	doc, err := json.Marshal(storage.ViewEntry{User: user, Report: report, At: tx.Now()})
	if err != nil {
		return err
	}
	_, err = tx.exec(`INSERT INTO views (at, doc) VALUES ($1, $2)`, tx.Now(), doc)
	return err
}

func (tx *pgTx) Views(since time.Time, limit int) ([]storage.ViewEntry, error) {
	q := `SELECT doc FROM views WHERE at >= $1 ORDER BY at DESC, seq DESC`
	args := []any{since}
	if limit > 0 {
		q += ` LIMIT $2`
		args = append(args, limit)
	}
	rows, err := tx.tx.Query(tx.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []storage.ViewEntry{}
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var e storage.ViewEntry
		if err := json.Unmarshal(doc, &e); err != nil {
			return nil, fmt.Errorf("storage: decode view entry: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
