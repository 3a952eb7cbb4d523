package storage

import (
	"sort"
	"strings"
	"unicode"
)

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

// NameDesaIndexed tells whether r is found by Tx.ReportsByNameDesa: a report (not a sanggah or
// pengaduan) with a desa and a name that normalises to something. A purged report is not.
func NameDesaIndexed(r *Report) bool {
	return r.Kind == KindReport && r.Desa != "" && NormalizeName(r.Name) != "" && r.PurgedAt.IsZero()
}

// NameDesaMatch tells whether r is on the person name in desa of kecamatan kecCode, as
// Tx.ReportsByNameDesa matches them.
func NameDesaMatch(r *Report, kecCode, desa, name string) bool {
	return NameDesaIndexed(r) && r.KecamatanCode == kecCode &&
		NormalizeName(r.Desa) == NormalizeName(desa) && NormalizeName(r.Name) == NormalizeName(name)
}

// SortNewestFirst orders reports as ReportsByNameDesa returns them: newest first, the higher
// number first on a tie.
func SortNewestFirst(rs []*Report) {
	sort.Slice(rs, func(i, j int) bool {
		if !rs[i].CreatedAt.Equal(rs[j].CreatedAt) {
			return rs[i].CreatedAt.After(rs[j].CreatedAt)
		}
		return rs[i].ID > rs[j].ID
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
