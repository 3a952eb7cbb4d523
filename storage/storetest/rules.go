package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// The rules main added beside the interfaces (issues 12 and 13): reports without NIK and their
// name+desa duplicates, pengaduan numbers and steps, SaveReport, delivery confirmation, undo.

func update(t *testing.T, s storage.Store, fn func(tx storage.Tx) error) error {
	t.Helper()
	return s.Update(ctx, fn)
}

func noNIK(name, desa, kec string) *storage.Report {
	r := report(storage.KindReport, "", citizen)
	r.NoNIK, r.NoNIKNote = true, "KTP hilang terbawa banjir"
	r.Name, r.Desa, r.KecamatanCode = name, desa, kec
	return r
}

func byNameDesa(t *testing.T, s storage.Store, kec, desa, name string) []string {
	t.Helper()
	var got []*storage.Report
	err := s.View(ctx, func(tx storage.Tx) error {
		var err error
		got, err = tx.ReportsByNameDesa(kec, desa, name)
		return err
	})
	if err != nil {
		t.Fatalf("ReportsByNameDesa(%s, %s, %s): %v", kec, desa, name, err)
	}
	return ids(got)
}

func testNoNIK(t *testing.T, open Open) {
	s, clock := newStore(t, open)
	bad := []struct {
		name string
		r    func() *storage.Report
	}{
		{"empty NIK, not marked", func() *storage.Report { return report(storage.KindReport, "", citizen) }},
		{"marked but with a NIK", func() *storage.Report {
			r := noNIK("Sumarni", "Sumberagung", "35.10.01")
			r.NIK = "3510010101900001"
			return r
		}},
		{"a sanggah without NIK", func() *storage.Report {
			r := noNIK("Sumarni", "Sumberagung", "35.10.01")
			r.Kind = storage.KindSanggah
			return r
		}},
		{"auto-rejected without NIK", func() *storage.Report {
			r := noNIK("Sumarni", "Sumberagung", "35.10.01")
			r.Status = storage.StatusAutoRejected
			return r
		}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.CreateReport(ctx, tt.r()); !errors.Is(err, storage.ErrInvalid) {
				t.Errorf("CreateReport = %v, want ErrInvalid", err)
			}
		})
	}
	a := create(t, s, noNIK("Soedjono", "Sumberagung", "35.10.01"))
	clock.Advance(time.Minute)
	withNIK := report(storage.KindReport, "3510014107900001", citizen)
	withNIK.Name, withNIK.Desa, withNIK.KecamatanCode = "SUJONO", "sumber agung", "35.10.01"
	withNIK.Desa = "Sumberagung"
	create(t, s, withNIK)
	clock.Advance(time.Minute)
	b := create(t, s, noNIK("  sujono ", "SUMBERAGUNG", "35.10.01"))
	create(t, s, noNIK("Sujono", "Sarongan", "35.10.01"))        // another desa
	create(t, s, noNIK("Sujono", "Sumberagung", "35.10.02"))     // another kecamatan
	create(t, s, noNIK("Sujono Adi", "Sumberagung", "35.10.01")) // another name
	sg := report(storage.KindSanggah, "3510014107900002", citizen)
	sg.Name, sg.Desa, sg.KecamatanCode = "Sujono", "Sumberagung", "35.10.01"
	create(t, s, sg) // a sanggah is no possible duplicate of a report

	want := []string{b.ID, withNIK.ID, a.ID} // newest first, with or without NIK, old spelling folded
	for _, q := range []struct{ name, desa string }{{"Sujono", "Sumberagung"}, {"soedjono", "sumberagung"}} {
		if got := byNameDesa(t, s, "35.10.01", q.desa, q.name); !slices.Equal(got, want) {
			t.Errorf("ReportsByNameDesa(%s, %s) = %v, want %v", q.name, q.desa, got, want)
		}
	}
	if got := byNameDesa(t, s, "35.10.01", "Sumberagung", " ."); len(got) != 0 {
		t.Errorf("ReportsByNameDesa(no name) = %v, want none", got)
	}
	got, err := s.Report(ctx, a.ID)
	if err != nil || !got.NoNIK || got.NIK != "" || got.NoNIKNote == "" {
		t.Errorf("Report(%s) = %+v, %v; want marked without NIK", a.ID, got, err)
	}
	if rs, err := s.ReportsByNIK(ctx, ""); err != nil || len(rs) != 0 {
		t.Errorf("ReportsByNIK(\"\") = %v, %v; want none", ids(rs), err)
	}

	// The retention purge takes a closed report out of the index with its name.
	if _, err := s.Transition(ctx, a.ID, storage.StatusIneligible, ani, "mampu"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(48 * time.Hour)
	res, err := s.Purge(ctx, 24*time.Hour, false)
	if err != nil || !slices.Contains(res.Reports, a.ID) {
		t.Fatalf("Purge = %+v, %v; want %s purged", res, err, a.ID)
	}
	if got := byNameDesa(t, s, "35.10.01", "Sumberagung", "Sujono"); !slices.Equal(got, []string{b.ID, withNIK.ID}) {
		t.Errorf("after the purge ReportsByNameDesa = %v, want %v", got, []string{b.ID, withNIK.ID})
	}
}

