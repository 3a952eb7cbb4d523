package bolt

import (
	"errors"
)

// skipDamaged reports a damaged record that a list or an export leaves out, so one bad record
// does not take every other one down with it. Any other error is returned: it stops the list.
func (tx *boltTx) skipDamaged(err error) error {
	var de *DamagedRecordError
	if !errors.As(err, &de) {
		return err
	}
	tx.log.Error().Str("record", de.Record).AnErr("decode", de.Err).Msg("damaged record skipped; restore it from a backup")
	return nil
}

// nikDamaged returns a DamagedRecordError when any record on nik cannot be decoded. CreateReport
// refuses then: the damaged record may be the open report a new one would duplicate.
func (tx *boltTx) nikDamaged(nik string) error {
	prefix := []byte(nik + "/")
	c := tx.bucket(bucketReportNIK).Cursor()
	for k, _ := c.Seek(prefix); k != nil && len(k) > len(prefix) && string(k[:len(prefix)]) == string(prefix); k, _ = c.Next() {
		if _, err := tx.getReport(string(k[len(prefix):])); errors.Is(err, ErrDamagedRecord) {
			return err
		}
	}
	return nil
}
