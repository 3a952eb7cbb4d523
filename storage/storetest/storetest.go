// Package storetest is the contract every storage.Store implementation passes: the guarantees
// flows and the channels rely on (numbering, first decision wins, one step one transaction,
// queue order, seen markers, channel state), checked through the interfaces only.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// Clock is a settable clock the store under test reads as its only clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Open returns a fresh, empty store reading clock, closed when t ends.
type Open func(t testing.TB, clock *Clock) storage.Store

// T0 is 2026-11-22 10:00 WIB, where every test's clock starts.
var T0 = time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC)

var ctx = context.Background()

var (
	citizen = storage.ChatAddr{Channel: "telegram", ID: "1001"}
	ani     = storage.Actor{Channel: "telegram", ID: "501", Name: "Ani"}
	budi    = storage.Actor{Channel: "whatsapp", ID: "6281200000002@s.whatsapp.net", Name: "Budi"}
)

func report(kind storage.Kind, nik string, from storage.ChatAddr) *storage.Report {
	return &storage.Report{Kind: kind, Status: storage.StatusSubmitted, NIK: nik, Name: "Siti Wahyuni",
		Desa: "Sumberagung", Kecamatan: "Pesanggaran", Reason: "lost_job", ForSelf: true, From: from}
}

// Run runs the whole contract against the stores open makes.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Open)
	}{
		{"report numbers per kind and WIB month", testNumbers},
		{"concurrent creates get unique numbers", testConcurrentNumbers},
		{"reports by NIK and the open one", testByNIK},
		{"lifecycle and first decision wins", testLifecycle},
		{"concurrent decisions: exactly one wins", testConcurrentDecisions},
		{"a failed step leaves nothing behind", testRollback},
		{"sessions", testSessions},
		{"outbound queue", testOutbound},
		{"seen markers", testSeen},
		{"channel state", testState},
		{"lookup budget", testBudget},
		{"dashboard users and views", testUsers},
		{"reports without NIK and name+desa duplicates", testNoNIK},
		{"pengaduan numbers and steps", testPengaduan},
		{"SaveReport keeps status, kind, NIK and creation", testSaveReport},
		{"delivery confirmation counts", testReceipts},
		{"undo of a staff step", testUndo},
		{"evidence photos: put, read, purge", testPhotos},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

func newStore(t *testing.T, open Open) (storage.Store, *Clock) {
	t.Helper()
	clock := &Clock{t: T0}
	return open(t, clock), clock
}

func create(t *testing.T, s storage.Store, r *storage.Report) *storage.Report {
	t.Helper()
	if err := s.CreateReport(ctx, r); err != nil {
		t.Fatalf("CreateReport: %v", err)
	}
	return r
}

func testNumbers(t *testing.T, open Open) {
	s, clock := newStore(t, open)
	wib := time.FixedZone("WIB", 7*3600)
	tests := []struct {
		name   string
		at     time.Time
		kind   storage.Kind
		status storage.Status
		want   string
	}{
		{"first of the month", T0, storage.KindReport, storage.StatusSubmitted, "LB-2611-0001"},
		{"second", T0, storage.KindReport, storage.StatusSubmitted, "LB-2611-0002"},
		{"auto rejected counts too", T0, storage.KindReport, storage.StatusAutoRejected, "LB-2611-0003"},
		{"sanggah has its own counter", T0, storage.KindSanggah, storage.StatusSubmitted, "SG-2611-0001"},
		{"month follows WIB", time.Date(2026, 11, 30, 17, 30, 0, 0, time.UTC), storage.KindReport, storage.StatusSubmitted, "LB-2612-0001"},
		{"new year", time.Date(2027, 1, 1, 0, 0, 0, 0, wib), storage.KindSanggah, storage.StatusSubmitted, "SG-2701-0001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.Set(tt.at)
			r := report(tt.kind, "3510014107900001", citizen)
			r.Status = tt.status
			create(t, s, r)
			if r.ID != tt.want {
				t.Errorf("ID = %s, want %s", r.ID, tt.want)
			}
			if !r.CreatedAt.Equal(tt.at) {
				t.Errorf("CreatedAt = %v, want %v", r.CreatedAt, tt.at)
			}
			got, err := s.Report(ctx, tt.want)
			if err != nil || got.NIK != r.NIK || got.Status != tt.status || len(got.History) != 1 {
				t.Errorf("Report(%s) = %+v, %v", tt.want, got, err)
			}
		})
	}
	for _, bad := range []*storage.Report{
		{Kind: storage.KindReport, Status: storage.StatusSubmitted, From: citizen},                         // no NIK
		{Kind: "other", Status: storage.StatusSubmitted, NIK: "3510014107900001", From: citizen},           // unknown kind
		{Kind: storage.KindReport, Status: storage.StatusEligible, NIK: "3510014107900001", From: citizen}, // not a start
	} {
		if err := s.CreateReport(ctx, bad); !errors.Is(err, storage.ErrInvalid) {
			t.Errorf("CreateReport(%+v) = %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := s.Report(ctx, "LB-2611-0999"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Report(missing) = %v, want ErrNotFound", err)
	}
}

func testConcurrentNumbers(t *testing.T, open Open) {
	s, _ := newStore(t, open)
	const n = 32
	ids := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			chat := storage.ChatAddr{Channel: "telegram", ID: fmt.Sprint(2000 + i)}
			r := report(storage.KindReport, fmt.Sprintf("35100141079%05d", i), chat)
			// A whole step: the report, the session and the reply in one transaction.
			err := s.Update(ctx, func(tx storage.Tx) error {
				if err := tx.CreateReport(r); err != nil {
					return err
				}
				if err := tx.PutSession(chat, &storage.Session{}); err != nil {
					return err
				}
				return tx.Enqueue(&storage.Outbound{To: chat, Payload: []byte(`"` + r.ID + `"`)})
			})
			ids[i] = r.ID
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("step: %v", err)
		}
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("number %s issued twice", id)
		}
		seen[id] = true
		if _, err := s.Report(ctx, id); err != nil {
			t.Errorf("Report(%s): %v", id, err)
		}
	}
	pending, err := s.Pending(ctx, 0)
	if err != nil || len(pending) != n {
		t.Fatalf("Pending = %d messages, %v; want %d", len(pending), err, n)
	}
	for _, o := range pending {
		if !seen[string(o.Payload[1:len(o.Payload)-1])] {
			t.Errorf("reply %s names a number that was not stored", o.Payload)
		}
	}
}

