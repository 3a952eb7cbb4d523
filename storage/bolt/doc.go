// Package bolt keeps everything the bot must not lose in one bbolt file: reports and sanggah
// with their checked lifecycle and audit log, dialogue sessions by chat, processed-update
// markers, and the durable outbound queue.
//
// # Transactions
//
// One step of a dialogue reads the session, maybe creates a report, saves the session and
// enqueues the reply, all inside one DB.Update: "laporan diterima" can only reach a citizen if
// the report it names was committed with it. Update uses bbolt's group commit (DB.Batch), so
// concurrent chats share one fsync; the price is that fn may run more than once and must only
// touch the Tx and variables it resets itself.
//
// # Bucket layout
//
// All integers are big-endian so that byte order is numeric order; times are Unix nanoseconds
// in 8 bytes. Values are JSON unless said otherwise.
//
//	meta           "schema" → "1"
//	reports        report ID ("LB-2611-0042") → Report
//	report_order   created(8) + ID → empty            creation order for listings and export
//	report_status  kind "/" status "/" created(8) + ID → empty
//	                                                  pending lists and counts without decoding
//	report_nik     NIK "/" ID → empty                 prefix scan: every report on one NIK
//	counters       "LB-2611" → last number issued(8)  per kind per month (WIB)
//	audit          at(8) + seq(8) → AuditEntry        every transition, in time order
//	sessions       ChatAddr.Key() ("telegram:12345") → Session
//	outbound       seq(8) → Outbound                  seq from the bucket's sequence
//	seen           namespace (bucket) → id → seen at(8)   processed update/message ids
//	state          name (bucket) → key → raw bytes    small channel state (offsets, …)
//	report_name_desa  kec code 0 desa 0 name 0 ID → empty   reports by normalised name in a desa
//	                                                  (duplicates of reports without NIK)
//
// The indexes (report_order, report_status, report_nik) are written in the same transaction as
// the report, so they never disagree with it.
//
// Evidence photos are not in the file but beside it, in DB.PhotoDir (photos.go), named by
// storage.PhotoName and put in place by the step that records them on the report.
//
// # Privacy
//
// A NIK is a key of report_nik and a field of a report; it is never put in an error message or
// a log line by this package, and the audit log names reports by number only.
package bolt
