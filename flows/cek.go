package flows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// allowCheck applies the hourly per-chat limit; the times live in the session, so the limit
// holds across restarts and across instances.
func (c *conv) allowCheck() (bool, time.Time) {
	hourAgo := c.now.Add(-time.Hour)
	kept := c.s.Checks[:0]
	for _, t := range c.s.Checks {
		if t.After(hourAgo) {
			kept = append(kept, t)
		}
	}
	c.s.Checks = kept
	if c.e.CheckLimit > 0 && len(kept) >= c.e.CheckLimit {
		return false, kept[0].Add(time.Hour)
	}
	c.s.Checks = append(c.s.Checks, c.now)
	return true, time.Time{}
}

// cek answers a status check by NIK or report number.
func (c *conv) cek(text string) {
	t := asciiDigits(text)
	isID := looksLikeReportID(t)
	var nik registry.NIK
	if !isID {
		var err error
		if nik, err = registry.ParseNIK(t); err != nil {
			c.ask(msgCekBadInput + " " + nikProblem(err))
			return
		}
	}
	if ok, retry := c.allowCheck(); !ok {
		c.say(msgCekLimit, c.e.CheckLimit, clock(retry))
		return
	}
	if isID {
		c.cekReport(canonicalID(t))
		return
	}
	var b strings.Builder
	progs, ok := c.lookup(nik)
	if !ok {
		return
	}
	if len(progs) > 0 {
		fmt.Fprintf(&b, msgCekRecipient, nik.Masked(), registry.MaskName(progs[0].Name))
		b.WriteString("\n" + programLines(progs, true))
	} else {
		fmt.Fprintf(&b, msgCekNotRecip, nik.Masked())
	}
	reports, err := c.tx.ReportsByNIK(string(nik))
	if err != nil {
		// Never "no report" when the reports cannot be read.
		c.e.Log.Error().Err(err).Str("nik", nik.Masked()).Msg("reports by NIK")
		c.say(msgReportsDown + "\n" + msgCekAgain)
		return
	}
	b.WriteString("\n\n")
	if len(reports) == 0 {
		b.WriteString(msgCekNoReport)
	} else {
		b.WriteString(msgCekReportsHead)
		for i, r := range reports {
			if i == 5 {
				fmt.Fprintf(&b, "\n"+msgStaffMore, len(reports)-i)
				break
			}
			b.WriteString("\n" + historyLine(r))
		}
	}
	c.say(b.String() + "\n\n" + msgCekAgain)
}

func (c *conv) cekReport(id string) {
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
	c.say("NIK " + maskNIK(r.NIK) + "\n" + historyLine(r) + "\n\n" + msgCekAgain)
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
	return b.String()
}