func testByNIK(t *testing.T, open Open) {
	s, clock := newStore(t, open)
	const nik = "3510014107900001"
	first := create(t, s, report(storage.KindReport, nik, citizen))
	clock.Advance(time.Minute)
	second := create(t, s, report(storage.KindSanggah, nik, citizen))
	create(t, s, report(storage.KindReport, "3510014107900002", citizen))
	rs, err := s.ReportsByNIK(ctx, nik)
	if err != nil || len(rs) != 2 || rs[0].ID != second.ID || rs[1].ID != first.ID {
		t.Fatalf("ReportsByNIK = %v, %v; want [%s %s]", ids(rs), err, second.ID, first.ID)
	}
	if rs, err := s.ReportsByNIK(ctx, "3510014107909999"); err != nil || len(rs) != 0 {
		t.Errorf("ReportsByNIK(none) = %v, %v", ids(rs), err)
	}
	open1, err := s.OpenReportByNIK(ctx, nik, storage.KindReport)
	if err != nil || open1.ID != first.ID {
		t.Errorf("OpenReportByNIK = %v, %v; want %s", open1, err, first.ID)
	}
	if _, err := s.Transition(ctx, first.ID, storage.StatusIneligible, ani, "mampu"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenReportByNIK(ctx, nik, storage.KindReport); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("OpenReportByNIK after a final decision = %v, want ErrNotFound", err)
	}
	all, err := s.Reports(ctx, storage.ReportFilter{Statuses: []storage.Status{storage.StatusSubmitted}})
	if err != nil || len(all) != 2 {
		t.Errorf("Reports(submitted) = %v, %v; want 2", ids(all), err)
	}
	st, err := s.Stats(ctx, time.Hour, time.Hour)
	if err != nil || st.Count(storage.KindReport, storage.StatusIneligible) != 1 || st.Total(storage.KindReport) != 2 {
		t.Errorf("Stats = %+v, %v", st, err)
	}
}

