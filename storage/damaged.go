package storage

import (
	"errors"
	"fmt"
)

// ErrDamagedRecord is wrapped by the error for a stored record that cannot be decoded (a torn write
// restored from a bad backup, a disk error). It is never ErrNotFound: a citizen asking about a
// damaged report is told of an outage, not that the report does not exist.
var ErrDamagedRecord = errors.New("storage: damaged record")

// DamagedRecordError names the damaged record.
type DamagedRecordError struct {
	Record string // report number, or "outbound <seq>"
	Err    error
}

func (e *DamagedRecordError) Error() string {
	return fmt.Sprintf("storage: %s cannot be decoded (damaged record): %v", e.Record, e.Err)
}
func (e *DamagedRecordError) Is(target error) bool { return target == ErrDamagedRecord }
func (e *DamagedRecordError) Unwrap() error        { return e.Err }

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
