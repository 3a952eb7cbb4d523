package bolt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// Purge applies the retention period (UU PDP): every closed report (a final status) that has
// been closed since before cutoff loses what identifies a person: NIK, name, address and desa,
// phone, free-text reason, reporter's name and relation, and the chat it came from. Its number,
// kind, kecamatan, reason category, programs, status, dates and decisions stay, so statistics
// and the audit trail hold; its NIK index entry is removed, and the citizen's chat id in its
// history and audit entries becomes PurgedActorID. Sessions idle since before cutoff are
// deleted. With dry set nothing is changed and the result says what would go.
//
// Photos are files in the photo directory whose name starts with the report number; DB.Purge
// lists and removes them after the commit (a file cannot be rolled back with the transaction).
func (tx *boltTx) Purge(cutoff time.Time, dry bool) (PurgeResult, error) {
	var res PurgeResult
	var due []*Report
	c := tx.bucket(bucketReportStatus).Cursor()
	for key, _ := c.First(); key != nil; key, _ = c.Next() {
		parts := bytes.SplitN(key, []byte("/"), 3)
		if len(parts) != 3 || len(parts[2]) < 8 || !Status(parts[1]).Final() {
			continue
		}
		r, err := tx.getReport(string(parts[2][8:]))
		if err != nil {
			return res, err
		}
		if !r.PurgedAt.IsZero() || !storage.EnteredAt(r).Before(cutoff) {
			continue
		}
		due = append(due, r)
		res.Reports = append(res.Reports, r.ID)
	}
	var chats []ChatAddr
	err := tx.ForEachSession(func(chat ChatAddr, s *Session) error {
		if s.UpdatedAt.Before(cutoff) {
			chats = append(chats, chat)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res.Sessions = len(chats)
	if dry {
		return res, nil
	}
	purged := map[string]bool{}
	for _, r := range due {
		if r.NIK != "" {
			if err := tx.bucket(bucketReportNIK).Delete(nikKey(r.NIK, r.ID)); err != nil {
				return res, err
			}
		}
		if err := tx.unindexNameDesa(r); err != nil {
			return res, err
		}
		storage.ScrubPersonalData(r, tx.Now())
		if err := tx.putReport(r); err != nil {
			return res, err
		}
		purged[r.ID] = true
	}
	if err := tx.scrubAudit(purged); err != nil {
		return res, err
	}
	for _, chat := range chats {
		if err := tx.DeleteSession(chat); err != nil {
			return res, err
		}
	}
	return res, nil
}

// scrubAudit replaces the citizen's chat id in the audit entries of the purged reports. The
// audit log is in time order, not by report, so this reads it whole: purges run daily at most.
func (tx *boltTx) scrubAudit(purged map[string]bool) error {
	if len(purged) == 0 {
		return nil
	}
	b := tx.bucket(bucketAudit)
	type put struct{ k, v []byte }
	var puts []put
	err := b.ForEach(func(k, v []byte) error {
		var e AuditEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("storage: decode audit entry: %w", err)
		}
		if !purged[e.Report] || e.By.Name != CitizenActorName || e.By.ID == PurgedActorID {
			return nil
		}
		e.By.ID = PurgedActorID
		nv, err := json.Marshal(e)
		if err != nil {
			return err
		}
		puts = append(puts, put{bytes.Clone(k), nv})
		return nil
	})
	if err != nil {
		return err
	}
	for _, p := range puts {
		if err := b.Put(p.k, p.v); err != nil {
			return err
		}
	}
	return nil
}

// Purge runs Tx.Purge in one transaction at db.Now() - retention and then removes the purged
// reports' photos from db.PhotoDir.
func (db *DB) Purge(ctx context.Context, retention time.Duration, dry bool) (PurgeResult, error) {
	return storage.PurgeStore(ctx, db, retention, db.PhotoDir, dry)
}
