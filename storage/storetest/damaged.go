package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// A damaged record is one the store holds but cannot decode: a torn write restored from a bad
// backup, a hand edit, a document from another version. Every backend treats it alike
// (storage.ErrDamagedRecord): a lookup of that record is an error wrapping ErrDamagedRecord,
// never ErrNotFound (a citizen is told of an outage, not that the report does not exist); a list,
// a scan or an export of reports, or a read of the send queue, leaves it out and goes on; the
// NIK it is filed on takes no new report until it is restored; the retention purge refuses to
// pass over a damaged closed report it would have to scrub. Sessions and dashboard accounts
// are an error wherever they are read, in a list too.

// Tables that Damage writes to.
const (
	TableReports  = "reports"  // key: the report number
	TableSessions = "sessions" // key: storage.ChatAddr.Key()
	TableOutbound = "outbound" // key: the message's Seq in decimal
	TableUsers    = "users"    // key: the account name
)

// Damage replaces, in place, the stored record key of table with doc: valid JSON that does not
// decode into the record's type (a number where a time is expected), which is what a jsonb
// column can still hold. It fails t if there is no such record.
type Damage func(t testing.TB, s storage.Store, table, key string, doc []byte)

// RunDamaged checks how the stores open makes treat records damage damages.
func RunDamaged(t *testing.T, open Open, damage Damage) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Open, damage Damage)
	}{
		{"damaged report: lists skip it, lookups say damaged", testDamagedReport},
		{"damaged report: name and desa duplicates skip it", testDamagedNameDesa},
		{"damaged report: the purge", testDamagedPurge},
		{"damaged queued message is left out", testDamagedOutbound},
		{"damaged session and account are errors", testDamagedSessionUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open, damage) })
	}
}

func damagedReportDoc(id string) []byte {
	return []byte(`{"id":"` + id + `","kind":"report","status":"submitted","created_at":12}`)
}

func isDamaged(err error) bool {
	return errors.Is(err, storage.ErrDamagedRecord) && !errors.Is(err, storage.ErrNotFound)
}

func testDamagedReport(t *testing.T, open Open, damage Damage) {
	s, clock := newStore(t, open)
	niks := []string{"3510014107900001", "3510014107900002", "3510014107900003"}
	var lb []string
	for _, nik := range niks {
		r := create(t, s, report(storage.KindReport, nik, citizen))
		for _, to := range []storage.Status{storage.StatusEligible, storage.StatusDelivered} {
			if _, err := s.Transition(ctx, r.ID, to, ani, ""); err != nil {
				t.Fatal(err)
			}
		}
		lb = append(lb, r.ID)
		clock.Advance(time.Minute)
	}
	pg1 := create(t, s, pengaduan())
	clock.Advance(time.Minute)
	pg2 := create(t, s, pengaduan())
	damage(t, s, TableReports, lb[1], damagedReportDoc(lb[1]))
	damage(t, s, TableReports, pg1.ID, damagedReportDoc(pg1.ID))
	clock.Advance(10 * time.Hour)

	lists := []struct {
		name string
		f    storage.ReportFilter
		want []string
	}{
		{"every report", storage.ReportFilter{}, []string{lb[0], lb[2], pg2.ID}},
		{"by kind", storage.ReportFilter{Kind: storage.KindReport}, []string{lb[0], lb[2]}},
		{"by status", storage.ReportFilter{Statuses: []storage.Status{storage.StatusDelivered}}, []string{lb[0], lb[2]}},
		{"pengaduan", storage.ReportFilter{Kind: storage.KindPengaduan}, []string{pg2.ID}},
		{"the limit counts what is listed", storage.ReportFilter{Limit: 2}, []string{lb[0], lb[2]}},
		{"newest first", storage.ReportFilter{Newest: true, Limit: 3}, []string{pg2.ID, lb[2], lb[0]}},
	}
	for _, tt := range lists {
		t.Run("Reports: "+tt.name, func(t *testing.T) {
			got, err := s.Reports(ctx, tt.f)
			if err != nil || !slices.Equal(ids(got), tt.want) {
				t.Errorf("Reports(%+v) = %v, %v; want %v", tt.f, ids(got), err, tt.want)
			}
		})
	}
	t.Run("ForEachReport", func(t *testing.T) {
		var got []string
		err := s.View(ctx, func(tx storage.Tx) error {
			got = nil
			return tx.ForEachReport(func(r *storage.Report) error { got = append(got, r.ID); return nil })
		})
		if want := []string{lb[0], lb[2], pg2.ID}; err != nil || !slices.Equal(got, want) {
			t.Errorf("ForEachReport = %v, %v; want %v", got, err, want)
		}
	})
	t.Run("export", func(t *testing.T) {
		var buf bytes.Buffer
		if err := s.ExportCSV(&buf, storage.ExportOptions{}); err != nil {
			t.Fatalf("ExportCSV: %v", err)
		}
		out := buf.String()
		for _, id := range []string{lb[0], lb[2], pg2.ID} {
			if !bytes.Contains(buf.Bytes(), []byte(id)) {
				t.Errorf("export lacks %s:\n%s", id, out)
			}
		}
		for _, id := range []string{lb[1], pg1.ID} {
			if bytes.Contains(buf.Bytes(), []byte(id)) {
				t.Errorf("export has damaged %s:\n%s", id, out)
			}
		}
	})
	t.Run("receipts and stats", func(t *testing.T) {
		var rs storage.ReceiptStats
		err := s.View(ctx, func(tx storage.Tx) (err error) { rs, err = tx.ReceiptStats(); return err })
		if err != nil || rs.Delivered != 2 {
			t.Errorf("ReceiptStats = %+v, %v; want 2 delivered", rs, err)
		}
		// Counts and overdue verification come from the index (bbolt) or the columns
		// (PostgreSQL), which a damaged document does not touch.
		st, err := s.Stats(ctx, 3*time.Hour, time.Hour)
		if err != nil || st.Count(storage.KindReport, storage.StatusDelivered) != 3 ||
			st.OverdueVerification[storage.KindPengaduan] != 2 {
			t.Errorf("Stats = %+v, %v; want 3 delivered, 2 pengaduan overdue", st, err)
		}
	})
	lookups := []struct {
		name string
		fn   func() error
	}{
		{"Report", func() error { _, err := s.Report(ctx, lb[1]); return err }},
		{"ReportsByNIK", func() error { _, err := s.ReportsByNIK(ctx, niks[1]); return err }},
		{"OpenReportByNIK", func() error { _, err := s.OpenReportByNIK(ctx, niks[1], storage.KindReport); return err }},
		{"a new report on its NIK", func() error { return s.CreateReport(ctx, report(storage.KindReport, niks[1], citizen)) }},
		{"a decision on it", func() error { _, err := s.Transition(ctx, pg1.ID, storage.StatusInProgress, ani, ""); return err }},
	}
	for _, tt := range lookups {
		t.Run("lookup: "+tt.name, func(t *testing.T) {
			if err := tt.fn(); !isDamaged(err) {
				t.Errorf("%s = %v, want an error wrapping ErrDamagedRecord, not ErrNotFound", tt.name, err)
			}
		})
	}
	if r, err := s.Report(ctx, lb[2]); err != nil || r.NIK != niks[2] {
		t.Errorf("the record beside it: %v, %v", r, err)
	}
}

