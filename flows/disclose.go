package flows

import (
	"strings"

	"github.com/laporbansos/laporbansos/storage"
)

// reasonCategory is what a citizen learns of a staff reason: a fixed category and the next
// step. What staff wrote about a household stays with staff: a neighbour may have reported it.
func reasonCategory(kind storage.Kind, note string) tolakCategory {
	if kind == storage.KindSanggah {
		return sanggahDismissed
	}
	n := strings.ToLower(clean(note, false))
	for _, c := range tolakCategories {
		for _, w := range c.Words {
			if n == w || strings.HasPrefix(n, w+" ") || strings.HasPrefix(n, w+",") || strings.HasPrefix(n, w+".") || strings.HasPrefix(n, w+":") || strings.HasPrefix(n, w+";") {
				return c
			}
		}
	}
	return tolakOther
}

// ownHistory is a report's status history for the chat that filed it: reasons as categories.
func ownHistory(r *storage.Report) string {
	var b strings.Builder
	b.WriteString("• " + r.ID + ": ")
	for i, t := range r.History {
		if i > 0 {
			b.WriteString(" → ")
		}
		b.WriteString(statusLabel[string(t.To)] + " (" + t.At.In(wib).Format("02/01 15:04") + ")")
		if t.To == storage.StatusIneligible || t.To == storage.StatusDismissed {
			b.WriteString(", kategori alasan: " + reasonCategory(r.Kind, t.Note).Label)
		}
	}
	if len(r.History) == 0 {
		b.WriteString(statusLabel[string(r.Status)])
	}
	b.WriteString(receivedNote(r))
	return b.String()
}

// statusDate is a report's current status and the date it got it: all another chat learns.
func statusDate(r *storage.Report) (string, string) {
	at := r.CreatedAt
	if n := len(r.History); n > 0 {
		at = r.History[n-1].At
	}
	return statusLabel[string(r.Status)], at.In(wib).Format("02/01/2006")
}

// sanggahExists ends the Sanggah dialogue on a NIK that already has an open objection. Its
// number and status are the filing chat's business; another chat only learns it is pending.
func (c *conv) sanggahExists(open *storage.Report) {
	if open.From == c.m.Chat {
		c.say(msgSgDuplicate, open.ID, statusLabel[string(open.Status)]).Event = EventCitizenFinal
	} else {
		c.say(msgSgDuplicateOther).Event = EventCitizenFinal
	}
	c.fire(evDone)
	c.prompt()
}
