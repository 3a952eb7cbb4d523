package postgres

import (
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/laporbansos/laporbansos/storage"
)

// PutPhoto stores the photo in the photos table, in the step's transaction: it commits with
// the report that names it or not at all. See storage.Tx.
func (tx *pgTx) PutPhoto(name string, data []byte) error {
	report, ok := storage.PhotoReport(name)
	if !ok || len(data) == 0 {
		return fmt.Errorf("%w: photo %q", storage.ErrInvalid, name)
	}
	_, err := tx.exec(`INSERT INTO photos (name, report, data, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (name) DO UPDATE SET report = excluded.report, data = excluded.data, created_at = excluded.created_at`,
		name, report, data, tx.Now())
	return err
}

// Photo reads a photo from the photos table; ErrNotFound when there is none. See storage.Tx.
func (tx *pgTx) Photo(name string) ([]byte, error) {
	if _, ok := storage.PhotoReport(name); !ok {
		return nil, fmt.Errorf("%w: photo", storage.ErrNotFound)
	}
	var data []byte
	err := tx.tx.QueryRow(tx.ctx, `SELECT data FROM photos WHERE name = $1`, name).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: photo %s", storage.ErrNotFound, name)
	}
	if err != nil {
		return nil, err
	}
	return data, nil
}

// purgePhotos deletes (or, dry, lists) the photos of the purged reports, in the purge's
// transaction: a report's scrubbed record and its photos go together.
func (tx *pgTx) purgePhotos(reports []string, dry bool) ([]string, error) {
	if len(reports) == 0 {
		return nil, nil
	}
	q := `DELETE FROM photos WHERE report = ANY($1) RETURNING name`
	if dry {
		q = `SELECT name FROM photos WHERE report = ANY($1)`
	}
	rows, err := tx.tx.Query(tx.ctx, q, reports)
	if err != nil {
		return nil, err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}
