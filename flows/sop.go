package flows

import (
	"fmt"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// sop is how many of the reports due in a period met the SOP. The definition is the
// dashboard's: a report is due once decided (or delivered) or once its SLA ran out undecided.
type sop struct{ onTime, due int }

func (s sop) percent() (float64, bool) {
	if s.due == 0 {
		return 0, false
	}
	return float64(s.onTime) * 100 / float64(s.due), true
}

// words is "87%" or "–" when nothing was due.
func (s sop) words() string {
	p, ok := s.percent()
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.0f%% (%d/%d)", p, s.onTime, s.due)
}

// weekStart is Monday 00:00 WIB of t's week.
func weekStart(t time.Time) time.Time {
	t = t.In(wib)
	d := (int(t.Weekday()) + 6) % 7
	y, m, day := t.Date()
	return time.Date(y, m, day-d, 0, 0, 0, 0, wib)
}

// compliance measures reports filed (verify) or found layak (deliver) in [from, to) at now.
func (e *Engine) compliance(rs []*storage.Report, from, to, now time.Time) (verify, deliver sop) {
	in := func(t time.Time) bool { return !t.Before(from) && t.Before(to) }
	for _, r := range rs {
		if len(r.History) > 0 && r.History[0].To == storage.StatusSubmitted && in(r.CreatedAt) {
			if d, ok := verdict(r); ok {
				verify.due++
				if d.At.Sub(r.CreatedAt) <= e.VerifySLA {
					verify.onTime++
				}
			} else if now.Sub(r.CreatedAt) > e.VerifySLA {
				verify.due++
			}
		}
		if el, ok := firstTo(r, storage.StatusEligible); ok && in(el.At) {
			if d, ok := firstTo(r, storage.StatusDelivered); ok {
				deliver.due++
				if d.At.Sub(el.At) <= e.DeliverySLA {
					deliver.onTime++
				}
			} else if now.Sub(el.At) > e.DeliverySLA {
				deliver.due++
			}
		}
	}
	return verify, deliver
}

// verdict is the staff verdict that stands (an undone one does not count).
func verdict(r *storage.Report) (storage.Transition, bool) { return r.Verdict() }

func firstTo(r *storage.Report, s storage.Status) (storage.Transition, bool) {
	for _, t := range r.History {
		if t.To == s && !t.Undo {
			return t, true
		}
	}
	return storage.Transition{}, false
}