func testDamagedNameDesa(t *testing.T, open Open, damage Damage) {
	s, clock := newStore(t, open)
	first := create(t, s, noNIK("Sumarni", "Sumberagung", "35.10.01"))
	clock.Advance(time.Minute)
	second := create(t, s, noNIK("Sumarni", "Sumberagung", "35.10.01"))
	damage(t, s, TableReports, first.ID, damagedReportDoc(first.ID))
	if got := byNameDesa(t, s, "35.10.01", "Sumberagung", "Sumarni"); !slices.Equal(got, []string{second.ID}) {
		t.Errorf("ReportsByNameDesa = %v, want [%s]", got, second.ID)
	}
}

func testDamagedPurge(t *testing.T, open Open, damage Damage) {
	tests := []struct {
		name    string
		status  storage.Status // the damaged report's, reached from submitted
		wantErr bool
	}{
		// Open reports are not the purge's: it goes on.
		{"open report", storage.StatusInProgress, false},
		// A closed one it would have to scrub: the purge must not report success.
		{"closed report", storage.StatusResolved, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, clock := newStore(t, open)
			closed := create(t, s, report(storage.KindReport, "3510014107900001", citizen))
			if _, err := s.Transition(ctx, closed.ID, storage.StatusIneligible, ani, "mampu"); err != nil {
				t.Fatal(err)
			}
			bad := create(t, s, pengaduan())
			if _, err := s.Transition(ctx, bad.ID, tt.status, ani, "ditangani"); err != nil {
				t.Fatal(err)
			}
			damage(t, s, TableReports, bad.ID, damagedReportDoc(bad.ID))
			clock.Advance(48 * time.Hour)
			res, err := s.Purge(ctx, 24*time.Hour, false)
			if tt.wantErr {
				if !isDamaged(err) {
					t.Fatalf("Purge = %+v, %v; want an error wrapping ErrDamagedRecord", res, err)
				}
				if r, _ := s.Report(ctx, closed.ID); r == nil || !r.PurgedAt.IsZero() {
					t.Errorf("a failed purge changed %s: %+v", closed.ID, r)
				}
				return
			}
			if err != nil || !slices.Equal(res.Reports, []string{closed.ID}) {
				t.Errorf("Purge = %+v, %v; want %s purged", res, err, closed.ID)
			}
		})
	}
}

