package postgres

import (
	"errors"

	"github.com/laporbansos/laporbansos/storage"
)

// skipDamaged reports a damaged record that a list, a scan or an export leaves out, so one bad
// row does not take every other one down with it, as storage/bolt does: a jsonb column holds
// only valid JSON, but a hand edit or a restore from another version can leave a document that
// does not decode into its type. Any other error is returned: it stops the list.
func (tx *pgTx) skipDamaged(err error) error {
	var de *storage.DamagedRecordError
	if !errors.As(err, &de) {
		return err
	}
	tx.db.Log.Error().Str("record", de.Record).AnErr("decode", de.Err).Msg("damaged record skipped; restore it from a backup")
	return nil
}