func pengaduan() *storage.Report {
	return &storage.Report{Kind: storage.KindPengaduan, Status: storage.StatusSubmitted, Reason: "potongan",
		ReasonText: "Bantuan dipotong Rp50.000", Desa: "Sumberagung", Kecamatan: "Pesanggaran",
		When: "minggu lalu", Anonymous: true, From: citizen}
}

func testPengaduan(t *testing.T, open Open) {
	s, clock := newStore(t, open)
	first := create(t, s, pengaduan())
	second := create(t, s, pengaduan())
	if first.ID != "PG-2611-0001" || second.ID != "PG-2611-0002" {
		t.Fatalf("numbers %s, %s; want PG-2611-0001, PG-2611-0002", first.ID, second.ID)
	}
	if id, ok := storage.ParseReportID("pg 2611 1"); !ok || id != first.ID {
		t.Errorf("ParseReportID(pg 2611 1) = %q, %v", id, ok)
	}
	if lb := create(t, s, report(storage.KindReport, "3510014107900001", citizen)); lb.ID != "LB-2611-0001" {
		t.Errorf("a report after two pengaduan is %s, want LB-2611-0001", lb.ID)
	}
	steps := []struct {
		name    string
		id      string
		to      storage.Status
		note    string
		wantErr error
		late    storage.Status // AlreadyDecidedError naming the step that stands
	}{
		{"refused needs a reason", first.ID, storage.StatusRefused, "", storage.ErrReasonRequired, ""},
		{"a report's status", first.ID, storage.StatusEligible, "", storage.ErrIllegalTransition, ""},
		{"tindaklanjut", first.ID, storage.StatusInProgress, "dicek ke desa", nil, ""},
		{"tindaklanjut again is late, naming itself", first.ID, storage.StatusInProgress, "lagi", nil, storage.StatusInProgress},
		{"selesai", first.ID, storage.StatusResolved, "uang dikembalikan", nil, ""},
		{"tolak after selesai names selesai", first.ID, storage.StatusRefused, "tidak terbukti", nil, storage.StatusResolved},
		{"tolak straight from submitted", second.ID, storage.StatusRefused, "bukan wilayah kami", nil, ""},
	}
	for _, tt := range steps {
		t.Run(tt.name, func(t *testing.T) {
			clock.Advance(time.Minute)
			got, err := s.Transition(ctx, tt.id, tt.to, ani, tt.note)
			var ad *storage.AlreadyDecidedError
			switch {
			case tt.late != "":
				if !errors.As(err, &ad) || ad.Decision.To != tt.late {
					t.Fatalf("Transition = %v, want already decided as %s", err, tt.late)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Transition = %v, want %v", err, tt.wantErr)
				}
			default:
				if err != nil || got.Status != tt.to {
					t.Fatalf("Transition = %+v, %v", got, err)
				}
			}
		})
	}
	st, err := s.Stats(ctx, 3*time.Hour, 12*time.Hour)
	if err != nil || st.Count(storage.KindPengaduan, storage.StatusResolved) != 1 ||
		st.Count(storage.KindPengaduan, storage.StatusRefused) != 1 || st.Total(storage.KindPengaduan) != 2 {
		t.Errorf("Stats = %+v, %v; want one resolved and one refused pengaduan", st.Counts, err)
	}
	rs, err := s.Reports(ctx, storage.ReportFilter{Kind: storage.KindPengaduan})
	if err != nil || !slices.Equal(ids(rs), []string{first.ID, second.ID}) {
		t.Errorf("Reports(pengaduan) = %v, %v", ids(rs), err)
	}
}

