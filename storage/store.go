package storage

import (
	"context"
	"io"
	"time"
)

// Tx is one transaction of a Store: the operations a dialogue step, a channel's bookkeeping or
// the sender performs, all committed together or not at all. A Tx from View refuses writes.
// The doc comments of the bbolt implementation (this package) are the contract; the shared
// contract tests (storage/storetest) hold every implementation to it.
type Tx interface {
	// Now is the time of this transaction, read once from the store's clock: everything written
	// in one step carries the same time, and a re-run of an Update function sees it again.
	Now() time.Time

	CreateReport(r *Report) error
	Report(id string) (*Report, error)
	ReportsByNIK(nik string) ([]*Report, error)
	OpenReportByNIK(nik string, kind Kind) (*Report, error)
	Transition(id string, to Status, by Actor, note string) (*Report, error)
	ForEachReport(fn func(*Report) error) error
	Reports(f ReportFilter) ([]*Report, error)
	Stats(verifySLA, deliverySLA time.Duration) (Stats, error)
	Audit(since time.Time) ([]AuditEntry, error)
	Purge(cutoff time.Time, dry bool) (PurgeResult, error)
	// PutPhoto stores an evidence photo of a report with this step, under name (PhotoName:
	// the report number leads); a second put of a name replaces it. Photo returns one stored
	// photo, ErrNotFound when there is none (never stored, or gone with the retention purge).
	// bbolt keeps photos as files in its photo directory (see PhotoStager), PostgreSQL in the
	// database, so any instance can send a photo another one took. A name that is not a
	// PhotoName is refused with ErrInvalid (PutPhoto) or ErrNotFound (Photo).
	PutPhoto(name string, data []byte) error
	Photo(name string) ([]byte, error)
	// ReportsByNameDesa returns the reports (with or without NIK) on the same normalised name
	// (NormalizeName) in the same desa of the same kecamatan, newest first: possible duplicates
	// of a report without NIK.
	ReportsByNameDesa(kecCode, desa, name string) ([]*Report, error)
	// SaveReport writes back a report whose status, kind, number, NIK and creation time are
	// unchanged (photos attached after filing, a delivery confirmation); anything else is
	// refused with ErrInvalid (CheckSave).
	SaveReport(r *Report) error
	// ReceiptStats counts the delivered reports by the citizen's answer to the delivery
	// question; AwaitingReceipt lists those asked before `before` without an answer.
	ReceiptStats() (ReceiptStats, error)
	AwaitingReceipt(before time.Time) ([]*Report, error)
	// Undo takes back the last staff step on report id (UndoStep has the rule), appending the
	// undo as its own transition to the history and the audit log. It returns the report and
	// the step undone.
	Undo(id string, by Actor, window time.Duration, anyone bool) (*Report, Transition, error)

	Session(chat ChatAddr) (*Session, error)
	PutSession(chat ChatAddr, s *Session) error
	DeleteSession(chat ChatAddr) error
	ForEachSession(fn func(chat ChatAddr, s *Session) error) error

	Enqueue(msgs ...*Outbound) error
	Pending(limit int) ([]*Outbound, error)
	PendingWhere(limit, maxScan int, keep func(ChatAddr) bool) ([]*Outbound, error)
	AckOutbound(seq uint64) error
	UpdateOutbound(o *Outbound) error
	DropOutbound(chat ChatAddr) (int, error)
	DropDamagedOutbound() ([]uint64, error)
	QueueStats() (depth int, oldest time.Time, err error)

	Get(bucket, key string) ([]byte, error)
	Put(bucket, key string, v []byte) error
	Delete(bucket, key string) error
	// ForEachState calls fn for every key of bucket in key order, with a value fn must not keep;
	// an unknown bucket has none. fn may not write to bucket.
	ForEachState(bucket string, fn func(key string, v []byte) error) error
	MarkSeen(namespace, id string) (fresh bool, err error)
	PruneSeen(namespace string, olderThan time.Time) (int, error)

	SpendLookup(chat ChatAddr, lim LookupLimits) (LookupGrant, error)
	NoteRecipientLookup(chat ChatAddr, nik string, window time.Duration, threshold int) (count int, alert bool, err error)

	PutUser(u User) error
	User(name string) (User, error)
	Users() ([]User, error)
	DeleteUser(name string) error
	RecordView(user, report string) error
	Views(since time.Time, limit int) ([]ViewEntry, error)
}

