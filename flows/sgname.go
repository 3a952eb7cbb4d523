package flows

import (
	"errors"
	"fmt"
	"strings"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// A sanggah may start from a name in a desa, as Cek does (cekname.go): neighbours rarely know
// each other's NIK. The objector picks the person from at most cekNameLimit masked entries; the
// sanggah records that entry's NIK, which is never shown to them (not even masked), in the list,
// the summary or anywhere after.

// States of the sanggah by name; stored in sessions, so never renamed.
const (
	stSgNameKec  = "sg_name_kec"
	stSgNameDesa = "sg_name_desa"
	stSgNamePick = "sg_name_pick"
)

// Draft extra keys: the entries offered (one per line: NIK, masked name, programs, tab
// separated; kept server-side in the session only), and the mark of a recipient picked by name.
const (
	kSgCands  = "sg_cands"
	kSgByName = "sg_by_name"
)

const evSgPicked = "sg_name_pick"

var (
	sgNameKecStep = &step{state: stSgNameKec, flow: "sanggah", ask: askCekNameKec, answer: answerCekNameKec,
		ev: evNameKec, next: stSgNameDesa, alt: map[string]string{evNamePlace: stSgNamePick}}
	sgNameDesaStep = &step{state: stSgNameDesa, flow: "sanggah", ask: askCekNameDesa, answer: answerCekNameDesa,
		ev: evNamePlace, next: stSgNamePick}
	sgNamePickStep = &step{state: stSgNamePick, flow: "sanggah", ask: askSgNamePick, answer: answerSgNamePick,
		ev: evSgPicked, next: stSgReason, alt: map[string]string{evByName: stSgNameKec}}
)

// answerSgNIK takes a NIK as before, or a name to search.
func answerSgNIK(c *conv, st *step, t string) {
	if looksLikeName(asciiDigits(t)) {
		c.nameSearchStart(t, evByName)
		return
	}
	sanggahStep(c, st, t)
}

func (d *draft) extraValue(k string) string { return d.extra[k] }

func (d *draft) setExtra(k, v string) {
	if v == "" {
		delete(d.extra, k)
		return
	}
	if d.extra == nil {
		d.extra = map[string]string{}
	}
	d.extra[k] = v
}

type sgCand struct{ nik, name, programs string }

func (d *draft) sgCands() []sgCand {
	var out []sgCand
	for _, line := range strings.Split(d.extraValue(kSgCands), "\n") {
		if f := strings.Split(line, "\t"); len(f) == 3 {
			out = append(out, sgCand{f[0], f[1], f[2]})
		}
	}
	return out
}

// sgNameSearch searches and offers the entries to pick; on no match (or no data) it goes back
// to the NIK-or-name question.
func (c *conv) sgNameSearch(ev string) {
	name, kec, desa := c.d.cekName(), c.d.Kec, c.d.Desa
	ms, more, err := c.e.Registry.SearchName(c.ctx, kec, desa, name, cekNameLimit)
	shown := truncate(name, 40)
	if err != nil {
		var text string
		switch {
		case errors.Is(err, registry.ErrNameNotFound):
			text = fmt.Sprintf(msgSgNameNone, shown, desa, kec)
		case errors.Is(err, registry.ErrNotLoaded), errors.Is(err, ErrRegistryNotLoaded), errors.Is(err, registry.ErrNoNameIndex):
			text = msgCekNameNoData
		case errors.Is(err, registry.ErrNameTooShort):
			text = msgCekNameShort
		default:
			c.e.Log.Error().Err(err).Msg("registry name search failed")
			text = msgLookupDown
		}
		c.sgBackToNIK()
		c.ask(text)
		return
	}
	c.noteMatches(ms)
	lines := make([]string, len(ms))
	for i, m := range ms {
		progs := make([]string, len(m.Programs))
		for j, p := range m.Programs {
			progs[j] = p.Program
		}
		lines[i] = string(m.NIK) + "\t" + m.Name + "\t" + strings.Join(progs, ", ")
	}
	c.d.setExtra(kSgCands, strings.Join(lines, "\n"))
	c.d.setExtra(kSgByName, "")
	if more {
		c.say(msgCekNameMore, cekNameLimit)
	}
	c.fire(ev)
}

// sgBackToNIK returns to the first sanggah question, dropping the name and the place.
func (c *conv) sgBackToNIK() {
	c.s.State = stSgNIK
	for len(c.s.Back) > 0 {
		last := c.s.Back[len(c.s.Back)-1]
		c.s.Back = c.s.Back[:len(c.s.Back)-1]
		if last == stSgNIK {
			break
		}
	}
	c.d.setCekName("")
	c.d.setExtra(kSgCands, "")
	c.d.KecCode, c.d.Kec, c.d.Desa, c.d.Suggest = "", "", "", ""
}

func sgCandOptions(cs []sgCand) []option {
	opts := make([]option, len(cs))
	for i, cd := range cs {
		opts[i] = option{Key: fmt.Sprint(i + 1), Label: fmt.Sprintf(msgSgNameCand, cd.name, cd.programs)}
	}
	return opts
}

func askSgNamePick(c *conv) {
	// Asked again (kembali, a bad answer): nothing is picked until an entry is.
	c.d.NIK, c.d.SgName, c.d.SgPrograms = "", "", ""
	c.d.setExtra(kSgByName, "")
	c.choose(fmt.Sprintf(msgSgNamePick, c.d.Desa, c.d.Kec), sgCandOptions(c.d.sgCands()), 1)
}

// answerSgNamePick takes the person picked; a name typed instead searches again.
func answerSgNamePick(c *conv, st *step, text string) {
	cs := c.d.sgCands()
	i := pick(sgCandOptions(cs), text)
	if i < 0 {
		if looksLikeName(asciiDigits(text)) {
			c.nameSearchStart(text, evByName)
			return
		}
		c.badChoice(len(cs))
		return
	}
	cd := cs[i]
	if open, err := c.tx.OpenReportByNIK(cd.nik, storage.KindSanggah); err == nil {
		c.sanggahExists(open)
		return
	}
	c.d.NIK, c.d.SgName, c.d.SgPrograms = cd.nik, cd.name, cd.programs
	c.d.setExtra(kSgByName, "1")
	c.fire(st.ev)
}

// sgRecipientLine is the summary's recipient line for a sanggah whose person was picked by
// name: the masked name and programs, never the NIK.
func sgRecipientLine(d map[string]string) (string, bool) {
	if d[kSgByName] == "" {
		return "", false
	}
	return fmt.Sprintf(msgSgNameSummary, d[kSgName], d[kSgPrograms]), true
}