func ids(rs []*storage.Report) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func testLifecycle(t *testing.T, open Open) {
	s, clock := newStore(t, open)
	r := create(t, s, report(storage.KindReport, "3510014107900001", citizen))
	steps := []struct {
		name    string
		to      storage.Status
		by      storage.Actor
		note    string
		wantErr error
		decided bool
	}{
		{"no actor", storage.StatusEligible, storage.Actor{}, "", storage.ErrInvalid, false},
		{"tidak layak needs a reason", storage.StatusIneligible, ani, " ", storage.ErrReasonRequired, false},
		{"sanggah status on a report", storage.StatusUpheld, ani, "", storage.ErrIllegalTransition, false},
		{"layak", storage.StatusEligible, ani, "", nil, false},
		{"a second layak is already decided", storage.StatusEligible, budi, "", nil, true},
		{"tidak layak after layak is already decided", storage.StatusIneligible, budi, "mampu", nil, true},
		{"disalurkan", storage.StatusDelivered, budi, "", nil, false},
		{"disalurkan twice", storage.StatusDelivered, ani, "", nil, true},
	}
	for _, tt := range steps {
		t.Run(tt.name, func(t *testing.T) {
			clock.Advance(time.Minute)
			got, err := s.Transition(ctx, r.ID, tt.to, tt.by, tt.note)
			var ad *storage.AlreadyDecidedError
			switch {
			case tt.decided:
				if !errors.As(err, &ad) || ad.Report != r.ID {
					t.Fatalf("Transition = %v, want AlreadyDecidedError", err)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Transition = %v, want %v", err, tt.wantErr)
				}
			default:
				if err != nil || got.Status != tt.to || got.History[len(got.History)-1].By != tt.by {
					t.Fatalf("Transition = %+v, %v", got, err)
				}
			}
		})
	}
	got, err := s.Report(ctx, r.ID)
	if err != nil || got.Status != storage.StatusDelivered || len(got.History) != 3 {
		t.Fatalf("final report = %+v, %v; want delivered with 3 transitions", got, err)
	}
	audit, err := s.Audit(ctx, time.Time{})
	if err != nil || len(audit) != 3 || audit[2].Report != r.ID || audit[2].To != storage.StatusDelivered {
		t.Errorf("Audit = %+v, %v", audit, err)
	}
	if _, err := s.Transition(ctx, "LB-2611-0999", storage.StatusEligible, ani, ""); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Transition(missing) = %v, want ErrNotFound", err)
	}
}

func testConcurrentDecisions(t *testing.T, open Open) {
	s, _ := newStore(t, open)
	r := create(t, s, report(storage.KindReport, "3510014107900001", citizen))
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, lost := 0, 0
	for i := range n {
		wg.Go(func() {
			by := storage.Actor{Channel: "telegram", ID: fmt.Sprint(600 + i), Name: "Staf"}
			to, note := storage.StatusEligible, ""
			if i%2 == 1 {
				to, note = storage.StatusIneligible, "mampu"
			}
			_, err := s.Transition(ctx, r.ID, to, by, note)
			var ad *storage.AlreadyDecidedError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.As(err, &ad):
				lost++
			default:
				t.Errorf("Transition: %v", err)
			}
		})
	}
	wg.Wait()
	if wins != 1 || lost != n-1 {
		t.Fatalf("%d decisions won and %d were told already decided; want 1 and %d", wins, lost, n-1)
	}
	got, _ := s.Report(ctx, r.ID)
	if len(got.History) != 2 {
		t.Errorf("history has %d entries, want 2", len(got.History))
	}
}

