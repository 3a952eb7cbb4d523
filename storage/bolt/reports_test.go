package bolt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

func TestParseReportID(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"canonical", "LB-2611-0042", "LB-2611-0042", true},
		{"lower case", "lb-2611-0042", "LB-2611-0042", true},
		{"spaces", "LB 2611 0042", "LB-2611-0042", true},
		{"run together", "lb26110042", "LB-2611-0042", true},
		{"short counter", "LB-2611-42", "LB-2611-0042", true},
		{"extra zeros", "LB-2611-00042", "LB-2611-0042", true},
		{"five digits", "lb 2611 10000", "LB-2611-10000", true},
		{"sanggah", "sg.2612.0007", "SG-2612-0007", true},
		{"surrounding space", "  LB-2611-0042\n", "LB-2611-0042", true},
		{"unknown prefix", "XX-2611-0042", "", false},
		{"month 13", "LB-2613-0001", "", false},
		{"counter zero", "LB-2611-0000", "", false},
		{"no counter", "LB-2611", "", false},
		{"a NIK", "3510014107900001", "", false},
		{"letters in number", "LB-2611-00A2", "", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := storage.ParseReportID(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseReportID(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCreateReportNumbers(t *testing.T) {
	db, clock := openTestDB(t)
	tests := []struct {
		name   string
		at     time.Time // clock for this report
		kind   Kind
		status Status
		want   string
	}{
		{"first report of the month", t0, KindReport, StatusSubmitted, "LB-2611-0001"},
		{"second report", t0, KindReport, StatusSubmitted, "LB-2611-0002"},
		{"auto rejected counts too", t0, KindReport, StatusAutoRejected, "LB-2611-0003"},
		{"sanggah has its own counter", t0, KindSanggah, StatusSubmitted, "SG-2611-0001"},
		// 30 Nov 17:30 UTC is already 1 Dec 00:30 in WIB
		{"month follows WIB", time.Date(2026, 11, 30, 17, 30, 0, 0, time.UTC), KindReport, StatusSubmitted, "LB-2612-0001"},
		{"still November in UTC+0 would say 2611", time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC), KindReport, StatusSubmitted, "LB-2612-0002"},
		{"new year", time.Date(2027, 1, 1, 0, 0, 0, 0, wib), KindSanggah, StatusSubmitted, "SG-2701-0001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.Set(tt.at)
			r := newReport(tt.kind, "3510014107900001")
			r.Status = tt.status
			mustCreate(t, db, r)
			if r.ID != tt.want {
				t.Errorf("ID = %s, want %s", r.ID, tt.want)
			}
			if !r.CreatedAt.Equal(tt.at) {
				t.Errorf("CreatedAt = %v, want %v", r.CreatedAt, tt.at)
			}
			want := Transition{To: tt.status, At: tt.at, By: Actor{Channel: "telegram", ID: "1001", Name: CitizenActorName}}
			if len(r.History) != 1 || r.History[0] != want {
				t.Errorf("History = %+v, want [%+v]", r.History, want)
			}
		})
	}
}

func TestCreateReportPastFourDigits(t *testing.T) {
	db, _ := openTestDB(t)
	err := db.Update(ctx, func(tx Tx) error {
		return tx.(*boltTx).bucket(bucketCounters).Put([]byte("LB-2611"), u64(9999))
	})
	if err != nil {
		t.Fatal(err)
	}
	r := mustCreate(t, db, newReport(KindReport, "3510014107900001"))
	if r.ID != "LB-2611-10000" {
		t.Fatalf("ID = %s, want LB-2611-10000", r.ID)
	}
	if _, err := db.Report(ctx, "lb 2611 10000"); err != nil {
		t.Errorf("lookup of five-digit number: %v", err)
	}
}

func TestCreateReportRefuses(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *Report)
	}{
		{"unknown kind", func(r *Report) { r.Kind = "complaint" }},
		{"starts eligible", func(r *Report) { r.Status = StatusEligible }},
		{"no status", func(r *Report) { r.Status = "" }},
		{"no NIK", func(r *Report) { r.NIK = "" }},
	}
	db, _ := openTestDB(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newReport(KindReport, "3510014107900001")
			tt.mutate(r)
			if err := db.CreateReport(ctx, r); !errors.Is(err, ErrInvalid) {
				t.Errorf("CreateReport = %v, want ErrInvalid", err)
			}
		})
	}
	if err := db.CreateReport(ctx, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("CreateReport(nil) = %v", err)
	}
}