func testSaveReport(t *testing.T, open Open) {
	s, clock := newStore(t, open)
	r := create(t, s, pengaduan())
	lb := create(t, s, report(storage.KindReport, "3510014107900001", citizen))
	tests := []struct {
		name   string
		id     string
		change func(r *storage.Report)
		ok     bool
	}{
		{"photo and location", r.ID, func(r *storage.Report) {
			r.Photos = append(r.Photos, storage.PhotoName(r.ID, 1, "JPG"))
			r.Location = "-8.5,114.2"
		}, true},
		{"status", r.ID, func(r *storage.Report) { r.Status = storage.StatusResolved }, false},
		{"kind", r.ID, func(r *storage.Report) { r.Kind = storage.KindReport }, false},
		{"NIK", lb.ID, func(r *storage.Report) { r.NIK = "3510014107900009" }, false},
		{"creation", lb.ID, func(r *storage.Report) { r.CreatedAt = r.CreatedAt.Add(-time.Hour) }, false},
		{"receipt asked", lb.ID, func(r *storage.Report) { r.ReceiptAskedAt = clock.Now() }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, err := s.Report(ctx, tt.id)
			if err != nil {
				t.Fatal(err)
			}
			cur, _ := s.Report(ctx, tt.id)
			tt.change(cur)
			err = update(t, s, func(tx storage.Tx) error { return tx.SaveReport(cur) })
			after, _ := s.Report(ctx, tt.id)
			switch {
			case tt.ok && err != nil:
				t.Fatalf("SaveReport = %v", err)
			case tt.ok:
				if after.Location != cur.Location || !slices.Equal(after.Photos, cur.Photos) || !after.ReceiptAskedAt.Equal(cur.ReceiptAskedAt) {
					t.Errorf("read back %+v, want %+v", after, cur)
				}
			case !errors.Is(err, storage.ErrInvalid):
				t.Fatalf("SaveReport = %v, want ErrInvalid", err)
			default:
				if after.Status != before.Status || after.Kind != before.Kind || after.NIK != before.NIK || !after.CreatedAt.Equal(before.CreatedAt) {
					t.Errorf("a refused SaveReport changed the report: %+v", after)
				}
			}
		})
	}
	missing := &storage.Report{ID: "LB-2611-0999"}
	if err := update(t, s, func(tx storage.Tx) error { return tx.SaveReport(missing) }); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("SaveReport(missing) = %v, want ErrNotFound", err)
	}
}

