package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"

	bolt "go.etcd.io/bbolt"
)

// bucketReportNameDesa indexes reports by kecamatan code, desa and name, all normalised (see
// NameDesaKey): a report on a person without NIK cannot be matched by NIK, so earlier reports
// on the same name in the same desa are shown to staff as possible duplicates.
var bucketReportNameDesa = []byte("report_name_desa")

// NormalizeName folds a name or a desa for matching: lower case, letters and digits only,
// single spaces, and the old spellings that are still on many KTPs read as the current ones
// (oe → u, dj → j, tj → c: "Soedjono" and "Sujono" are one name).
func NormalizeName(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return strings.NewReplacer("oe", "u", "dj", "j", "tj", "c").Replace(b.String())
}

// nameDesaPrefix is the index prefix of one person in one desa; the report number follows it.
func nameDesaPrefix(kecCode, desa, name string) []byte {
	return []byte(kecCode + "\x00" + NormalizeName(desa) + "\x00" + NormalizeName(name) + "\x00")
}

func nameDesaIndexed(r *Report) bool {
	return r.Kind == KindReport && r.Desa != "" && NormalizeName(r.Name) != ""
}

// indexNameDesa is written by CreateReport in the report's own transaction.
func (tx *Tx) indexNameDesa(r *Report) error {
	if !nameDesaIndexed(r) {
		return nil
	}
	return tx.bucket(bucketReportNameDesa).Put(append(nameDesaPrefix(r.KecamatanCode, r.Desa, r.Name), r.ID...), nil)
}

// unindexNameDesa is called by the retention purge before the name and desa are scrubbed.
func (tx *Tx) unindexNameDesa(r *Report) error {
	if !nameDesaIndexed(r) {
		return nil
	}
	return tx.bucket(bucketReportNameDesa).Delete(append(nameDesaPrefix(r.KecamatanCode, r.Desa, r.Name), r.ID...))
}

// ReportsByNameDesa returns the reports (with or without NIK) on the same normalised name in the
// same desa of the same kecamatan, newest first. It is a hint for staff, so a damaged record is
// skipped (and logged) rather than failing the report being filed.
func (tx *Tx) ReportsByNameDesa(kecCode, desa, name string) ([]*Report, error) {
	out := []*Report{}
	if NormalizeName(name) == "" || desa == "" {
		return out, nil
	}
	prefix := nameDesaPrefix(kecCode, desa, name)
	c := tx.bucket(bucketReportNameDesa).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		r, err := tx.getReport(string(k[len(prefix):]))
		if err != nil {
			if err := tx.skipDamaged(err); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.After(out[j].CreatedAt)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

// backfillNameDesa indexes the reports of a store written before the index existed; Open runs
// it once, when it creates the bucket. Undecodable records are left to the damage checks.
func backfillNameDesa(tx *bolt.Tx) error {
	idx := tx.Bucket(bucketReportNameDesa)
	return tx.Bucket(bucketReports).ForEach(func(k, v []byte) error {
		var r Report
		if json.Unmarshal(v, &r) != nil || !nameDesaIndexed(&r) || !r.PurgedAt.IsZero() {
			return nil
		}
		if err := idx.Put(append(nameDesaPrefix(r.KecamatanCode, r.Desa, r.Name), r.ID...), nil); err != nil {
			return fmt.Errorf("index report %s by name and desa: %w", k, err)
		}
		return nil
	})
}

// noNIKCell is the export's "tanpa_nik" column: the citizen's note on why there is no NIK
// ("ya" when none was given), empty for a report with a NIK.
func noNIKCell(r *Report) string {
	if !r.NoNIK {
		return ""
	}
	if r.NoNIKNote == "" {
		return "ya"
	}
	return r.NoNIKNote
}