func testRollback(t *testing.T, open Open) {
	s, _ := newStore(t, open)
	refused := errors.New("refused")
	r := report(storage.KindReport, "3510014107900001", citizen)
	err := s.Update(ctx, func(tx storage.Tx) error {
		if err := tx.CreateReport(r); err != nil {
			return err
		}
		if err := tx.PutSession(citizen, &storage.Session{Flow: "lapor"}); err != nil {
			return err
		}
		if _, err := tx.MarkSeen("telegram", "77"); err != nil {
			return err
		}
		if err := tx.Put("telegram", "offset", []byte("78")); err != nil {
			return err
		}
		if err := tx.Enqueue(&storage.Outbound{To: citizen, Payload: []byte(`"x"`)}); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("Update = %v, want the function's error", err)
	}
	if rs, err := s.ReportsByNIK(ctx, r.NIK); err != nil || len(rs) != 0 {
		t.Errorf("report survived the rollback: %v, %v", ids(rs), err)
	}
	if _, err := s.Session(ctx, citizen); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("session survived the rollback: %v", err)
	}
	if fresh, err := s.MarkSeen(ctx, "telegram", "77"); err != nil || !fresh {
		t.Errorf("seen marker survived the rollback: fresh=%v, %v", fresh, err)
	}
	if _, err := s.Get(ctx, "telegram", "offset"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("state survived the rollback: %v", err)
	}
	if p, err := s.Pending(ctx, 0); err != nil || len(p) != 0 {
		t.Errorf("reply survived the rollback: %d, %v", len(p), err)
	}
	// A committed step after it takes the first number: nothing was half-kept.
	create(t, s, report(storage.KindReport, "3510014107900002", citizen))
}

func testSessions(t *testing.T, open Open) {
	s, clock := newStore(t, open)
	if _, err := s.Session(ctx, citizen); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Session(new chat) = %v, want ErrNotFound", err)
	}
	in := &storage.Session{Flow: "lapor", State: "nik", Data: map[string]string{"name": "Siti"}, Back: []string{"menu"}}
	if err := s.PutSession(ctx, citizen, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.Session(ctx, citizen)
	if err != nil || got.Flow != "lapor" || got.State != "nik" || got.Data["name"] != "Siti" || !got.UpdatedAt.Equal(clock.Now()) {
		t.Errorf("Session = %+v, %v", got, err)
	}
	other := storage.ChatAddr{Channel: "whatsapp", ID: "1001"}
	if _, err := s.Session(ctx, other); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("another channel's chat 1001 sees the session: %v", err)
	}
	n := 0
	err = s.View(ctx, func(tx storage.Tx) error {
		return tx.ForEachSession(func(chat storage.ChatAddr, _ *storage.Session) error {
			if chat != citizen {
				t.Errorf("ForEachSession: %v", chat)
			}
			n++
			return nil
		})
	})
	if err != nil || n != 1 {
		t.Errorf("ForEachSession saw %d, %v", n, err)
	}
	if err := s.DeleteSession(ctx, citizen); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx, citizen); err != nil {
		t.Errorf("deleting a deleted session: %v", err)
	}
	if _, err := s.Session(ctx, citizen); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Session after delete = %v", err)
	}
}

