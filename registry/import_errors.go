package registry

import (
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Import errors end up in the CLI's output and the sync log. The registry is the regency's most
// sensitive list, so an error names the line and the column, never what the row holds: a file
// without a header row would otherwise print someone's NIK, name and address as "the header".

// headerProblem explains a missing required column by the columns that were recognised.
func headerProblem(missing string, header []string) error {
	var known []string
	for _, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if slices.Contains(columnNames[:], h) && !slices.Contains(known, h) {
			known = append(known, h)
		}
	}
	found := "none of the known columns"
	if len(known) > 0 {
		found = "only " + strings.Join(known, ", ")
	}
	return fmt.Errorf("line 1 (the header) has no %q column: it has %d columns, %s; the first line must name the columns (nik, nama, program, …)", missing, len(header), found)
}

// nikReason is why a NIK was refused, without any of its digits.
func nikReason(err error) string {
	var ne *NIKError
	if errors.As(err, &ne) {
		return "invalid NIK: " + ne.Code.String()
	}
	return "invalid NIK"
}

// csvProblem keeps a CSV reader's error to its position and kind.
func csvProblem(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d, column %d: %w", pe.Line, pe.Column, pe.Err)
	}
	return err
}
