package bolt

import (
	"bytes"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/laporbansos/laporbansos/storage"
)

// bucketReportNameDesa indexes reports by kecamatan code, desa and name, all normalised (see
// storage.NormalizeName): a report on a person without NIK cannot be matched by NIK, so earlier
// reports on the same name in the same desa are shown to staff as possible duplicates.
var bucketReportNameDesa = []byte("report_name_desa")

// nameDesaPrefix is the index prefix of one person in one desa; the report number follows it.
func nameDesaPrefix(kecCode, desa, name string) []byte {
	return []byte(kecCode + "\x00" + storage.NormalizeName(desa) + "\x00" + storage.NormalizeName(name) + "\x00")
}

// indexNameDesa is written by CreateReport in the report's own transaction.
func (tx *boltTx) indexNameDesa(r *Report) error {
	if !storage.NameDesaIndexed(r) {
		return nil
	}
	return tx.bucket(bucketReportNameDesa).Put(append(nameDesaPrefix(r.KecamatanCode, r.Desa, r.Name), r.ID...), nil)
}

// unindexNameDesa is called by the retention purge before the name and desa are scrubbed.
func (tx *boltTx) unindexNameDesa(r *Report) error {
	if !storage.NameDesaIndexed(r) {
		return nil
	}
	return tx.bucket(bucketReportNameDesa).Delete(append(nameDesaPrefix(r.KecamatanCode, r.Desa, r.Name), r.ID...))
}

// ReportsByNameDesa returns the reports on the same normalised name in the same desa of the
// same kecamatan, newest first. It is a hint for staff, so a damaged record is skipped (and
// logged) rather than failing the report being filed.
func (tx *boltTx) ReportsByNameDesa(kecCode, desa, name string) ([]*Report, error) {
	out := []*Report{}
	if storage.NormalizeName(name) == "" || desa == "" {
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
	storage.SortNewestFirst(out)
	return out, nil
}

// backfillNameDesa indexes the reports of a store written before the index existed; Open runs
// it once, when it creates the bucket. Undecodable records are left to the damage checks.
func backfillNameDesa(tx *bolt.Tx) error {
	idx := tx.Bucket(bucketReportNameDesa)
	return tx.Bucket(bucketReports).ForEach(func(k, v []byte) error {
		var r Report
		if json.Unmarshal(v, &r) != nil || !storage.NameDesaIndexed(&r) {
			return nil
		}
		if err := idx.Put(append(nameDesaPrefix(r.KecamatanCode, r.Desa, r.Name), r.ID...), nil); err != nil {
			return fmt.Errorf("index report %s by name and desa: %w", k, err)
		}
		return nil
	})
}
