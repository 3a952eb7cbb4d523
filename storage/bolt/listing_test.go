package bolt

import (
	"strings"
	"testing"
	"time"
)

// seedListing creates, one minute apart from t0:
//
//	LB-2611-0001 submitted            (t0)
//	LB-2611-0002 eligible at t0+10m   (t0+1m)
//	LB-2611-0003 ineligible           (t0+2m)
//	SG-2611-0001 submitted            (t0+3m)
//	LB-2611-0004 auto_rejected        (t0+4m)
//	LB-2611-0005 delivered            (t0+5m)
//	LB-2611-0006 eligible at t0+20m   (t0+6m)
func seedListing(t *testing.T) (*DB, *testClock) {
	t.Helper()
	db, clock := openTestDB(t)
	add := func(kind Kind, status Status) string {
		r := newReport(kind, "3510014107900001")
		r.Status = status
		r.CreatedAt = clock.Now()
		mustCreate(t, db, r)
		clock.Advance(time.Minute)
		return r.ID
	}
	move := func(id string, to Status, note string) {
		if _, err := db.Transition(ctx, id, to, staffAni, note); err != nil {
			t.Fatal(err)
		}
	}
	add(KindReport, StatusSubmitted)
	eligible := add(KindReport, StatusSubmitted)
	ineligible := add(KindReport, StatusSubmitted)
	add(KindSanggah, StatusSubmitted)
	add(KindReport, StatusAutoRejected)
	delivered := add(KindReport, StatusSubmitted)
	late := add(KindReport, StatusSubmitted)
	move(ineligible, StatusIneligible, "mampu")
	move(delivered, StatusEligible, "")
	move(delivered, StatusDelivered, "")
	clock.Set(t0.Add(10 * time.Minute))
	move(eligible, StatusEligible, "")
	clock.Set(t0.Add(20 * time.Minute))
	move(late, StatusEligible, "")
	return db, clock
}

func TestReportsFilter(t *testing.T) {
	db, _ := seedListing(t)
	tests := []struct {
		name string
		f    ReportFilter
		want string
	}{
		{"everything in creation order", ReportFilter{},
			"LB-2611-0001,LB-2611-0002,LB-2611-0003,SG-2611-0001,LB-2611-0004,LB-2611-0005,LB-2611-0006"},
		{"newest first with limit", ReportFilter{Newest: true, Limit: 2}, "LB-2611-0006,LB-2611-0005"},
		{"pending of both kinds", ReportFilter{Statuses: []Status{StatusSubmitted}}, "LB-2611-0001,SG-2611-0001"},
		{"pending reports only", ReportFilter{Kind: KindReport, Statuses: []Status{StatusSubmitted}}, "LB-2611-0001"},
		{"awaiting delivery", ReportFilter{Statuses: []Status{StatusEligible}}, "LB-2611-0002,LB-2611-0006"},
		{"eligible since before t0+15m", ReportFilter{Statuses: []Status{StatusEligible}, EnteredBefore: t0.Add(15 * time.Minute)}, "LB-2611-0002"},
		{"two statuses merged in order", ReportFilter{Statuses: []Status{StatusDelivered, StatusSubmitted}}, "LB-2611-0001,SG-2611-0001,LB-2611-0005"},
		{"sanggah only", ReportFilter{Kind: KindSanggah}, "SG-2611-0001"},
		{"nothing upheld", ReportFilter{Statuses: []Status{StatusUpheld}}, ""},
		{"limit one", ReportFilter{Limit: 1}, "LB-2611-0001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Reports(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("nil slice")
			}
			if ids := strings.Join(reportIDs(got), ","); ids != tt.want {
				t.Errorf("Reports = %s\nwant      %s", ids, tt.want)
			}
		})
	}
}

