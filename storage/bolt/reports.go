package bolt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// CreateReport stores a new report or sanggah. It assigns r.ID (LB-YYMM-NNNN or SG-YYMM-NNNN,
// YYMM the month of tx.Now() in WIB, NNNN counting per kind and month from 0001), sets CreatedAt
// to tx.Now() when zero, and sets History to the initial transition by the reporting chat.
//
// History is replaced, not appended to, so that a re-run of the Update function leaves one
// entry. The fields it sets are only meaningful once Update has returned nil.
//
// r.Status must be StatusSubmitted or StatusAutoRejected, r.Kind known and r.NIK set;
// otherwise the error wraps ErrInvalid.
func (tx *boltTx) CreateReport(r *Report) error {
	if err := storage.CheckNewReport(r); err != nil {
		return err
	}
	prefix, _ := storage.ReportPrefix(r.Kind)
	if r.CreatedAt.IsZero() {
		r.CreatedAt = tx.Now()
	}
	if r.NIK != "" {
		if err := tx.nikDamaged(r.NIK); err != nil {
			return err
		}
	}

	yymm := tx.Now().In(wib).Format("0601")
	counterKey := []byte(prefix + "-" + yymm)
	counters := tx.bucket(bucketCounters)
	var n uint64
	if v := counters.Get(counterKey); len(v) == 8 {
		n = keyUint(v)
	}
	reports := tx.bucket(bucketReports)
	for {
		n++
		r.ID = storage.FormatReportID(prefix, yymm, n)
		// The counter is the only source of numbers; this guards against one restored from an
		// older backup than the reports.
		if reports.Get([]byte(r.ID)) == nil {
			break
		}
	}
	if err := counters.Put(counterKey, u64(n)); err != nil {
		return err
	}

	first := Transition{
		To: r.Status,
		At: r.CreatedAt,
		By: Actor{Channel: r.From.Channel, ID: r.From.ID, Name: CitizenActorName},
	}
	r.History = []Transition{first}
	if err := tx.putReport(r); err != nil {
		return err
	}
	if err := tx.bucket(bucketReportOrder).Put(orderKey(r), nil); err != nil {
		return err
	}
	if err := tx.bucket(bucketReportStatus).Put(statusKey(r), nil); err != nil {
		return err
	}
	// A pengaduan names no recipient, a report without NIK has none: nothing to index by NIK.
	if r.NIK != "" {
		if err := tx.bucket(bucketReportNIK).Put(nikKey(r.NIK, r.ID), nil); err != nil {
			return err
		}
	}
	if err := tx.indexNameDesa(r); err != nil {
		return err
	}
	return tx.appendAudit(r.ID, first)
}

func orderKey(r *Report) []byte {
	return concat(timeKey(r.CreatedAt), []byte(r.ID))
}

func statusPrefix(k Kind, s Status) []byte {
	return []byte(string(k) + "/" + string(s) + "/")
}

func statusKey(r *Report) []byte {
	return concat(statusPrefix(r.Kind, r.Status), orderKey(r))
}

func nikKey(nik, id string) []byte { return []byte(nik + "/" + id) }

func (tx *boltTx) putReport(r *Report) error {
	v, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("storage: encode report %s: %w", r.ID, err)
	}
	return tx.bucket(bucketReports).Put([]byte(r.ID), v)
}

func (tx *boltTx) getReport(id string) (*Report, error) {
	v := tx.bucket(bucketReports).Get([]byte(id))
	if v == nil {
		return nil, fmt.Errorf("%w: report %s", ErrNotFound, id)
	}
	var r Report
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, &DamagedRecordError{Record: id, Err: err}
	}
	return &r, nil
}

// Report returns the report with number id, written any way ParseReportID accepts. It returns
// ErrNotFound when there is none and an error wrapping ErrDamagedRecord when it cannot be decoded.
func (tx *boltTx) Report(id string) (*Report, error) {
	canon, ok := storage.ParseReportID(id)
	if !ok {
		// Not quoting the input: a citizen may have typed a NIK where a number was expected.
		return nil, fmt.Errorf("%w: not a report number", ErrNotFound)
	}
	return tx.getReport(canon)
}

