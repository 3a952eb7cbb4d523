package bolt

import (
	"context"
	"time"
)

// Single-operation shortcuts: each runs one Update or View. A dialogue step that does several
// things must use one Update instead, so they commit together.

// CreateReport stores r in its own transaction; see Tx.CreateReport.
func (db *DB) CreateReport(ctx context.Context, r *Report) error {
	return db.Update(ctx, func(tx Tx) error { return tx.CreateReport(r) })
}

// Report returns one report; see Tx.Report.
func (db *DB) Report(ctx context.Context, id string) (r *Report, err error) {
	err = db.View(ctx, func(tx Tx) error { r, err = tx.Report(id); return err })
	return r, err
}

// ReportsByNIK returns the reports on a NIK, newest first; see Tx.ReportsByNIK.
func (db *DB) ReportsByNIK(ctx context.Context, nik string) (rs []*Report, err error) {
	err = db.View(ctx, func(tx Tx) error { rs, err = tx.ReportsByNIK(nik); return err })
	return rs, err
}

// OpenReportByNIK returns the open report of kind on a NIK; see Tx.OpenReportByNIK.
func (db *DB) OpenReportByNIK(ctx context.Context, nik string, kind Kind) (r *Report, err error) {
	err = db.View(ctx, func(tx Tx) error { r, err = tx.OpenReportByNIK(nik, kind); return err })
	return r, err
}

// Transition moves a report through its lifecycle; see Tx.Transition.
func (db *DB) Transition(ctx context.Context, id string, to Status, by Actor, note string) (r *Report, err error) {
	err = db.Update(ctx, func(tx Tx) error { r, err = tx.Transition(id, to, by, note); return err })
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Reports lists reports; see Tx.Reports.
func (db *DB) Reports(ctx context.Context, f ReportFilter) (rs []*Report, err error) {
	err = db.View(ctx, func(tx Tx) error { rs, err = tx.Reports(f); return err })
	return rs, err
}

// Stats counts reports; see Tx.Stats.
func (db *DB) Stats(ctx context.Context, verifySLA, deliverySLA time.Duration) (s Stats, err error) {
	err = db.View(ctx, func(tx Tx) error { s, err = tx.Stats(verifySLA, deliverySLA); return err })
	return s, err
}

// Audit returns the audit log since a time; see Tx.Audit.
func (db *DB) Audit(ctx context.Context, since time.Time) (es []AuditEntry, err error) {
	err = db.View(ctx, func(tx Tx) error { es, err = tx.Audit(since); return err })
	return es, err
}

// Session returns a chat's dialogue; see Tx.Session.
func (db *DB) Session(ctx context.Context, chat ChatAddr) (s *Session, err error) {
	err = db.View(ctx, func(tx Tx) error { s, err = tx.Session(chat); return err })
	return s, err
}

// PutSession stores a chat's dialogue; see Tx.PutSession.
func (db *DB) PutSession(ctx context.Context, chat ChatAddr, s *Session) error {
	return db.Update(ctx, func(tx Tx) error { return tx.PutSession(chat, s) })
}

// DeleteSession forgets a chat's dialogue; see Tx.DeleteSession.
func (db *DB) DeleteSession(ctx context.Context, chat ChatAddr) error {
	return db.Update(ctx, func(tx Tx) error { return tx.DeleteSession(chat) })
}

// Enqueue queues messages; see Tx.Enqueue.
func (db *DB) Enqueue(ctx context.Context, msgs ...*Outbound) error {
	return db.Update(ctx, func(tx Tx) error { return tx.Enqueue(msgs...) })
}

// Pending lists queued messages; see Tx.Pending.
func (db *DB) Pending(ctx context.Context, limit int) (msgs []*Outbound, err error) {
	err = db.View(ctx, func(tx Tx) error { msgs, err = tx.Pending(limit); return err })
	return msgs, err
}

// AckOutbound removes a sent message; see Tx.AckOutbound.
func (db *DB) AckOutbound(ctx context.Context, seq uint64) error {
	return db.Update(ctx, func(tx Tx) error { return tx.AckOutbound(seq) })
}

// UpdateOutbound records a failed attempt; see Tx.UpdateOutbound.
func (db *DB) UpdateOutbound(ctx context.Context, o *Outbound) error {
	return db.Update(ctx, func(tx Tx) error { return tx.UpdateOutbound(o) })
}

// DropOutbound removes a chat's queued messages; see Tx.DropOutbound.
func (db *DB) DropOutbound(ctx context.Context, chat ChatAddr) (n int, err error) {
	err = db.Update(ctx, func(tx Tx) error { n, err = tx.DropOutbound(chat); return err })
	return n, err
}

// Get reads channel state; see Tx.Get.
func (db *DB) Get(ctx context.Context, bucket, key string) (v []byte, err error) {
	err = db.View(ctx, func(tx Tx) error { v, err = tx.Get(bucket, key); return err })
	return v, err
}

// Put writes channel state; see Tx.Put.
func (db *DB) Put(ctx context.Context, bucket, key string, v []byte) error {
	return db.Update(ctx, func(tx Tx) error { return tx.Put(bucket, key, v) })
}

// MarkSeen records a processed id; see Tx.MarkSeen. Prefer calling it inside the Update that
// processes the id, so both commit together.
func (db *DB) MarkSeen(ctx context.Context, namespace, id string) (fresh bool, err error) {
	err = db.Update(ctx, func(tx Tx) error { fresh, err = tx.MarkSeen(namespace, id); return err })
	return fresh, err
}

// PruneSeen bounds the processed-id set; see Tx.PruneSeen.
func (db *DB) PruneSeen(ctx context.Context, namespace string, olderThan time.Time) (n int, err error) {
	err = db.Update(ctx, func(tx Tx) error { n, err = tx.PruneSeen(namespace, olderThan); return err })
	return n, err
}