func testReceipts(t *testing.T, open Open) {
	s, clock := newStore(t, open)
	deliver := func(nik string) *storage.Report {
		r := create(t, s, report(storage.KindReport, nik, citizen))
		for _, to := range []storage.Status{storage.StatusEligible, storage.StatusDelivered} {
			if _, err := s.Transition(ctx, r.ID, to, ani, ""); err != nil {
				t.Fatal(err)
			}
		}
		return r
	}
	set := func(id string, fn func(r *storage.Report)) {
		t.Helper()
		err := update(t, s, func(tx storage.Tx) error {
			r, err := tx.Report(id)
			if err != nil {
				return err
			}
			fn(r)
			return tx.SaveReport(r)
		})
		if err != nil {
			t.Fatalf("SaveReport(%s): %v", id, err)
		}
	}
	asked := clock.Now()
	notAsked := deliver("3510014107900001")
	received := deliver("3510014107900002")
	notReceived := deliver("3510014107900003")
	waiting := deliver("3510014107900004")
	late := deliver("3510014107900005")
	create(t, s, report(storage.KindReport, "3510014107900006", citizen)) // not delivered
	_ = notAsked
	for _, id := range []string{received.ID, notReceived.ID, waiting.ID} {
		set(id, func(r *storage.Report) { r.ReceiptAskedAt = asked })
	}
	set(late.ID, func(r *storage.Report) { r.ReceiptAskedAt = asked.Add(2 * time.Hour) })
	set(received.ID, func(r *storage.Report) { r.ReceivedAt = asked.Add(time.Hour) })
	set(notReceived.ID, func(r *storage.Report) { r.NotReceivedAt = asked.Add(time.Hour) })

	var st storage.ReceiptStats
	var due []*storage.Report
	err := s.View(ctx, func(tx storage.Tx) error {
		var err error
		if st, err = tx.ReceiptStats(); err != nil {
			return err
		}
		due, err = tx.AwaitingReceipt(asked.Add(time.Hour))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (storage.ReceiptStats{Delivered: 5, Asked: 4, Received: 1, NotReceived: 1}); st != want {
		t.Errorf("ReceiptStats = %+v, want %+v", st, want)
	}
	if !slices.Equal(ids(due), []string{waiting.ID}) {
		t.Errorf("AwaitingReceipt = %v, want [%s] (asked before, no answer)", ids(due), waiting.ID)
	}
}

func testUndo(t *testing.T, open Open) {
	s, clock := newStore(t, open)
	window := 10 * time.Minute
	undo := func(id string, by storage.Actor, anyone bool) (*storage.Report, storage.Transition, error) {
		var r *storage.Report
		var last storage.Transition
		err := update(t, s, func(tx storage.Tx) error {
			var err error
			r, last, err = tx.Undo(id, by, window, anyone)
			return err
		})
		return r, last, err
	}
	decide := func(id string, to storage.Status, by storage.Actor) {
		t.Helper()
		if _, err := s.Transition(ctx, id, to, by, ""); err != nil {
			t.Fatalf("Transition(%s, %s): %v", id, to, err)
		}
	}
	tests := []struct {
		name    string
		setup   func(id string)
		by      storage.Actor
		anyone  bool
		wait    time.Duration
		wantErr error
		want    storage.Status
	}{
		{"own layak within the window", func(id string) { decide(id, storage.StatusEligible, ani) }, ani, false, time.Minute, nil, storage.StatusSubmitted},
		{"delivery goes back to eligible", func(id string) {
			decide(id, storage.StatusEligible, ani)
			decide(id, storage.StatusDelivered, ani)
		}, ani, false, time.Minute, nil, storage.StatusEligible},
		{"after the window", func(id string) { decide(id, storage.StatusEligible, ani) }, ani, false, 11 * time.Minute, storage.ErrUndoExpired, storage.StatusEligible},
		{"someone else", func(id string) { decide(id, storage.StatusEligible, ani) }, budi, false, time.Minute, storage.ErrUndoNotAllowed, storage.StatusEligible},
		{"a supervisor may", func(id string) { decide(id, storage.StatusEligible, ani) }, budi, true, time.Minute, nil, storage.StatusSubmitted},
		{"nothing decided", func(string) {}, ani, true, time.Minute, storage.ErrNothingToUndo, storage.StatusSubmitted},
		{"undone already", func(id string) {
			decide(id, storage.StatusEligible, ani)
			if _, _, err := undo(id, ani, false); err != nil {
				t.Fatal(err)
			}
		}, ani, true, time.Minute, storage.ErrNothingToUndo, storage.StatusSubmitted},
		{"no actor", func(id string) { decide(id, storage.StatusEligible, ani) }, storage.Actor{}, true, time.Minute, storage.ErrInvalid, storage.StatusEligible},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := create(t, s, report(storage.KindReport, fmt.Sprintf("35100141079000%02d", 10+i), citizen))
			tt.setup(r.ID)
			clock.Advance(tt.wait)
			got, _, err := undo(r.ID, tt.by, tt.anyone)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Undo = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (got.Status != tt.want || !got.History[len(got.History)-1].Undo) {
				t.Errorf("Undo returned %s with last step %+v", got.Status, got.History[len(got.History)-1])
			}
			stored, _ := s.Report(ctx, r.ID)
			if stored.Status != tt.want {
				t.Errorf("status %s, want %s", stored.Status, tt.want)
			}
		})
	}

	// After an undo the report is open again: a new verdict stands and a later one is late
	// against it, not against the one undone; the audit log keeps all three steps.
	clock.Advance(time.Hour)
	r := create(t, s, report(storage.KindReport, "3510014107900099", citizen))
	decide(r.ID, storage.StatusEligible, ani)
	if _, _, err := undo(r.ID, ani, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Transition(ctx, r.ID, storage.StatusIneligible, budi, "mampu"); err != nil {
		t.Fatalf("a verdict after the undo: %v", err)
	}
	_, err := s.Transition(ctx, r.ID, storage.StatusEligible, ani, "")
	var ad *storage.AlreadyDecidedError
	if !errors.As(err, &ad) || ad.Decision.To != storage.StatusIneligible || ad.Decision.By != budi {
		t.Errorf("late verdict = %v, want already decided by Budi as ineligible", err)
	}
	audit, err := s.Audit(ctx, clock.Now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var undos int
	for _, e := range audit {
		if e.Report == r.ID && e.Undo {
			undos++
		}
	}
	if undos != 1 {
		t.Errorf("audit has %d undo entries for %s, want 1: %+v", undos, r.ID, audit)
	}
}
