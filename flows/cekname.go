package flows

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/laporbansos/laporbansos/registry"
)

// Cek by area and name, as Cek Bansos does it: most people know a name, not a NIK. A text at the
// Cek step that is neither a NIK nor a report number is a name; the kecamatan and desa are asked
// with the same forgiving place matching as Lapor (place.go), and the answer lists at most
// cekNameLimit masked entries of that desa with program, period and status. A NIK or an address
// is never shown here, not even masked: otherwise a name search would be a way to learn NIKs.

// States of the name search; stored in sessions, so never renamed.
const (
	stCekNameKec  = "cek_name_kec"
	stCekNameDesa = "cek_name_desa"
)

// Events of the name search, shared by Cek and Sanggah (sgname.go): a name taken, a kecamatan
// taken, the place complete (search done).
const evByName, evNameKec, evNamePlace = "by_name", "name_kec", "name_place"

// kCekName is the name being searched, kept in the draft's extra keys (steps.go keeps the ones
// this file does not declare), so the draft's fixed fields stay as they are.
const kCekName = "cek_name"

// cekNameLimit is how many entries one answer shows, as on Cek Bansos.
const cekNameLimit = 5

func (d *draft) cekName() string { return d.extra[kCekName] }

func (d *draft) setCekName(v string) {
	if v == "" {
		delete(d.extra, kCekName)
		return
	}
	if d.extra == nil {
		d.extra = map[string]string{}
	}
	d.extra[kCekName] = v
}

// The Cek entries of the step table (steps.go): the NIK/number/name question, then the place of
// a name.
var (
	cekStep = &step{state: stCek, flow: "cek", ask: asks(msgAskCekAny), answer: func(c *conv, _ *step, t string) { c.cek(t) },
		alt: map[string]string{evByName: stCekNameKec}}
	cekNameKecStep = &step{state: stCekNameKec, flow: "cek", ask: askCekNameKec, answer: answerCekNameKec, ev: evNameKec, next: stCekNameDesa,
		alt: map[string]string{evNamePlace: stCek}}
	cekNameDesaStep = &step{state: stCekNameDesa, flow: "cek", ask: askCekNameDesa, answer: answerCekNameDesa,
		ev: evNamePlace, next: stCek}
)

// looksLikeName tells a name from a mistyped NIK or report number: no digit, some letter.
func looksLikeName(text string) bool {
	return !strings.ContainsFunc(text, unicode.IsDigit) && strings.ContainsFunc(text, unicode.IsLetter)
}

// cekNameStart takes a name typed at the Cek step. The lookup is spent here, once per search:
// a citizen whose budget is spent learns it before answering two more questions, and a typo in
// the desa costs nothing more.
func (c *conv) cekNameStart(text string) {
	c.nameSearchStart(text, evByName)
}

// nameSearchStart validates a name, spends the lookup and moves on by ev to the kecamatan.
func (c *conv) nameSearchStart(text, ev string) {
	if runes(text) > maxName {
		c.ask(fmt.Sprintf(msgTooLong, maxName))
		return
	}
	if !validName(text) {
		if nameChars(text) {
			c.ask(msgCekNameShort)
			return
		}
		c.ask(msgCekNameInvalid)
		return
	}
	if !c.spend() {
		return
	}
	c.d.KecCode, c.d.Kec, c.d.Desa, c.d.Suggest = "", "", "", ""
	c.d.setCekName(text)
	c.fire(ev)
}

func askCekNameKec(c *conv) {
	c.d.Suggest = "" // the full list replaces any earlier suggestion
	q := fmt.Sprintf(msgCekNameAskKec, truncate(c.d.cekName(), 40), c.e.Area.Regency.Name)
	c.choose(q, c.e.Area.kecamatanOptions(), 2)
}

func askCekNameDesa(c *conv) {
	c.d.Suggest = ""
	c.choose(fmt.Sprintf(msgCekNameAskDesa, c.d.Kec), c.e.Area.desaOptions(c.d.KecCode), 2)
}