func TestReportLookup(t *testing.T) {
	db, _ := openTestDB(t)
	r := mustCreate(t, db, newReport(KindReport, "3510014107900001"))
	tests := []struct {
		name    string
		id      string
		wantErr error
	}{
		{"canonical", "LB-2611-0001", nil},
		{"lower case", "lb-2611-0001", nil},
		{"spaced", "LB 2611 0001", nil},
		{"run together", "lb26110001", nil},
		{"unknown number", "LB-2611-0002", ErrNotFound},
		{"wrong kind", "SG-2611-0001", ErrNotFound},
		{"garbage", "halo", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Report(ctx, tt.id)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Report(%q) error = %v, want %v", tt.id, err, tt.wantErr)
			}
			if tt.wantErr == nil && (got.ID != r.ID || got.Name != r.Name || got.From != r.From) {
				t.Errorf("Report(%q) = %+v", tt.id, got)
			}
			if tt.wantErr != nil && got != nil {
				t.Errorf("Report(%q) returned a report with an error", tt.id)
			}
		})
	}
	// A NIK typed where a number was expected must not end up in an error (and so a log line).
	if _, err := db.Report(ctx, "3510014107900001"); err == nil || strings.Contains(err.Error(), "3510014107900001") {
		t.Errorf("error for a NIK input = %v", err)
	}
}

func TestReportsByNIK(t *testing.T) {
	db, clock := openTestDB(t)
	const nik, other = "3510014107900001", "3510014107900002"
	a := mustCreate(t, db, newReport(KindReport, nik))
	clock.Advance(time.Minute)
	mustCreate(t, db, newReport(KindReport, other))
	clock.Advance(time.Minute)
	b := mustCreate(t, db, newReport(KindSanggah, nik))
	// a NIK that is a prefix of another must not see its reports
	mustCreate(t, db, newReport(KindReport, nik+"9"))

	tests := []struct {
		name string
		nik  string
		want []string
	}{
		{"newest first", nik, []string{b.ID, a.ID}},
		{"other NIK", other, []string{"LB-2611-0002"}},
		{"none", "3510014107900009", []string{}},
		{"empty", "", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.ReportsByNIK(ctx, tt.nik)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("nil slice")
			}
			if ids := reportIDs(got); strings.Join(ids, ",") != strings.Join(tt.want, ",") {
				t.Errorf("ReportsByNIK = %v, want %v", ids, tt.want)
			}
		})
	}
}

func TestOpenReportByNIK(t *testing.T) {
	db, _ := openTestDB(t)
	const nik = "3510014107900001"
	rejected := newReport(KindReport, nik)
	rejected.Status = StatusAutoRejected
	mustCreate(t, db, rejected)

	if _, err := db.OpenReportByNIK(ctx, nik, KindReport); !errors.Is(err, ErrNotFound) {
		t.Fatalf("only an auto_rejected report: %v, want ErrNotFound", err)
	}
	open := mustCreate(t, db, newReport(KindReport, nik))
	steps := []struct {
		name    string
		move    Status
		kind    Kind
		want    string
		wantErr error
	}{
		{"submitted is open", "", KindReport, open.ID, nil},
		{"no open sanggah", "", KindSanggah, "", ErrNotFound},
		{"eligible is still open", StatusEligible, KindReport, open.ID, nil},
		{"delivered is closed", StatusDelivered, KindReport, "", ErrNotFound},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.move != "" {
				if _, err := db.Transition(ctx, open.ID, st.move, staffAni, ""); err != nil {
					t.Fatal(err)
				}
			}
			got, err := db.OpenReportByNIK(ctx, nik, st.kind)
			if !errors.Is(err, st.wantErr) {
				t.Fatalf("err = %v, want %v", err, st.wantErr)
			}
			if err == nil && got.ID != st.want {
				t.Errorf("got %s, want %s", got.ID, st.want)
			}
		})
	}
}

