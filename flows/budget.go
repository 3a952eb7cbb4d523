package flows

import (
	"fmt"
	"strings"
	"time"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// Defaults for the lookup budget's parts that have no variable of their own.
const (
	// scrapeWindow is how far back different recipient NIKs from one chat are counted.
	scrapeWindow = time.Hour
	// defaultScrapeAlert is how many different recipients in scrapeWindow make staff look.
	defaultScrapeAlert = 10
)

// lookupLimits is the one budget every answer about a NIK draws from: Cek (typed or from the
// menu), the Lapor and Sanggah NIK steps, and report numbers.
func (e *Engine) lookupLimits() storage.LookupLimits {
	return storage.LookupLimits{ChatHour: e.CheckLimit, ChatDay: e.DailyLimit, GlobalHour: e.GlobalLimit}
}

// spend takes one lookup from the budget. When it is spent, the citizen is told when they can
// go on, the same question is asked again (the draft stays in the session) and spend is false.
func (c *conv) spend() bool {
	g, err := c.tx.SpendLookup(c.m.Chat, c.e.lookupLimits())
	if err != nil {
		c.e.Log.Error().Err(err).Msg("lookup budget")
		c.ask(msgTryAgain)
		return false
	}
	if g.Allowed {
		return true
	}
	c.e.Log.Info().Str("channel", c.m.Chat.Channel).Str("scope", g.Scope).Msg("lookup refused: budget spent")
	var text string
	switch g.Scope {
	case storage.ScopeChatDay:
		text = fmt.Sprintf(msgBudgetDay, g.Limit, stamp(g.RetryAt))
	case storage.ScopeGlobal:
		text = fmt.Sprintf(msgBudgetGlobal, clock(g.RetryAt))
	default:
		text = fmt.Sprintf(msgBudgetHour, g.Limit, clock(g.RetryAt))
	}
	if c.s.State != stCek && c.s.State != stMenu {
		text += " " + msgBudgetDraftKept
	}
	c.ask(text)
	return false
}

// noteRecipient counts the different registry recipients this chat asked about; when there
// are suspiciously many, staff are told how many (never which ones).
func (c *conv) noteRecipient(nik registry.NIK) {
	limit := c.e.ScrapeAlert
	if limit == 0 {
		limit = defaultScrapeAlert
	}
	if limit < 0 {
		return
	}
	n, alert, err := c.tx.NoteRecipientLookup(c.m.Chat, string(nik), scrapeWindow, limit)
	if err != nil {
		c.e.Log.Error().Err(err).Msg("note recipient lookup")
		return
	}
	if !alert {
		return
	}
	c.e.Log.Warn().Str("channel", c.m.Chat.Channel).Str("chat", maskChat(c.m.Chat.ID)).Int("recipients", n).Msg("possible registry scraping")
	text := fmt.Sprintf(msgScrapeAlert, c.m.Chat.Channel, maskChat(c.m.Chat.ID), n, words(scrapeWindow))
	for _, chat := range c.e.StaffChats {
		c.out = append(c.out, Reply{To: chat, Text: text})
	}
}

// noteMatches counts the recipients a name search showed, as noteRecipient counts a NIK
// checked: listing a desa's recipients name by name is the same harvest.
func (c *conv) noteMatches(ms []registry.Match) {
	for _, m := range ms {
		c.noteRecipient(m.NIK)
	}
}

// earlierAutoReject finds this chat's earlier auto-rejected report on nik, so that asking
// again does not store a new record each time.
func (c *conv) earlierAutoReject(nik registry.NIK) *storage.Report {
	rs, err := c.tx.ReportsByNIK(string(nik))
	if err != nil {
		return nil
	}
	for _, r := range rs {
		if r.Kind == storage.KindReport && r.Status == storage.StatusAutoRejected && r.From == c.m.Chat {
			return r
		}
	}
	return nil
}

// maskChat shows only the end of a chat id: a WhatsApp chat id is a phone number.
func maskChat(id string) string {
	if i := strings.IndexByte(id, '@'); i >= 0 {
		id = id[:i]
	}
	if len(id) <= 4 {
		return "…" + id
	}
	return "…" + id[len(id)-4:]
}
