package dashboard

import (
	"sort"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// wib is Western Indonesia Time, fixed: Indonesia has no daylight saving and the binary must not
// need tzdata.
var wib = time.FixedZone("WIB", 7*60*60)

// SOP is how many of the reports due in a period met the SOP. A report counts as due once it was
// decided (or delivered) or once its SLA ran out undecided; one still within its SLA is not
// counted either way yet.
type SOP struct {
	OnTime, Due int
}

// Percent is the share met, rounded down; ok is false when nothing was due.
func (s SOP) Percent() (p int, ok bool) {
	if s.Due == 0 {
		return 0, false
	}
	return s.OnTime * 100 / s.Due, true
}

// Compliance is SOP compliance over one period [From, To).
type Compliance struct {
	From, To time.Time
	// Verify: reports and sanggah filed in the period, decided within VerifySLA.
	Verify SOP
	// Deliver: reports found layak in the period, delivered within DeliverySLA.
	Deliver SOP
}

// weekStart is Monday 00:00 WIB of t's week.
func weekStart(t time.Time) time.Time {
	t = t.In(wib)
	d := (int(t.Weekday()) + 6) % 7 // Monday 0
	y, m, day := t.Date()
	return time.Date(y, m, day-d, 0, 0, 0, 0, wib)
}

// compliance measures reports against the two SLAs over [from, to) at time now.
func compliance(reports []*storage.Report, from, to, now time.Time, verifySLA, deliverySLA time.Duration) Compliance {
	c := Compliance{From: from, To: to}
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	for _, r := range reports {
		if len(r.History) > 0 && r.History[0].To == storage.StatusSubmitted && in(r.CreatedAt) {
			if d, ok := decision(r); ok {
				c.Verify.Due++
				if d.At.Sub(r.CreatedAt) <= verifySLA {
					c.Verify.OnTime++
				}
			} else if now.Sub(r.CreatedAt) > verifySLA {
				c.Verify.Due++
			}
		}
		if e, ok := transitionTo(r, storage.StatusEligible); ok && in(e.At) {
			if d, ok := transitionTo(r, storage.StatusDelivered); ok {
				c.Deliver.Due++
				if d.At.Sub(e.At) <= deliverySLA {
					c.Deliver.OnTime++
				}
			} else if now.Sub(e.At) > deliverySLA {
				c.Deliver.Due++
			}
		}
	}
	return c
}

// decision is the staff verdict on r: its move out of submitted.
func decision(r *storage.Report) (storage.Transition, bool) { return r.Verdict() }

func transitionTo(r *storage.Report, s storage.Status) (storage.Transition, bool) {
	for _, t := range r.History {
		if t.To == s {
			return t, true
		}
	}
	return storage.Transition{}, false
}

// overdue reports whether r waits on staff longer than its SLA at now, as storage.Stats counts.
func overdue(r *storage.Report, now time.Time, verifySLA, deliverySLA time.Duration) bool {
	switch r.Status {
	case storage.StatusSubmitted:
		return verifySLA > 0 && r.CreatedAt.Add(verifySLA).Before(now)
	case storage.StatusEligible:
		return deliverySLA > 0 && storage.EnteredAt(r).Add(deliverySLA).Before(now)
	}
	return false
}

// KecamatanCount is one bar of the chart: the reports from one kecamatan.
type KecamatanCount struct {
	Name           string
	Total, Overdue int
}

// byKecamatan counts reports per kecamatan, most first; reports without one count as
// "(tanpa kecamatan)".
func byKecamatan(reports []*storage.Report, now time.Time, verifySLA, deliverySLA time.Duration) []KecamatanCount {
	idx := map[string]*KecamatanCount{}
	for _, r := range reports {
		name := r.Kecamatan
		if name == "" {
			name = "(tanpa kecamatan)"
		}
		k := idx[name]
		if k == nil {
			k = &KecamatanCount{Name: name}
			idx[name] = k
		}
		k.Total++
		if overdue(r, now, verifySLA, deliverySLA) {
			k.Overdue++
		}
	}
	out := make([]KecamatanCount, 0, len(idx))
	for _, k := range idx {
		out = append(out, *k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Total != out[j].Total {
			return out[i].Total > out[j].Total
		}
		return out[i].Name < out[j].Name
	})
	return out
}