// ReportsByNIK returns every report and sanggah on a NIK, newest first; an empty slice when
// there is none. A damaged record on the NIK is an error wrapping ErrDamagedRecord, not a shorter
// list: a citizen must not be told "no report" about one that exists.
func (tx *boltTx) ReportsByNIK(nik string) ([]*Report, error) {
	out := []*Report{}
	if nik == "" {
		return out, nil
	}
	prefix := []byte(nik + "/")
	c := tx.bucket(bucketReportNIK).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		r, err := tx.getReport(string(k[len(prefix):]))
		if err != nil {
			return nil, err
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

// OpenReportByNIK returns the newest report of kind on nik that still awaits staff (submitted,
// or eligible and not yet delivered), so a citizen is shown it instead of filing a duplicate.
// It returns ErrNotFound when there is none.
func (tx *boltTx) OpenReportByNIK(nik string, kind Kind) (*Report, error) {
	all, err := tx.ReportsByNIK(nik)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.Kind == kind && !r.Status.Final() {
			return r, nil
		}
	}
	return nil, fmt.Errorf("%w: no open %s on this NIK", ErrNotFound, kind)
}

// Transition moves report id to status `to` on behalf of by, appends the move to the report's
// history and the audit log, and returns the updated report.
//
// Errors: ErrNotFound; *AlreadyDecidedError when the report was already decided (or already
// delivered), carrying that first decision; ErrIllegalTransition for any other move the
// lifecycle does not allow; ErrReasonRequired when `to` is ineligible or dismissed and note is
// blank; ErrInvalid when by has no ID (every decision names its staff member).
func (tx *boltTx) Transition(id string, to Status, by Actor, note string) (*Report, error) {
	if by.ID == "" {
		return nil, fmt.Errorf("%w: transition without an actor", ErrInvalid)
	}
	r, err := tx.Report(id)
	if err != nil {
		return nil, err
	}
	from := r.Status
	if !storage.LegalTransition(r.Kind, from, to) {
		if d, ok := storage.AlreadyDecided(r, to); ok {
			return nil, &AlreadyDecidedError{Report: r.ID, Decision: d}
		}
		return nil, fmt.Errorf("%w: %s %s from %s to %s", ErrIllegalTransition, r.Kind, r.ID, from, to)
	}
	note = strings.TrimSpace(note)
	if storage.NeedsReason(to) && note == "" {
		return nil, fmt.Errorf("%w: %s to %s", ErrReasonRequired, r.ID, to)
	}

	if err := tx.bucket(bucketReportStatus).Delete(statusKey(r)); err != nil {
		return nil, err
	}
	t := Transition{From: from, To: to, At: tx.Now(), By: by, Note: note}
	r.Status = to
	r.History = append(r.History, t)
	if err := tx.putReport(r); err != nil {
		return nil, err
	}
	if err := tx.bucket(bucketReportStatus).Put(statusKey(r), nil); err != nil {
		return nil, err
	}
	if err := tx.appendAudit(r.ID, t); err != nil {
		return nil, err
	}
	return r, nil
}

// ForEachReport calls fn for every report and sanggah in creation order, stopping at fn's
// first error. A damaged record is logged by number and skipped. fn runs inside the transaction and must not create reports.
func (tx *boltTx) ForEachReport(fn func(*Report) error) error {
	c := tx.bucket(bucketReportOrder).Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		r, err := tx.getReport(string(k[8:]))
		if err != nil {
			if err = tx.skipDamaged(err); err != nil {
				return err
			}
			continue
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

var (
	allKinds    = []Kind{KindReport, KindSanggah, KindPengaduan}
	allStatuses = []Status{StatusAutoRejected, StatusSubmitted, StatusEligible, StatusIneligible,
		StatusDelivered, StatusUpheld, StatusDismissed, StatusInProgress, StatusResolved, StatusRefused}
)

// Reports returns the reports f selects, in creation order (or newest first with f.Newest),
// leaving out (and logging by number) a damaged record.
// It reads only the status index until it knows which reports to decode.
func (tx *boltTx) Reports(f ReportFilter) ([]*Report, error) {
	kinds := allKinds
	if f.Kind != "" {
		kinds = []Kind{f.Kind}
	}
	statuses := allStatuses
	if len(f.Statuses) > 0 {
		statuses = f.Statuses
	}
	var keys [][]byte // created(8) + ID, which sorts in creation order
	idx := tx.bucket(bucketReportStatus)
	for _, k := range kinds {
		for _, s := range statuses {
			prefix := statusPrefix(k, s)
			c := idx.Cursor()
			for key, _ := c.Seek(prefix); key != nil && bytes.HasPrefix(key, prefix); key, _ = c.Next() {
				keys = append(keys, bytes.Clone(key[len(prefix):]))
			}
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if f.Newest {
			return bytes.Compare(keys[i], keys[j]) > 0
		}
		return bytes.Compare(keys[i], keys[j]) < 0
	})
	out := []*Report{}
	for _, key := range keys {
		if f.Limit > 0 && len(out) >= f.Limit {
			break
		}
		r, err := tx.getReport(string(key[8:]))
		if err != nil {
			if err = tx.skipDamaged(err); err != nil {
				return nil, err
			}
			continue
		}
		if !f.EnteredBefore.IsZero() && !storage.EnteredAt(r).Before(f.EnteredBefore) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// Stats counts every report per kind and status, and how many are overdue at tx.Now(): submitted
// for longer than verifySLA, or eligible for longer than deliverySLA. An SLA <= 0 counts none.
func (tx *boltTx) Stats(verifySLA, deliverySLA time.Duration) (Stats, error) {
	st := Stats{
		At:                  tx.Now(),
		Counts:              map[Kind]map[Status]int{KindReport: {}, KindSanggah: {}, KindPengaduan: {}},
		OverdueVerification: map[Kind]int{KindReport: 0, KindSanggah: 0, KindPengaduan: 0},
	}
	c := tx.bucket(bucketReportStatus).Cursor()
	for key, _ := c.First(); key != nil; key, _ = c.Next() {
		parts := bytes.SplitN(key, []byte("/"), 3)
		if len(parts) != 3 || len(parts[2]) < 8 {
			return Stats{}, fmt.Errorf("storage: malformed status index key")
		}
		kind, status, rest := Kind(parts[0]), Status(parts[1]), parts[2]
		if st.Counts[kind] == nil {
			st.Counts[kind] = map[Status]int{}
		}
		st.Counts[kind][status]++
		switch {
		case status == StatusSubmitted && verifySLA > 0:
			if keyTime(rest[:8]).Add(verifySLA).Before(tx.Now()) {
				st.OverdueVerification[kind]++
			}
		case status == StatusEligible && deliverySLA > 0:
			r, err := tx.getReport(string(rest[8:]))
			if err != nil {
				if err = tx.skipDamaged(err); err != nil {
					return Stats{}, err
				}
				continue
			}
			if storage.EnteredAt(r).Add(deliverySLA).Before(tx.Now()) {
				st.OverdueDelivery++
			}
		}
	}
	return st, nil
}

func (tx *boltTx) appendAudit(id string, t Transition) error {
	b := tx.bucket(bucketAudit)
	// The sequence orders entries that share a timestamp, as all of one transaction's do.
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	v, err := json.Marshal(AuditEntry{Report: id, From: t.From, To: t.To, At: t.At, By: t.By, Note: t.Note, Undo: t.Undo})
	if err != nil {
		return err
	}
	return b.Put(concat(timeKey(t.At), u64(seq)), v)
}

// Audit returns the audit entries at or after since, oldest first.
func (tx *boltTx) Audit(since time.Time) ([]AuditEntry, error) {
	out := []AuditEntry{}
	c := tx.bucket(bucketAudit).Cursor()
	for k, v := c.Seek(timeKey(since)); k != nil; k, v = c.Next() {
		var e AuditEntry
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, fmt.Errorf("storage: decode audit entry: %w", err)
		}
		out = append(out, e)
	}
	return out, nil
}
