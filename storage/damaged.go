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

func (e *DamagedRecordError) Unwrap() error { return e.Err }