// answerCekNameKec takes the kecamatan as the Lapor step does (answerKecamatan): a suggestion
// picked, a kecamatan, a desa that names its kecamatan, or the closest spellings offered.
func answerCekNameKec(c *conv, st *step, text string) {
	a := c.e.Area
	p, ok := c.suggested(text)
	if !ok {
		if k, found := a.findKecamatan(text); found {
			p, ok = place{kec: k}, true
		}
	}
	if !ok {
		switch ds := a.findDesaAnywhere(text); {
		case len(ds) == 1:
			p, ok = ds[0], true
		case len(ds) > 1:
			c.suggest(text, ds[:min(len(ds), 3)])
			return
		}
	}
	if !ok {
		if ps := a.closest(text, true, true, ""); len(ps) > 0 {
			c.suggest(text, ps)
			return
		}
		c.say(msgKecUnknown, truncate(text, 40), a.Regency.Name)
		return
	}
	c.setPlace(p)
	if p.desa != "" {
		c.placeDone(evNamePlace)
		return
	}
	c.fire(st.ev)
}

// answerCekNameDesa takes the desa as the Lapor step does (answerDesa).
func answerCekNameDesa(c *conv, st *step, text string) {
	c.resolveDesa(text, func() { c.placeDone(st.ev) })
}

// placeDone searches once the place is known: for Cek, or to pick the person of a sanggah.
func (c *conv) placeDone(ev string) {
	if c.s.State == stSgNameKec || c.s.State == stSgNameDesa {
		c.sgNameSearch(ev)
		return
	}
	c.searchName(ev)
}

// searchName asks the registry and answers; the dialogue returns to the Cek question by event
// ev, without asking it again (the answer ends with how to go on).
func (c *conv) searchName(ev string) {
	name, kec, desa := c.d.cekName(), c.d.Kec, c.d.Desa
	ms, more, err := c.e.Registry.SearchName(c.ctx, kec, desa, name, cekNameLimit)
	c.backToCek(ev)
	shown := truncate(name, 40)
	var text string
	switch {
	case err == nil:
		c.noteMatches(ms)
		text = cekNameResult(shown, kec, desa, ms, more) + c.e.dataAsOf()
	case errors.Is(err, registry.ErrNameNotFound):
		text = fmt.Sprintf(msgCekNameNone, shown, desa, kec) + c.e.dataAsOf()
	case errors.Is(err, registry.ErrNotLoaded), errors.Is(err, ErrRegistryNotLoaded), errors.Is(err, registry.ErrNoNameIndex):
		// Never "not found" when the registry cannot tell.
		text = msgCekNameNoData
	case errors.Is(err, registry.ErrNameTooShort):
		text = msgCekNameShort
	default:
		c.e.Log.Error().Err(err).Msg("registry name search failed")
		text = msgLookupDown
	}
	c.say(text + "\n\n" + msgCekNameAgain)
}

// backToCek leaves the name steps for the Cek question: the name and the place are dropped, and
// "kembali" from there goes where it went from the Cek question.
func (c *conv) backToCek(ev string) {
	if err := c.machine().Event(c.ctx, ev); err != nil {
		c.e.Log.Error().Str("state", c.s.State).Str("event", ev).Err(err).Msg("dialogue transition refused")
	}
	c.s.State = stCek
	for len(c.s.Back) > 0 {
		last := c.s.Back[len(c.s.Back)-1]
		c.s.Back = c.s.Back[:len(c.s.Back)-1]
		if last == stCek {
			break
		}
	}
	c.d.setCekName("")
	c.d.KecCode, c.d.Kec, c.d.Desa, c.d.Suggest = "", "", "", ""
}

// cekNameResult lists the matches: masked name, then program, period and status. Match carries
// a NIK for the registry's own use; it is never written here.
func cekNameResult(name, kec, desa string, ms []registry.Match, more bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, msgCekNameHead, name, desa, kec)
	for i, m := range ms {
		b.WriteString("\n" + fmt.Sprintf(msgCekNameEntry, i+1, m.Name))
		progs := make([]registry.Program, len(m.Programs))
		for j, p := range m.Programs {
			progs[j] = registry.Program{Program: p.Program, Period: p.Period, Status: p.Status}
		}
		if len(progs) > 0 {
			b.WriteString("\n" + programLines(progs, true))
		}
	}
	if more {
		b.WriteString("\n" + fmt.Sprintf(msgCekNameMore, cekNameLimit))
	}
	b.WriteString("\n" + msgCekNamePrivacy)
	return b.String()
}