func TestTransition(t *testing.T) {
	type step struct {
		to   Status
		by   Actor
		note string
	}
	tests := []struct {
		name    string
		kind    Kind
		initial Status
		before  []step // accepted moves that set the scene
		try     step
		// one of:
		wantStatus  Status
		wantErr     error
		wantDecided *Transition // for AlreadyDecidedError: who and what
		wantMsg     string      // substring of the error
	}{
		{name: "layak", kind: KindReport, initial: StatusSubmitted,
			try: step{StatusEligible, staffAni, ""}, wantStatus: StatusEligible},
		{name: "tidak layak with reason", kind: KindReport, initial: StatusSubmitted,
			try: step{StatusIneligible, staffAni, "mampu"}, wantStatus: StatusIneligible},
		{name: "tidak layak without reason", kind: KindReport, initial: StatusSubmitted,
			try: step{StatusIneligible, staffAni, "  "}, wantErr: ErrReasonRequired},
		{name: "delivered after layak", kind: KindReport, initial: StatusSubmitted,
			before: []step{{StatusEligible, staffAni, ""}},
			try:    step{StatusDelivered, staffBudi, "paket diterima"}, wantStatus: StatusDelivered},
		{name: "second layak", kind: KindReport, initial: StatusSubmitted,
			before:      []step{{StatusEligible, staffAni, ""}},
			try:         step{StatusEligible, staffBudi, ""},
			wantDecided: &Transition{From: StatusSubmitted, To: StatusEligible, By: staffAni}},
		{name: "tolak after layak", kind: KindReport, initial: StatusSubmitted,
			before:      []step{{StatusEligible, staffAni, ""}},
			try:         step{StatusIneligible, staffBudi, "mampu"},
			wantDecided: &Transition{From: StatusSubmitted, To: StatusEligible, By: staffAni}},
		{name: "tolak without reason after layak says who decided", kind: KindReport, initial: StatusSubmitted,
			before:      []step{{StatusEligible, staffAni, ""}},
			try:         step{StatusIneligible, staffBudi, ""},
			wantDecided: &Transition{From: StatusSubmitted, To: StatusEligible, By: staffAni}},
		{name: "layak after tolak", kind: KindReport, initial: StatusSubmitted,
			before:      []step{{StatusIneligible, staffAni, "mampu"}},
			try:         step{StatusEligible, staffBudi, ""},
			wantDecided: &Transition{From: StatusSubmitted, To: StatusIneligible, By: staffAni, Note: "mampu"}},
		{name: "layak after delivery", kind: KindReport, initial: StatusSubmitted,
			before:      []step{{StatusEligible, staffAni, ""}, {StatusDelivered, staffAni, ""}},
			try:         step{StatusEligible, staffBudi, ""},
			wantDecided: &Transition{From: StatusSubmitted, To: StatusEligible, By: staffAni}},
		{name: "delivered twice", kind: KindReport, initial: StatusSubmitted,
			before:      []step{{StatusEligible, staffAni, ""}, {StatusDelivered, staffAni, ""}},
			try:         step{StatusDelivered, staffBudi, ""},
			wantDecided: &Transition{From: StatusEligible, To: StatusDelivered, By: staffAni}},
		{name: "delivered before decision", kind: KindReport, initial: StatusSubmitted,
			try: step{StatusDelivered, staffAni, ""}, wantErr: ErrIllegalTransition,
			wantMsg: "from submitted to delivered"},
		{name: "delivered after tolak", kind: KindReport, initial: StatusSubmitted,
			before: []step{{StatusIneligible, staffAni, "mampu"}},
			try:    step{StatusDelivered, staffBudi, ""}, wantErr: ErrIllegalTransition,
			wantMsg: "from ineligible to delivered"},
		{name: "layak on auto_rejected", kind: KindReport, initial: StatusAutoRejected,
			try: step{StatusEligible, staffAni, ""}, wantErr: ErrIllegalTransition,
			wantMsg: "from auto_rejected to eligible"},
		{name: "tolak on auto_rejected", kind: KindReport, initial: StatusAutoRejected,
			try: step{StatusIneligible, staffAni, "x"}, wantErr: ErrIllegalTransition},
		{name: "back to submitted", kind: KindReport, initial: StatusSubmitted,
			try: step{StatusSubmitted, staffAni, ""}, wantErr: ErrIllegalTransition},
		{name: "report cannot be upheld", kind: KindReport, initial: StatusSubmitted,
			try: step{StatusUpheld, staffAni, ""}, wantErr: ErrIllegalTransition},
		{name: "unknown status", kind: KindReport, initial: StatusSubmitted,
			try: step{"approved", staffAni, ""}, wantErr: ErrIllegalTransition},
		{name: "no actor", kind: KindReport, initial: StatusSubmitted,
			try: step{StatusEligible, Actor{}, ""}, wantErr: ErrInvalid},
		{name: "sanggah terima", kind: KindSanggah, initial: StatusSubmitted,
			try: step{StatusUpheld, staffAni, ""}, wantStatus: StatusUpheld},
		{name: "sanggah tolak with reason", kind: KindSanggah, initial: StatusSubmitted,
			try: step{StatusDismissed, staffAni, "masih berhak"}, wantStatus: StatusDismissed},
		{name: "sanggah tolak without reason", kind: KindSanggah, initial: StatusSubmitted,
			try: step{StatusDismissed, staffAni, ""}, wantErr: ErrReasonRequired},
		{name: "sanggah second terima", kind: KindSanggah, initial: StatusSubmitted,
			before:      []step{{StatusUpheld, staffAni, ""}},
			try:         step{StatusUpheld, staffBudi, ""},
			wantDecided: &Transition{From: StatusSubmitted, To: StatusUpheld, By: staffAni}},
		{name: "sanggah tolak after terima", kind: KindSanggah, initial: StatusSubmitted,
			before:      []step{{StatusUpheld, staffAni, ""}},
			try:         step{StatusDismissed, staffBudi, "x"},
			wantDecided: &Transition{From: StatusSubmitted, To: StatusUpheld, By: staffAni}},
		{name: "sanggah cannot be layak", kind: KindSanggah, initial: StatusSubmitted,
			try: step{StatusEligible, staffAni, ""}, wantErr: ErrIllegalTransition},
		{name: "sanggah cannot be delivered", kind: KindSanggah, initial: StatusSubmitted,
			before: []step{{StatusUpheld, staffAni, ""}},
			try:    step{StatusDelivered, staffAni, ""}, wantErr: ErrIllegalTransition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, clock := openTestDB(t)
			r := newReport(tt.kind, "3510014107900001")
			r.Status = tt.initial
			mustCreate(t, db, r)
			var decidedAt time.Time
			for _, s := range tt.before {
				clock.Advance(time.Minute)
				if _, err := db.Transition(ctx, r.ID, s.to, s.by, s.note); err != nil {
					t.Fatalf("setup move to %s: %v", s.to, err)
				}
				if decidedAt.IsZero() {
					decidedAt = clock.Now()
				}
			}
			if tt.wantDecided != nil && tt.wantDecided.To == StatusDelivered {
				decidedAt = clock.Now()
			}
			before, _ := db.Report(ctx, r.ID)
			auditBefore, _ := db.Audit(ctx, time.Time{})

			clock.Advance(time.Minute)
			got, err := db.Transition(ctx, strings.ToLower(r.ID), tt.try.to, tt.try.by, tt.try.note)

			switch {
			case tt.wantDecided != nil:
				var ad *AlreadyDecidedError
				if !errors.As(err, &ad) {
					t.Fatalf("err = %v, want AlreadyDecidedError", err)
				}
				want := *tt.wantDecided
				want.At = decidedAt
				if ad.Report != r.ID || ad.Decision != want {
					t.Errorf("AlreadyDecidedError = %+v, want decision %+v", ad, want)
				}
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("err = %q, want it to say %q", err, tt.wantMsg)
				}
			default:
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if got.Status != tt.wantStatus {
					t.Errorf("status = %s, want %s", got.Status, tt.wantStatus)
				}
				last := got.History[len(got.History)-1]
				want := Transition{From: before.Status, To: tt.wantStatus, At: clock.Now(), By: tt.try.by, Note: strings.TrimSpace(tt.try.note)}
				if last != want {
					t.Errorf("last transition = %+v, want %+v", last, want)
				}
				stored, _ := db.Report(ctx, r.ID)
				if stored.Status != tt.wantStatus || len(stored.History) != len(before.History)+1 {
					t.Errorf("stored report = %+v", stored)
				}
				audit, _ := db.Audit(ctx, time.Time{})
				if len(audit) != len(auditBefore)+1 {
					t.Fatalf("audit grew by %d, want 1", len(audit)-len(auditBefore))
				}
				wantEntry := AuditEntry{Report: r.ID, From: want.From, To: want.To, At: want.At, By: want.By, Note: want.Note}
				if audit[len(audit)-1] != wantEntry {
					t.Errorf("audit entry = %+v, want %+v", audit[len(audit)-1], wantEntry)
				}
				return
			}
			if got != nil {
				t.Error("a refused transition returned a report")
			}
			// A refused move changes nothing.
			after, _ := db.Report(ctx, r.ID)
			if after.Status != before.Status || len(after.History) != len(before.History) {
				t.Errorf("refused move changed the report: %+v", after)
			}
			if audit, _ := db.Audit(ctx, time.Time{}); len(audit) != len(auditBefore) {
				t.Errorf("refused move wrote to the audit log")
			}
		})
	}
}

func TestTransitionNotFound(t *testing.T) {
	db, _ := openTestDB(t)
	if _, err := db.Transition(ctx, "LB-2611-0001", StatusEligible, staffAni, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("err = %v, want ErrNotFound", err)
	}
}

func reportIDs(rs []*Report) []string {
	ids := make([]string, 0, len(rs))
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	return ids
}
