package storage

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CitizenActorName names the citizen in the first transition of a report; the Actor's channel
// and id are the chat the report came from.
const CitizenActorName = "citizen"

// Final reports whether no further transition can follow s.
func (s Status) Final() bool {
	switch s {
	case StatusSubmitted, StatusEligible, StatusInProgress:
		return false
	}
	return true
}

// ReportPrefix is the letter pair of a report number: short enough to read aloud on the phone.
func ReportPrefix(k Kind) (string, bool) {
	switch k {
	case KindReport:
		return "LB", true
	case KindSanggah:
		return "SG", true
	case KindPengaduan:
		return "PG", true
	}
	return "", false
}

// ParseReportID turns what a person types or reads aloud ("lb-2611-0042", "LB 2611 0042",
// "lb26110042", "LB-2611-42") into the canonical number "LB-2611-0042". ok is false when s
// cannot be a report number.
func ParseReportID(s string) (id string, ok bool) {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		if ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') {
			b.WriteRune(c)
		}
	}
	n := b.String()
	// two letters, YYMM, then at least one digit of the counter
	if len(n) < 7 || len(n) > 6+9 {
		return "", false
	}
	prefix, yymm, num := n[:2], n[2:6], n[6:]
	if prefix != "LB" && prefix != "SG" && prefix != "PG" {
		return "", false
	}
	if !allDigits(yymm) || !allDigits(num) {
		return "", false
	}
	if mm, _ := strconv.Atoi(yymm[2:]); mm < 1 || mm > 12 {
		return "", false
	}
	v, err := strconv.ParseUint(num, 10, 64)
	if err != nil || v == 0 {
		return "", false
	}
	return FormatReportID(prefix, yymm, v), true
}

func FormatReportID(prefix, yymm string, n uint64) string {
	return fmt.Sprintf("%s-%s-%04d", prefix, yymm, n)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// lifecycle lists the legal moves per kind (DESIGN.md "Report lifecycle").
var lifecycle = map[Kind]map[Status][]Status{
	KindReport: {
		StatusSubmitted: {StatusEligible, StatusIneligible},
		StatusEligible:  {StatusDelivered},
	},
	KindSanggah: {
		StatusSubmitted: {StatusUpheld, StatusDismissed},
	},
	KindPengaduan: {
		StatusSubmitted:  {StatusInProgress, StatusResolved, StatusRefused},
		StatusInProgress: {StatusResolved, StatusRefused},
	},
}

func LegalTransition(k Kind, from, to Status) bool {
	for _, s := range lifecycle[k][from] {
		if s == to {
			return true
		}
	}
	return false
}

// IsDecision tells the staff verdicts (layak/tidak layak, terima/tolak) from later steps.
func IsDecision(k Kind, s Status) bool {
	return LegalTransition(k, StatusSubmitted, s)
}

func NeedsReason(s Status) bool {
	return s == StatusIneligible || s == StatusDismissed || s == StatusRefused
}

// AlreadyDecided finds the transition that makes a move to `to` come too late: the first
// verdict when `to` is a verdict, the delivery when `to` is a second delivery.
func AlreadyDecided(r *Report, to Status) (Transition, bool) {
	switch {
	case r.Kind == KindPengaduan && IsDecision(r.Kind, to) && r.Status != StatusSubmitted && len(r.History) > 0:
		// A pengaduan moves on after its first step: what makes a move late is its latest.
		return r.History[len(r.History)-1], true
	case IsDecision(r.Kind, to) && r.Status != StatusSubmitted && r.Status != StatusAutoRejected:
		// The verdict that stands: an earlier one may have been undone (BATAL).
		if h, ok := r.Verdict(); ok && IsDecision(r.Kind, h.To) {
			return h, true
		}
	case to == StatusDelivered && r.Status == StatusDelivered:
		for i := len(r.History) - 1; i >= 0; i-- {
			if r.History[i].To == StatusDelivered {
				return r.History[i], true
			}
		}
	}
	return Transition{}, false
}

// ReportFilter selects reports for Reports. The zero value selects everything, oldest first.
type ReportFilter struct {
	Kind     Kind     // empty: both kinds
	Statuses []Status // empty: every status
	// EnteredBefore, when set, keeps only reports that have been in their current status since
	// before it: overdue work is "submitted before now-3h" or "eligible before now-7d".
	EnteredBefore time.Time
	Newest        bool // newest first instead of oldest first
	Limit         int  // <= 0: no limit
}

// EnteredAt is when r entered its current status.
func EnteredAt(r *Report) time.Time {
	for i := len(r.History) - 1; i >= 0; i-- {
		if r.History[i].To == r.Status {
			return r.History[i].At
		}
	}
	return r.CreatedAt
}

// Stats counts reports per kind and status, and the overdue ones.
type Stats struct {
	At     time.Time
	Counts map[Kind]map[Status]int
	// OverdueVerification counts, per kind, what is still submitted longer than verifySLA after
	// it was created.
	OverdueVerification map[Kind]int
	// OverdueDelivery counts eligible reports whose "layak" is older than deliverySLA.
	OverdueDelivery int
}

// Count is the number of reports of kind k in status s.
func (s Stats) Count(k Kind, st Status) int { return s.Counts[k][st] }

// Total is the number of reports of kind k.
func (s Stats) Total(k Kind) int {
	n := 0
	for _, c := range s.Counts[k] {
		n += c
	}
	return n
}

// AuditEntry is one line of the audit log: who moved which report from what to what, when.
type AuditEntry struct {
	Report string    `json:"report"`
	From   Status    `json:"from,omitempty"`
	To     Status    `json:"to"`
	At     time.Time `json:"at"`
	By     Actor     `json:"by"`
	Note   string    `json:"note,omitempty"`
	Undo   bool      `json:"undo,omitempty"` // BATAL: this entry took back the one before it
}