// Store is the transactional store flows, channels, the sender and the dashboard depend on.
// Update runs fn in a read-write transaction and returns once it is durable or rolled back; fn
// MAY RUN MORE THAN ONCE (group commit, serialisation retries), so it must write only through
// tx and reset what it assigns. View runs fn on a consistent read-only snapshot. The other
// methods are single-operation shortcuts, each one Update or View.
type Store interface {
	Update(ctx context.Context, fn func(tx Tx) error) error
	View(ctx context.Context, fn func(tx Tx) error) error

	CreateReport(ctx context.Context, r *Report) error
	Report(ctx context.Context, id string) (*Report, error)
	ReportsByNIK(ctx context.Context, nik string) ([]*Report, error)
	OpenReportByNIK(ctx context.Context, nik string, kind Kind) (*Report, error)
	Transition(ctx context.Context, id string, to Status, by Actor, note string) (*Report, error)
	Reports(ctx context.Context, f ReportFilter) ([]*Report, error)
	Stats(ctx context.Context, verifySLA, deliverySLA time.Duration) (Stats, error)
	Audit(ctx context.Context, since time.Time) ([]AuditEntry, error)
	ExportCSV(w io.Writer, opts ExportOptions) error
	// Purge runs Tx.Purge at the transaction's time minus retention and removes the purged
	// reports' photos (PurgeStore).
	Purge(ctx context.Context, retention time.Duration, dry bool) (PurgeResult, error)

	Session(ctx context.Context, chat ChatAddr) (*Session, error)
	PutSession(ctx context.Context, chat ChatAddr, s *Session) error
	DeleteSession(ctx context.Context, chat ChatAddr) error

	Enqueue(ctx context.Context, msgs ...*Outbound) error
	Pending(ctx context.Context, limit int) ([]*Outbound, error)
	PendingWhere(ctx context.Context, limit, maxScan int, keep func(ChatAddr) bool) ([]*Outbound, error)
	AckOutbound(ctx context.Context, seq uint64) error
	UpdateOutbound(ctx context.Context, o *Outbound) error
	DropOutbound(ctx context.Context, chat ChatAddr) (int, error)

	Get(ctx context.Context, bucket, key string) ([]byte, error)
	Put(ctx context.Context, bucket, key string, v []byte) error
	MarkSeen(ctx context.Context, namespace, id string) (fresh bool, err error)
	PruneSeen(ctx context.Context, namespace string, olderThan time.Time) (int, error)

	PutUser(ctx context.Context, u User) error
	User(ctx context.Context, name string) (User, error)
	Users(ctx context.Context) ([]User, error)
	DeleteUser(ctx context.Context, name string) error
	ReportForView(ctx context.Context, id, user string) (*Report, error)
	Views(ctx context.Context, since time.Time, limit int) ([]ViewEntry, error)
}

// Claimer is a queue that several processes may send from at once (PostgreSQL; the bbolt file
// has one process and needs none). Before sending, a sender claims the messages it is about to
// send for a lease: a message claimed by another sender whose lease runs is not taken, so two
// instances that both believe they lead (a leader that lost its lock mid-send) never send one
// message twice, and, because a sender only ever claims a chat's head, never overtake each
// other within a chat. A claim ends with the message's ack, with a reschedule (UpdateOutbound)
// or with ReleaseOutbound; a claim whose sender died ends when its lease runs out.
type Claimer interface {
	// ClaimOutbound claims msgs for owner for lease, all of them or none; it reports false when
	// one is gone (acked meanwhile), locked, claimed by another owner whose lease runs, or
	// changed since it was read (rescheduled by another sender: its Attempts moved on), so that
	// a sender never sends from a stale copy. Claiming again what owner holds renews the lease.
	ClaimOutbound(ctx context.Context, owner string, lease time.Duration, msgs ...*Outbound) (bool, error)
	// ReleaseOutbound ends owner's claims on seqs that are still queued.
	ReleaseOutbound(ctx context.Context, owner string, seqs ...uint64) error
}

// PhotoStager is a store that writes a photo's bytes before the step that stores them: the
// bbolt store, whose photos are files and whose steps share one writer that a 10 MB write and
// fsync would hold up for every other chat. StagePhoto writes data aside; a PutPhoto of the same
// slice (the same backing array, not merely equal bytes) in the step then only links the staged
// file to its name, cheap and the same on a re-run. unstage removes the staged file once the
// step is over, whatever it did. A store without staging (PostgreSQL) writes in the step.
type PhotoStager interface {
	StagePhoto(data []byte) (unstage func())
}
