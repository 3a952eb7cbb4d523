package flows

import (
	"errors"
	"fmt"
	"strings"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// cek answers a status check by NIK or report number; any other name-like text is a search by
// name in a desa (cekname.go). Every answer draws from the chat's lookup budget (see
// budget.go); what it tells depends on whether the chat filed the report.
func (c *conv) cek(text string) {
	t := asciiDigits(text)
	isID := looksLikeReportID(t)
	var nik registry.NIK
	if !isID {
		if looksLikeName(t) {
			c.cekNameStart(text)
			return
		}
		var err error
		if nik, err = registry.ParseNIK(t); err != nil {
			c.ask(msgCekBadInput + " " + nikProblem(err))
			return
		}
	}
	if isID {
		c.cekReport(canonicalID(t))
		return
	}
	progs, ok := c.lookup(nik)
	if !ok {
		return
	}
	reports, err := c.tx.ReportsByNIK(string(nik))
	if err != nil {
		// Never "no report" when the reports cannot be read.
		c.e.Log.Error().Err(err).Str("nik", nik.Masked()).Msg("reports by NIK")
		c.say(msgReportsDown + "\n" + msgCekAgain)
		return
	}
	var own, other []*storage.Report
	for _, r := range reports {
		switch {
		case r.From == c.m.Chat:
			own = append(own, r)
		case r.Kind == storage.KindReport:
			// Another chat's sanggah about this person is never shown; its report only as a status.
			other = append(other, r)
		}
	}
	var b strings.Builder
	if len(progs) > 0 {
		if len(own) > 0 {
			fmt.Fprintf(&b, msgCekRecipient, nik.Masked(), registry.MaskName(progs[0].Name))
		} else {
			fmt.Fprintf(&b, msgCekRecipientBare, nik.Masked())
		}
		b.WriteString("\n" + programLines(progs, true))
	} else {
		fmt.Fprintf(&b, msgCekNotRecip, nik.Masked())
	}
	b.WriteString(c.e.dataAsOf())
	b.WriteString("\n\n")
	if len(own)+len(other) == 0 {
		b.WriteString(msgCekNoReport)
	} else {
		b.WriteString(msgCekReportsHead)
		shown := 0
		for _, r := range own {
			if shown == 5 {
				break
			}
			b.WriteString("\n" + ownHistory(r))
			shown++
		}
		for _, r := range other {
			if shown == 5 {
				break
			}
			status, date := statusDate(r)
			b.WriteString("\n" + fmt.Sprintf(msgCekOtherReport, status, date))
			shown++
		}
		if n := len(own) + len(other); n > shown {
			fmt.Fprintf(&b, "\n"+msgStaffMore, n-shown)
		}
	}
	c.say(b.String() + "\n\n" + msgCekAgain)
}

// cekReport answers a report number. Numbers run in sequence, so anyone can type one: a chat
// that did not file the report learns only its status and the date, never a name, a NIK or
// a reason.
func (c *conv) cekReport(id string) {
	if !c.spend() {
		return
	}
	r, err := c.tx.Report(id)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		c.e.Log.Error().Err(err).Msg("report by number")
		c.say(msgReportsDown + "\n" + msgCekAgain)
		return
	}
	if err != nil {
		c.say(msgCekNoNumber+"\n"+msgCekAgain, id)
		return
	}
	if r.From != c.m.Chat {
		status, date := statusDate(r)
		c.say(msgCekNumberOther+"\n\n"+msgCekAgain, r.ID, status, date)
		return
	}
	who := ownNIK(r)
	if r.Kind == storage.KindSanggah {
		// A sanggah may have been started from a name (sgname.go): its objector never saw the NIK.
		who = fmt.Sprintf(msgCekOwnSanggah, registry.MaskName(r.Name))
	}
	c.say(msgCekOwnNumber + " " + who + "\n" + ownHistory(r) + "\n\n" + msgCekAgain)
}

// historyLine is a report's number and its status history, without anyone's personal data.
func historyLine(r *storage.Report) string {
	var b strings.Builder
	b.WriteString("• " + r.ID + ": ")
	for i, t := range r.History {
		if i > 0 {
			b.WriteString(" → ")
		}
		b.WriteString(statusLabel[string(t.To)] + " (" + t.At.In(wib).Format("02/01 15:04") + ")")
		if t.Note != "" && (t.To == storage.StatusIneligible || t.To == storage.StatusDismissed) {
			b.WriteString(", alasan: " + t.Note)
		}
	}
	if len(r.History) == 0 {
		b.WriteString(statusLabel[string(r.Status)])
	}
	b.WriteString(receivedNote(r))
	return b.String()
}