func testOutbound(t *testing.T, open Open) {
	s, clock := newStore(t, open)
	a := storage.ChatAddr{Channel: "telegram", ID: "1"}
	b := storage.ChatAddr{Channel: "whatsapp", ID: "2"}
	for i, to := range []storage.ChatAddr{a, b, a, b, a} {
		if err := s.Enqueue(ctx, &storage.Outbound{To: to, Payload: []byte(fmt.Sprint(i))}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := s.Pending(ctx, 0)
	if err != nil || len(all) != 5 {
		t.Fatalf("Pending = %d, %v", len(all), err)
	}
	for i := range all {
		if string(all[i].Payload) != fmt.Sprint(i) || !all[i].CreatedAt.Equal(clock.Now()) {
			t.Errorf("message %d = %s at %v: queue order or CreatedAt lost", i, all[i].Payload, all[i].CreatedAt)
		}
		if i > 0 && all[i].Seq <= all[i-1].Seq {
			t.Errorf("Seq not increasing: %d after %d", all[i].Seq, all[i-1].Seq)
		}
	}
	if two, _ := s.Pending(ctx, 2); len(two) != 2 || two[1].Seq != all[1].Seq {
		t.Errorf("Pending(2) = %d messages", len(two))
	}
	onlyB, err := s.PendingWhere(ctx, 10, 0, func(c storage.ChatAddr) bool { return c == b })
	if err != nil || len(onlyB) != 2 || onlyB[0].Seq != all[1].Seq {
		t.Errorf("PendingWhere(b) = %d, %v", len(onlyB), err)
	}
	retry := all[0]
	retry.Attempts, retry.NotBefore = 2, clock.Now().Add(time.Minute)
	if err := s.UpdateOutbound(ctx, retry); err != nil {
		t.Fatal(err)
	}
	if head, _ := s.Pending(ctx, 1); head[0].Attempts != 2 || !head[0].NotBefore.Equal(retry.NotBefore) {
		t.Errorf("UpdateOutbound not kept: %+v", head[0])
	}
	if err := s.AckOutbound(ctx, all[0].Seq); err != nil {
		t.Fatal(err)
	}
	if err := s.AckOutbound(ctx, all[0].Seq); err != nil {
		t.Errorf("second ack: %v", err)
	}
	if err := s.UpdateOutbound(ctx, retry); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("UpdateOutbound after ack = %v, want ErrNotFound", err)
	}
	if n, err := s.DropOutbound(ctx, a); err != nil || n != 2 {
		t.Errorf("DropOutbound(a) = %d, %v; want 2", n, err)
	}
	var depth int
	err = s.View(ctx, func(tx storage.Tx) (err error) { depth, _, err = tx.QueueStats(); return err })
	if err != nil || depth != 2 {
		t.Errorf("QueueStats depth = %d, %v; want 2", depth, err)
	}
	if err := s.Enqueue(ctx, &storage.Outbound{To: a, Payload: []byte("later")}); err != nil {
		t.Fatal(err)
	}
	rest, _ := s.Pending(ctx, 0)
	if len(rest) != 3 || rest[2].Seq <= all[4].Seq {
		t.Errorf("a later message must queue behind every earlier one: %+v", rest)
	}
}

func testSeen(t *testing.T, open Open) {
	s, clock := newStore(t, open)
	steps := []struct {
		ns, id string
		fresh  bool
	}{
		{"telegram", "10", true},
		{"telegram", "10", false},
		{"whatsapp", "10", true},
		{"telegram", "11", true},
	}
	for _, st := range steps {
		fresh, err := s.MarkSeen(ctx, st.ns, st.id)
		if err != nil || fresh != st.fresh {
			t.Errorf("MarkSeen(%s, %s) = %v, %v; want %v", st.ns, st.id, fresh, err, st.fresh)
		}
		clock.Advance(time.Hour)
	}
	if _, err := s.MarkSeen(ctx, "telegram", ""); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("MarkSeen(empty) = %v, want ErrInvalid", err)
	}
	n, err := s.PruneSeen(ctx, "telegram", T0.Add(2*time.Hour))
	if err != nil || n != 1 {
		t.Errorf("PruneSeen = %d, %v; want 1", n, err)
	}
	if fresh, _ := s.MarkSeen(ctx, "telegram", "10"); !fresh {
		t.Error("a pruned id is still seen")
	}
	if fresh, _ := s.MarkSeen(ctx, "telegram", "11"); fresh {
		t.Error("an id newer than the cutoff was pruned")
	}
}

