package postgres

import (
	"context"
	"io"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// Single-operation shortcuts: each runs one Update or View. A dialogue step that does several
// things must use one Update instead, so they commit together.

// CreateReport stores r in its own transaction; see Tx.CreateReport.
func (db *DB) CreateReport(ctx context.Context, r *storage.Report) error {
	return db.Update(ctx, func(tx storage.Tx) error { return tx.CreateReport(r) })
}

// storage.Report returns one report; see Tx.Report.
func (db *DB) Report(ctx context.Context, id string) (r *storage.Report, err error) {
	err = db.View(ctx, func(tx storage.Tx) error { r, err = tx.Report(id); return err })
	return r, err
}

// ReportsByNIK returns the reports on a NIK, newest first; see Tx.ReportsByNIK.
func (db *DB) ReportsByNIK(ctx context.Context, nik string) (rs []*storage.Report, err error) {
	err = db.View(ctx, func(tx storage.Tx) error { rs, err = tx.ReportsByNIK(nik); return err })
	return rs, err
}

// OpenReportByNIK returns the open report of kind on a NIK; see Tx.OpenReportByNIK.
func (db *DB) OpenReportByNIK(ctx context.Context, nik string, kind storage.Kind) (r *storage.Report, err error) {
	err = db.View(ctx, func(tx storage.Tx) error { r, err = tx.OpenReportByNIK(nik, kind); return err })
	return r, err
}

// Transition moves a report through its lifecycle; see Tx.Transition.
func (db *DB) Transition(ctx context.Context, id string, to storage.Status, by storage.Actor, note string) (r *storage.Report, err error) {
	err = db.Update(ctx, func(tx storage.Tx) error { r, err = tx.Transition(id, to, by, note); return err })
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Reports lists reports; see Tx.Reports.
func (db *DB) Reports(ctx context.Context, f storage.ReportFilter) (rs []*storage.Report, err error) {
	err = db.View(ctx, func(tx storage.Tx) error { rs, err = tx.Reports(f); return err })
	return rs, err
}

// storage.Stats counts reports; see Tx.Stats.
func (db *DB) Stats(ctx context.Context, verifySLA, deliverySLA time.Duration) (s storage.Stats, err error) {
	err = db.View(ctx, func(tx storage.Tx) error { s, err = tx.Stats(verifySLA, deliverySLA); return err })
	return s, err
}

// Audit returns the audit log since a time; see Tx.Audit.
func (db *DB) Audit(ctx context.Context, since time.Time) (es []storage.AuditEntry, err error) {
	err = db.View(ctx, func(tx storage.Tx) error { es, err = tx.Audit(since); return err })
	return es, err
}

// storage.Session returns a chat's dialogue; see Tx.Session.
func (db *DB) Session(ctx context.Context, chat storage.ChatAddr) (s *storage.Session, err error) {
	err = db.View(ctx, func(tx storage.Tx) error { s, err = tx.Session(chat); return err })
	return s, err
}

// PutSession stores a chat's dialogue; see Tx.PutSession.
func (db *DB) PutSession(ctx context.Context, chat storage.ChatAddr, s *storage.Session) error {
	return db.Update(ctx, func(tx storage.Tx) error { return tx.PutSession(chat, s) })
}

// DeleteSession forgets a chat's dialogue; see Tx.DeleteSession.
func (db *DB) DeleteSession(ctx context.Context, chat storage.ChatAddr) error {
	return db.Update(ctx, func(tx storage.Tx) error { return tx.DeleteSession(chat) })
}

// Enqueue queues messages; see Tx.Enqueue.
func (db *DB) Enqueue(ctx context.Context, msgs ...*storage.Outbound) error {
	return db.Update(ctx, func(tx storage.Tx) error { return tx.Enqueue(msgs...) })
}

// Pending lists queued messages; see Tx.Pending.
func (db *DB) Pending(ctx context.Context, limit int) (msgs []*storage.Outbound, err error) {
	err = db.View(ctx, func(tx storage.Tx) error { msgs, err = tx.Pending(limit); return err })
	return msgs, err
}

// AckOutbound removes a sent message; see Tx.AckOutbound.
func (db *DB) AckOutbound(ctx context.Context, seq uint64) error {
	return db.Update(ctx, func(tx storage.Tx) error { return tx.AckOutbound(seq) })
}

// UpdateOutbound records a failed attempt; see Tx.UpdateOutbound.
func (db *DB) UpdateOutbound(ctx context.Context, o *storage.Outbound) error {
	return db.Update(ctx, func(tx storage.Tx) error { return tx.UpdateOutbound(o) })
}

// DropOutbound removes a chat's queued messages; see Tx.DropOutbound.
func (db *DB) DropOutbound(ctx context.Context, chat storage.ChatAddr) (n int, err error) {
	err = db.Update(ctx, func(tx storage.Tx) error { n, err = tx.DropOutbound(chat); return err })
	return n, err
}

// Get reads channel state; see Tx.Get.
func (db *DB) Get(ctx context.Context, bucket, key string) (v []byte, err error) {
	err = db.View(ctx, func(tx storage.Tx) error { v, err = tx.Get(bucket, key); return err })
	return v, err
}

// Put writes channel state; see Tx.Put.
func (db *DB) Put(ctx context.Context, bucket, key string, v []byte) error {
	return db.Update(ctx, func(tx storage.Tx) error { return tx.Put(bucket, key, v) })
}

// MarkSeen records a processed id; see Tx.MarkSeen. Prefer calling it inside the Update that
// processes the id, so both commit together.
func (db *DB) MarkSeen(ctx context.Context, namespace, id string) (fresh bool, err error) {
	err = db.Update(ctx, func(tx storage.Tx) error { fresh, err = tx.MarkSeen(namespace, id); return err })
	return fresh, err
}

// PruneSeen bounds the processed-id set; see Tx.PruneSeen.
func (db *DB) PruneSeen(ctx context.Context, namespace string, olderThan time.Time) (n int, err error) {
	err = db.Update(ctx, func(tx storage.Tx) error { n, err = tx.PruneSeen(namespace, olderThan); return err })
	return n, err
}

// PutUser stores an account in its own transaction; see Tx.PutUser.
func (db *DB) PutUser(ctx context.Context, u storage.User) error {
	return db.Update(ctx, func(tx storage.Tx) error { return tx.PutUser(u) })
}

// storage.User reads an account; see Tx.User.
func (db *DB) User(ctx context.Context, name string) (u storage.User, err error) {
	err = db.View(ctx, func(tx storage.Tx) error { u, err = tx.User(name); return err })
	return u, err
}

// Users lists accounts; see Tx.Users.
func (db *DB) Users(ctx context.Context) (us []storage.User, err error) {
	err = db.View(ctx, func(tx storage.Tx) error { us, err = tx.Users(); return err })
	return us, err
}

// DeleteUser removes an account; see Tx.DeleteUser.
func (db *DB) DeleteUser(ctx context.Context, name string) error {
	return db.Update(ctx, func(tx storage.Tx) error { return tx.DeleteUser(name) })
}

// ReportForView returns report id and, in the same transaction, records that user viewed it in
// full: the record and its audit entry cannot part. ErrNotFound when there is no such report.
func (db *DB) ReportForView(ctx context.Context, id, user string) (r *storage.Report, err error) {
	err = db.Update(ctx, func(tx storage.Tx) error {
		r, err = tx.Report(id)
		if err != nil {
			return err
		}
		return tx.RecordView(user, r.ID)
	})
	return r, err
}

// Views lists recorded full views; see Tx.Views.
func (db *DB) Views(ctx context.Context, since time.Time, limit int) (es []storage.ViewEntry, err error) {
	err = db.View(ctx, func(tx storage.Tx) error { es, err = tx.Views(since, limit); return err })
	return es, err
}

// Purge runs Tx.Purge in one transaction at db.Now() - retention; the purged reports' photos
// go in that transaction (photos.go).
func (db *DB) Purge(ctx context.Context, retention time.Duration, dry bool) (storage.PurgeResult, error) {
	return storage.PurgeStore(ctx, db, retention, "", dry)
}

// ExportCSV writes every report and sanggah, in creation order, as CSV with full details (NIK,
// address): it is for staff, not for the group chat. Cells that a spreadsheet would run as a
// formula are neutralised (see neutralise).
func (db *DB) ExportCSV(w io.Writer, opts storage.ExportOptions) error {
	// Read everything first so the read transaction is not held open by a slow writer.
	var reports []*storage.Report
	err := db.View(context.Background(), func(tx storage.Tx) error {
		reports = reports[:0]
		return tx.ForEachReport(func(r *storage.Report) error {
			reports = append(reports, r)
			return nil
		})
	})
	if err != nil {
		return err
	}
	return storage.WriteCSV(w, reports, opts)
}

// PendingWhere lists queued messages by address; see Tx.PendingWhere.
func (db *DB) PendingWhere(ctx context.Context, limit, maxScan int, keep func(storage.ChatAddr) bool) (msgs []*storage.Outbound, err error) {
	err = db.View(ctx, func(tx storage.Tx) error { msgs, err = tx.PendingWhere(limit, maxScan, keep); return err })
	return msgs, err
}
