// Package registry holds NIK parsing and validation, Indonesia's region codes, and the embedded
// bbolt copy of the recipient registry (lookup, CSV import, atomic swap, scheduled sync).
package registry

import (
	"errors"
	"time"
)

// NIK is a structurally valid, normalised 16-digit Nomor Induk Kependudukan. Only ParseNIK makes
// one; the zero value is not a NIK.
type NIK string

// Program is one recipient record of the registry: one NIK receives one or more programs.
type Program struct {
	Program   string // PKH, BPNT, BLT Desa, BST, BPUM, APD, …
	Period    string // as the source writes it, e.g. "2026 Tahap 3"
	Status    string // payment status, e.g. "Sudah Salur"
	Name      string // full name as in the source; mask it before showing a citizen
	Address   string // never shown to a citizen
	Desa      string
	Kecamatan string
}

// Meta describes the registry currently in service.
type Meta struct {
	Source       string    // file the data came from
	SHA256       string    // hex checksum of the source file
	ImportedAt   time.Time // when the import finished
	RowsRead     int       // data rows seen (header excluded)
	RowsImported int
	RowsRefused  int
	Duplicates   int // rows repeating an earlier row's nik, program and periode, stored once
	DistinctNIKs int
	PerProgram   map[string]int // rows per program name
}

// ErrNotFound is returned by lookups when the NIK is not in the registry.
var ErrNotFound = errors.New("registry: NIK not found")