func testState(t *testing.T, open Open) {
	s, _ := newStore(t, open)
	if _, err := s.Get(ctx, "telegram", "offset"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get(missing) = %v", err)
	}
	if err := s.Put(ctx, "telegram", "offset", []byte("42")); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "whatsapp", "offset", []byte("7")); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(ctx, "telegram", "offset"); err != nil || string(v) != "42" {
		t.Errorf("Get = %q, %v", v, err)
	}
	if err := s.Put(ctx, "telegram", "offset", []byte("43")); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Get(ctx, "telegram", "offset"); string(v) != "43" {
		t.Errorf("Put did not replace: %q", v)
	}
	err := s.Update(ctx, func(tx storage.Tx) error { return tx.Delete("telegram", "offset") })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "telegram", "offset"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("Get after Delete = %v", err)
	}
	if v, _ := s.Get(ctx, "whatsapp", "offset"); string(v) != "7" {
		t.Errorf("buckets collide: %q", v)
	}
	// ForEachState walks one bucket in bytewise key order.
	for _, k := range []string{"b", "a", "B", "a/2", "é"} {
		if err := s.Put(ctx, "walk", k, []byte("v"+k)); err != nil {
			t.Fatal(err)
		}
	}
	walk := func(bucket string) (keys []string) {
		t.Helper()
		err := s.View(ctx, func(tx storage.Tx) error {
			return tx.ForEachState(bucket, func(k string, v []byte) error {
				if string(v) != "v"+k {
					t.Errorf("ForEachState(%s): %s = %q", bucket, k, v)
				}
				keys = append(keys, k)
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return keys
	}
	if got, want := walk("walk"), []string{"B", "a", "a/2", "b", "é"}; !slices.Equal(got, want) {
		t.Errorf("ForEachState = %q, want %q", got, want)
	}
	if got := walk("no such bucket"); len(got) != 0 {
		t.Errorf("ForEachState of an unknown bucket = %q", got)
	}
}

func testBudget(t *testing.T, open Open) {
	s, clock := newStore(t, open)
	lim := storage.LookupLimits{ChatHour: 2, ChatDay: 3, GlobalHour: 100}
	spend := func(chat storage.ChatAddr) storage.LookupGrant {
		t.Helper()
		var g storage.LookupGrant
		err := s.Update(ctx, func(tx storage.Tx) (err error) { g, err = tx.SpendLookup(chat, lim); return err })
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	steps := []struct {
		name    string
		advance time.Duration
		allowed bool
		scope   string
	}{
		{"first", 0, true, ""},
		{"second", time.Minute, true, ""},
		{"third in the hour refused", time.Minute, false, storage.ScopeChatHour},
		{"after the hour", time.Hour, true, ""},
		{"fourth in the day refused", 2 * time.Hour, false, storage.ScopeChatDay},
	}
	for _, st := range steps {
		clock.Advance(st.advance)
		if g := spend(citizen); g.Allowed != st.allowed || g.Scope != st.scope {
			t.Errorf("%s: %+v", st.name, g)
		}
	}
	if g := spend(storage.ChatAddr{Channel: "telegram", ID: "other"}); !g.Allowed {
		t.Errorf("another chat's budget is shared: %+v", g)
	}
}

func testUsers(t *testing.T, open Open) {
	s, _ := newStore(t, open)
	if err := s.PutUser(ctx, storage.User{Name: "Ani", Role: storage.RoleSupervisor, Hash: "h"}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutUser(ctx, storage.User{Name: "x y", Role: storage.RoleViewer, Hash: "h"}); !errors.Is(err, storage.ErrInvalid) {
		t.Errorf("PutUser(bad name) = %v", err)
	}
	u, err := s.User(ctx, "ani")
	if err != nil || u.Role != storage.RoleSupervisor || u.CreatedAt.IsZero() {
		t.Errorf("User = %+v, %v", u, err)
	}
	r := create(t, s, report(storage.KindReport, "3510014107900001", citizen))
	got, err := s.ReportForView(ctx, r.ID, "ani")
	if err != nil || got.NIK != r.NIK {
		t.Fatalf("ReportForView = %v, %v", got, err)
	}
	vs, err := s.Views(ctx, time.Time{}, 0)
	if err != nil || len(vs) != 1 || vs[0].User != "ani" || vs[0].Report != r.ID {
		t.Errorf("Views = %+v, %v", vs, err)
	}
	if err := s.DeleteUser(ctx, "ani"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.User(ctx, "ani"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("User after delete = %v", err)
	}
}