func TestForEachReport(t *testing.T) {
	db, _ := seedListing(t)
	var ids []string
	err := db.View(ctx, func(tx Tx) error {
		ids = ids[:0]
		return tx.ForEachReport(func(r *Report) error { ids = append(ids, r.ID); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "LB-2611-0001,LB-2611-0002,LB-2611-0003,SG-2611-0001,LB-2611-0004,LB-2611-0005,LB-2611-0006"
	if got := strings.Join(ids, ","); got != want {
		t.Errorf("order = %s, want %s", got, want)
	}
}

func TestStats(t *testing.T) {
	db, clock := seedListing(t)
	tests := []struct {
		name             string
		now              time.Time
		verify, delivery time.Duration
		overdueReport    int
		overdueSanggah   int
		overdueDelivery  int
	}{
		{"nothing overdue yet", t0.Add(30 * time.Minute), 3 * time.Hour, 7 * 24 * time.Hour, 0, 0, 0},
		{"verification overdue", t0.Add(3*time.Hour + 2*time.Minute), 3 * time.Hour, 7 * 24 * time.Hour, 1, 0, 0},
		{"sanggah overdue too", t0.Add(3*time.Hour + 4*time.Minute), 3 * time.Hour, 7 * 24 * time.Hour, 1, 1, 0},
		{"first delivery overdue", t0.Add(15 * time.Minute), 3 * time.Hour, 4 * time.Minute, 0, 0, 1},
		{"both deliveries overdue", t0.Add(25 * time.Minute), 3 * time.Hour, 4 * time.Minute, 0, 0, 2},
		{"zero SLA counts nothing", t0.Add(1000 * time.Hour), 0, 0, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.Set(tt.now)
			st, err := db.Stats(ctx, tt.verify, tt.delivery)
			if err != nil {
				t.Fatal(err)
			}
			counts := []struct {
				k    Kind
				s    Status
				want int
			}{
				{KindReport, StatusSubmitted, 1}, {KindReport, StatusEligible, 2},
				{KindReport, StatusIneligible, 1}, {KindReport, StatusDelivered, 1},
				{KindReport, StatusAutoRejected, 1}, {KindSanggah, StatusSubmitted, 1},
				{KindSanggah, StatusUpheld, 0},
			}
			for _, c := range counts {
				if got := st.Count(c.k, c.s); got != c.want {
					t.Errorf("Count(%s, %s) = %d, want %d", c.k, c.s, got, c.want)
				}
			}
			if st.Total(KindReport) != 6 || st.Total(KindSanggah) != 1 {
				t.Errorf("totals = %d, %d", st.Total(KindReport), st.Total(KindSanggah))
			}
			if got := st.OverdueVerification[KindReport]; got != tt.overdueReport {
				t.Errorf("overdue reports = %d, want %d", got, tt.overdueReport)
			}
			if got := st.OverdueVerification[KindSanggah]; got != tt.overdueSanggah {
				t.Errorf("overdue sanggah = %d, want %d", got, tt.overdueSanggah)
			}
			if st.OverdueDelivery != tt.overdueDelivery {
				t.Errorf("overdue delivery = %d, want %d", st.OverdueDelivery, tt.overdueDelivery)
			}
			if !st.At.Equal(tt.now) {
				t.Errorf("At = %v", st.At)
			}
		})
	}
}

func TestAudit(t *testing.T) {
	db, _ := seedListing(t)
	tests := []struct {
		name  string
		since time.Time
		want  []string // report:from>to
	}{
		{"since t0+10m", t0.Add(10 * time.Minute), []string{"LB-2611-0002:submitted>eligible", "LB-2611-0006:submitted>eligible"}},
		{"since t0+7m: decisions of one transaction keep their order", t0.Add(7 * time.Minute), []string{
			"LB-2611-0003:submitted>ineligible", "LB-2611-0005:submitted>eligible", "LB-2611-0005:eligible>delivered",
			"LB-2611-0002:submitted>eligible", "LB-2611-0006:submitted>eligible"}},
		{"future", t0.Add(time.Hour), []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Audit(ctx, tt.since)
			if err != nil {
				t.Fatal(err)
			}
			lines := []string{}
			for _, e := range got {
				lines = append(lines, e.Report+":"+string(e.From)+">"+string(e.To))
			}
			if strings.Join(lines, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Audit = %v\nwant    %v", lines, tt.want)
			}
		})
	}
	all, _ := db.Audit(ctx, time.Time{})
	if len(all) != 7+5 {
		t.Errorf("full audit has %d entries, want 12 (7 creations, 5 moves)", len(all))
	}
	if all[0].From != "" || all[0].To != StatusSubmitted || all[0].By.Name != CitizenActorName {
		t.Errorf("creation entry = %+v", all[0])
	}
	if e := all[7]; e.By != staffAni || e.Note != "mampu" {
		t.Errorf("decision entry = %+v", e)
	}
}