func testDamagedOutbound(t *testing.T, open Open, damage Damage) {
	s, _ := newStore(t, open)
	var all []*storage.Outbound
	for i := range 4 {
		o := &storage.Outbound{To: storage.ChatAddr{Channel: "telegram", ID: strconv.Itoa(i + 1)}, Payload: []byte(fmt.Sprint(i))}
		if err := s.Enqueue(ctx, o); err != nil {
			t.Fatal(err)
		}
		all = append(all, o)
	}
	bad := all[1]
	damage(t, s, TableOutbound, strconv.FormatUint(bad.Seq, 10),
		[]byte(`{"seq":"x","to":{"ch":"telegram","id":"2"},"created_at":12}`))
	seqs := func(os []*storage.Outbound) []uint64 {
		var out []uint64
		for _, o := range os {
			out = append(out, o.Seq)
		}
		return out
	}
	every := func(storage.ChatAddr) bool { return true }
	tests := []struct {
		name string
		fn   func() ([]*storage.Outbound, error)
		want []uint64
	}{
		{"Pending", func() ([]*storage.Outbound, error) { return s.Pending(ctx, 0) }, []uint64{all[0].Seq, all[2].Seq, all[3].Seq}},
		{"Pending: the limit counts what is listed", func() ([]*storage.Outbound, error) { return s.Pending(ctx, 2) }, []uint64{all[0].Seq, all[2].Seq}},
		{"PendingWhere", func() ([]*storage.Outbound, error) { return s.PendingWhere(ctx, 0, 0, every) }, []uint64{all[0].Seq, all[2].Seq, all[3].Seq}},
		// maxScan bounds the messages looked at, the damaged one among them.
		{"PendingWhere: the scan counts it", func() ([]*storage.Outbound, error) { return s.PendingWhere(ctx, 0, 3, every) }, []uint64{all[0].Seq, all[2].Seq}},
		{"PendingWhere: its chat", func() ([]*storage.Outbound, error) {
			return s.PendingWhere(ctx, 0, 0, func(c storage.ChatAddr) bool { return c.ID == "2" })
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fn()
			if err != nil || !slices.Equal(seqs(got), tt.want) {
				t.Errorf("%s = %v, %v; want %v", tt.name, seqs(got), err, tt.want)
			}
		})
	}
	// The sender drops it at start (it can never be sent), and only it.
	t.Run("DropDamagedOutbound", func(t *testing.T) {
		var dropped []uint64
		err := s.Update(ctx, func(tx storage.Tx) (err error) {
			dropped, err = tx.DropDamagedOutbound()
			return err
		})
		if err != nil || !slices.Equal(dropped, []uint64{bad.Seq}) {
			t.Fatalf("DropDamagedOutbound = %v, %v; want [%d]", dropped, err, bad.Seq)
		}
		left, err := s.Pending(ctx, 0)
		if err != nil || !slices.Equal(seqs(left), []uint64{all[0].Seq, all[2].Seq, all[3].Seq}) {
			t.Errorf("queue after the drop = %v, %v", seqs(left), err)
		}
	})
}

func testDamagedSessionUser(t *testing.T, open Open, damage Damage) {
	s, _ := newStore(t, open)
	other := storage.ChatAddr{Channel: "whatsapp", ID: "6281200000009@s.whatsapp.net"}
	for _, chat := range []storage.ChatAddr{citizen, other} {
		if err := s.PutSession(ctx, chat, &storage.Session{Flow: "lapor", State: "nik"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"ani", "budi"} {
		if err := s.PutUser(ctx, storage.User{Name: name, Role: storage.RoleViewer, Hash: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	damage(t, s, TableSessions, citizen.Key(), []byte(`{"flow":"lapor","updated_at":12}`))
	damage(t, s, TableUsers, "ani", []byte(`{"name":"ani","role":"viewer","created_at":12}`))
	tests := []struct {
		name string
		fn   func() error
	}{
		{"Session", func() error { _, err := s.Session(ctx, citizen); return err }},
		{"ForEachSession", func() error {
			return s.View(ctx, func(tx storage.Tx) error {
				return tx.ForEachSession(func(storage.ChatAddr, *storage.Session) error { return nil })
			})
		}},
		{"User", func() error { _, err := s.User(ctx, "ani"); return err }},
		{"Users", func() error { _, err := s.Users(ctx); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.fn(); err == nil || errors.Is(err, storage.ErrNotFound) {
				t.Errorf("%s = %v, want a decode error (not ErrNotFound)", tt.name, err)
			}
		})
	}
	if got, err := s.Session(ctx, other); err != nil || got.State != "nik" {
		t.Errorf("the session beside it: %+v, %v", got, err)
	}
	if u, err := s.User(ctx, "budi"); err != nil || u.Name != "budi" {
		t.Errorf("the account beside it: %+v, %v", u, err)
	}
}
