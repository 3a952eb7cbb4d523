package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/laporbansos/laporbansos/storage"
)

// CreateReport follows storage/bolt's contract: number, CreatedAt, first transition, audit.
func (tx *pgTx) CreateReport(r *storage.Report) error {
	if err := storage.CheckNewReport(r); err != nil {
		return err
	}
	prefix, _ := storage.ReportPrefix(r.Kind)
	if r.CreatedAt.IsZero() {
		r.CreatedAt = tx.Now()
	}
	if r.NIK != "" {
		// As storage/bolt: a damaged record on the NIK may be the open report a new one would
		// duplicate, so filing waits until it is restored.
		if _, err := tx.ReportsByNIK(r.NIK); errors.Is(err, storage.ErrDamagedRecord) {
			return err
		}
	}
	yymm := tx.Now().In(storage.WIB).Format("0601")
	seq := "report_no_" + strings.ToLower(prefix) + "_" + yymm
	if err := tx.db.ensureSequence(tx.ctx, seq); err != nil {
		return err
	}
	for {
		var n uint64
		if err := tx.tx.QueryRow(tx.ctx, "SELECT nextval($1::regclass)", seq).Scan(&n); err != nil {
			return fmt.Errorf("storage: next report number: %w", err)
		}
		r.ID = storage.FormatReportID(prefix, yymm, n)
		var taken bool
		// Only a restored or hand-edited table can hold the number already; skip past it.
		if err := tx.tx.QueryRow(tx.ctx, "SELECT EXISTS (SELECT 1 FROM reports WHERE id = $1)", r.ID).Scan(&taken); err != nil {
			return err
		}
		if !taken {
			break
		}
	}
	first := storage.Transition{
		To: r.Status,
		At: r.CreatedAt,
		By: storage.Actor{Channel: r.From.Channel, ID: r.From.ID, Name: storage.CitizenActorName},
	}
	r.History = []storage.Transition{first}
	doc, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("storage: encode report: %w", err)
	}
	if _, err := tx.exec(`INSERT INTO reports (id, kind, status, nik, created_at, doc, name_desa) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		r.ID, string(r.Kind), string(r.Status), r.NIK, r.CreatedAt, doc, nameDesaKey(r)); err != nil {
		return err
	}
	return tx.appendAudit(r.ID, first)
}

func (tx *pgTx) putReport(r *storage.Report) error {
	doc, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("storage: encode report: %w", err)
	}
	_, err = tx.exec(`UPDATE reports SET status = $2, nik = $3, doc = $4, name_desa = $5 WHERE id = $1`,
		r.ID, string(r.Status), r.NIK, doc, nameDesaKey(r))
	return err
}

func (tx *pgTx) appendAudit(id string, t storage.Transition) error {
	e := storage.AuditEntry{Report: id, From: t.From, To: t.To, At: t.At, By: t.By, Note: t.Note, Undo: t.Undo}
	doc, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = tx.exec(`INSERT INTO audit (at, report, doc) VALUES ($1, $2, $3)`, t.At, id, doc)
	return err
}

func decodeReport(id string, doc []byte) (*storage.Report, error) {
	var r storage.Report
	if err := json.Unmarshal(doc, &r); err != nil {
		return nil, &storage.DamagedRecordError{Record: id, Err: err}
	}
	return &r, nil
}

func (tx *pgTx) getReport(id string, lock bool) (*storage.Report, error) {
	q := "SELECT doc FROM reports WHERE id = $1"
	if lock {
		q += " FOR UPDATE"
	}
	var doc []byte
	err := tx.tx.QueryRow(tx.ctx, q, id).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: report %s", storage.ErrNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	return decodeReport(id, doc)
}

func (tx *pgTx) Report(id string) (*storage.Report, error) {
	canon, ok := storage.ParseReportID(id)
	if !ok {
		// Not quoting the input: a citizen may have typed a NIK where a number was expected.
		return nil, fmt.Errorf("%w: not a report number", storage.ErrNotFound)
	}
	return tx.getReport(canon, false)
}

// queryReports decodes every row of a query selecting (id, doc); a row that does not decode
// is an error wrapping ErrDamagedRecord (a citizen must not be told "no report" about one that
// exists). listReports is the same query for the lists, which leave such a row out.
func (tx *pgTx) queryReports(sql string, args ...any) ([]*storage.Report, error) {
	return tx.scanReports(false, sql, args...)
}

func (tx *pgTx) listReports(sql string, args ...any) ([]*storage.Report, error) {
	return tx.scanReports(true, sql, args...)
}

func (tx *pgTx) scanReports(skip bool, sql string, args ...any) ([]*storage.Report, error) {
	rows, err := tx.tx.Query(tx.ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*storage.Report{}
	for rows.Next() {
		var id string
		var doc []byte
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, err
		}
		r, err := decodeReport(id, doc)
		if err != nil {
			if !skip {
				return nil, err
			}
			if err := tx.skipDamaged(err); err != nil {
				return nil, err
			}
			continue
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (tx *pgTx) ReportsByNIK(nik string) ([]*storage.Report, error) {
	if nik == "" {
		return []*storage.Report{}, nil
	}
	return tx.queryReports(`SELECT id, doc FROM reports WHERE nik = $1 ORDER BY created_at DESC, id DESC`, nik)
}

func (tx *pgTx) OpenReportByNIK(nik string, kind storage.Kind) (*storage.Report, error) {
	all, err := tx.ReportsByNIK(nik)
	if err != nil {
		return nil, err
	}
	for _, r := range all {
		if r.Kind == kind && !r.Status.Final() {
			return r, nil
		}
	}
	return nil, fmt.Errorf("%w: no open %s on this NIK", storage.ErrNotFound, kind)
}

// Transition locks the report's row first: a second decision waits for the first to commit,
// then reads it and is told who decided.
func (tx *pgTx) Transition(id string, to storage.Status, by storage.Actor, note string) (*storage.Report, error) {
	if by.ID == "" {
		return nil, fmt.Errorf("%w: transition without an actor", storage.ErrInvalid)
	}
	canon, ok := storage.ParseReportID(id)
	if !ok {
		return nil, fmt.Errorf("%w: not a report number", storage.ErrNotFound)
	}
	r, err := tx.getReport(canon, true)
	if err != nil {
		return nil, err
	}
	from := r.Status
	if !storage.LegalTransition(r.Kind, from, to) {
		if d, ok := storage.AlreadyDecided(r, to); ok {
			return nil, &storage.AlreadyDecidedError{Report: r.ID, Decision: d}
		}
		return nil, fmt.Errorf("%w: %s %s from %s to %s", storage.ErrIllegalTransition, r.Kind, r.ID, from, to)
	}
	note = strings.TrimSpace(note)
	if storage.NeedsReason(to) && note == "" {
		return nil, fmt.Errorf("%w: %s to %s", storage.ErrReasonRequired, r.ID, to)
	}
	t := storage.Transition{From: from, To: to, At: tx.Now(), By: by, Note: note}
	r.Status = to
	r.History = append(r.History, t)
	if err := tx.putReport(r); err != nil {
		return nil, err
	}
	if err := tx.appendAudit(r.ID, t); err != nil {
		return nil, err
	}
	return r, nil
}

// ForEachReport follows storage/bolt: creation order, a damaged record logged and skipped.
func (tx *pgTx) ForEachReport(fn func(*storage.Report) error) error {
	all, err := tx.listReports(`SELECT id, doc FROM reports ORDER BY created_at, id`)
	if err != nil {
		return err
	}
	for _, r := range all {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// Reports follows storage/bolt: a damaged record is left out (and logged by number) before
// f.Limit counts.
func (tx *pgTx) Reports(f storage.ReportFilter) ([]*storage.Report, error) {
	statuses := make([]string, len(f.Statuses))
	for i, s := range f.Statuses {
		statuses[i] = string(s)
	}
	order := "ASC"
	if f.Newest {
		order = "DESC"
	}
	all, err := tx.listReports(`SELECT id, doc FROM reports
		WHERE ($1 = '' OR kind = $1) AND (cardinality($2::text[]) = 0 OR status = ANY($2::text[]))
		ORDER BY created_at `+order+`, id `+order, string(f.Kind), statuses)
	if err != nil {
		return nil, err
	}
	out := []*storage.Report{}
	for _, r := range all {
		if f.Limit > 0 && len(out) >= f.Limit {
			break
		}
		if !f.EnteredBefore.IsZero() && !storage.EnteredAt(r).Before(f.EnteredBefore) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func (tx *pgTx) Stats(verifySLA, deliverySLA time.Duration) (storage.Stats, error) {
	st := storage.Stats{
		At: tx.Now(),
		Counts: map[storage.Kind]map[storage.Status]int{
			storage.KindReport: {}, storage.KindSanggah: {}, storage.KindPengaduan: {}},
		OverdueVerification: map[storage.Kind]int{storage.KindReport: 0, storage.KindSanggah: 0, storage.KindPengaduan: 0},
	}
	rows, err := tx.tx.Query(tx.ctx, `SELECT kind, status, count(*) FROM reports GROUP BY kind, status`)
	if err != nil {
		return storage.Stats{}, err
	}
	for rows.Next() {
		var kind, status string
		var n int
		if err := rows.Scan(&kind, &status, &n); err != nil {
			rows.Close()
			return storage.Stats{}, err
		}
		k := storage.Kind(kind)
		if st.Counts[k] == nil {
			st.Counts[k] = map[storage.Status]int{}
		}
		st.Counts[k][storage.Status(status)] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return storage.Stats{}, err
	}
	// Overdue verification needs only the row's columns, as bbolt reads it from its status
	// index: a damaged report still counts. Overdue delivery needs the document (when the report
	// became eligible); a damaged one is skipped.
	if verifySLA > 0 {
		late, err := tx.tx.Query(tx.ctx, `SELECT kind, count(*) FROM reports WHERE status = 'submitted' AND created_at < $1 GROUP BY kind`,
			tx.Now().Add(-verifySLA))
		if err != nil {
			return storage.Stats{}, err
		}
		for late.Next() {
			var kind string
			var n int
			if err := late.Scan(&kind, &n); err != nil {
				late.Close()
				return storage.Stats{}, err
			}
			st.OverdueVerification[storage.Kind(kind)] = n
		}
		late.Close()
		if err := late.Err(); err != nil {
			return storage.Stats{}, err
		}
	}
	if deliverySLA <= 0 {
		return st, nil
	}
	eligible, err := tx.listReports(`SELECT id, doc FROM reports WHERE status = 'eligible'`)
	if err != nil {
		return storage.Stats{}, err
	}
	for _, r := range eligible {
		if storage.EnteredAt(r).Add(deliverySLA).Before(tx.Now()) {
			st.OverdueDelivery++
		}
	}
	return st, nil
}

func (tx *pgTx) Audit(since time.Time) ([]storage.AuditEntry, error) {
	rows, err := tx.tx.Query(tx.ctx, `SELECT doc FROM audit WHERE at >= $1 ORDER BY at, seq`, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []storage.AuditEntry{}
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var e storage.AuditEntry
		if err := json.Unmarshal(doc, &e); err != nil {
			return nil, fmt.Errorf("storage: decode audit entry: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Purge follows storage/bolt's contract (see storage.Tx).
func (tx *pgTx) Purge(cutoff time.Time, dry bool) (storage.PurgeResult, error) {
	var res storage.PurgeResult
	// Only reports in a final status are read, as bbolt reads its status index: a damaged open
	// report does not stop the purge, a damaged closed one does (its personal data cannot be
	// scrubbed, and the purge must not pretend it was).
	closed, err := tx.queryReports(`SELECT id, doc FROM reports WHERE status <> ALL($1) ORDER BY created_at, id`, openStatuses())
	if err != nil {
		return res, err
	}
	var due []*storage.Report
	for _, r := range closed {
		if !r.Status.Final() || !r.PurgedAt.IsZero() || !storage.EnteredAt(r).Before(cutoff) {
			continue
		}
		due = append(due, r)
		res.Reports = append(res.Reports, r.ID)
	}
	var chats []storage.ChatAddr
	err = tx.ForEachSession(func(chat storage.ChatAddr, s *storage.Session) error {
		if s.UpdatedAt.Before(cutoff) {
			chats = append(chats, chat)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	res.Sessions = len(chats)
	if res.Photos, err = tx.purgePhotos(res.Reports, dry); err != nil {
		return res, err
	}
	if dry {
		return res, nil
	}
	for _, r := range due {
		storage.ScrubPersonalData(r, tx.Now())
		if err := tx.putReport(r); err != nil {
			return res, err
		}
	}
	if len(due) > 0 {
		_, err := tx.exec(`UPDATE audit SET doc = jsonb_set(doc, '{by,id}', to_jsonb($2::text))
			WHERE report = ANY($1) AND doc->'by'->>'name' = $3 AND doc->'by'->>'id' IS DISTINCT FROM $2`,
			res.Reports, storage.PurgedActorID, storage.CitizenActorName)
		if err != nil {
			return res, err
		}
	}
	for _, chat := range chats {
		if err := tx.DeleteSession(chat); err != nil {
			return res, err
		}
	}
	return res, nil
}

// openStatuses are the known statuses Status.Final refuses, for a query: what is not one of
// them is final, as Final has it.
func openStatuses() []string {
	var out []string
	for _, s := range []storage.Status{storage.StatusAutoRejected, storage.StatusSubmitted, storage.StatusEligible,
		storage.StatusIneligible, storage.StatusDelivered, storage.StatusUpheld, storage.StatusDismissed,
		storage.StatusInProgress, storage.StatusResolved, storage.StatusRefused} {
		if !s.Final() {
			out = append(out, string(s))
		}
	}
	return out
}
