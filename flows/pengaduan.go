package flows

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/laporbansos/laporbansos/storage"
)

// Photo is a picture the channel has already downloaded (or refused to: TooBig).
type Photo struct {
	Data []byte
	Ext  string // "jpg", "png", …
	// TooBig is set when the platform declared a size above MaxPhotoBytes: the channel did not
	// download it.
	TooBig bool
}

// Location is a point the citizen shared.
type Location struct {
	Lat, Lon float64
}

// PhotoRef is a stored photo a reply carries to the staff chats: its name in the store
// (storage.PhotoName). Channels read its bytes with ReadPhoto and send them as a photo, never to
// a citizen. Path is what replies queued by older versions carry instead: the file under the
// photo directory, of which only the name is used.
type PhotoRef struct {
	Name string `json:"name,omitempty"`
	Path string `json:"path,omitempty"`
}

// File is the photo's name in the store.
func (p *PhotoRef) File() string {
	if p.Name != "" {
		return p.Name
	}
	return filepath.Base(p.Path)
}

// ReadPhoto reads the photo ref names from store, in a read-only transaction: whichever
// instance sends the reply, whichever took the photo. The error wraps storage.ErrNotFound when
// the photo is gone (purged, or lost with a bbolt instance's files).
func ReadPhoto(ctx context.Context, store Store, ref *PhotoRef) ([]byte, error) {
	var data []byte
	err := store.View(ctx, func(tx storage.Tx) error {
		var err error
		data, err = tx.Photo(ref.File())
		return err
	})
	return data, err
}

const (
	stPgKind     = "pg_kind"
	stPgKec      = "pg_kecamatan"
	stPgDesa     = "pg_desa"
	stPgWhen     = "pg_when"
	stPgInvolved = "pg_involved"
	stPgWhat     = "pg_what"
	stPgAnon     = "pg_anon"
	stPgName     = "pg_name"
	stPgPhone    = "pg_phone"
	stPgConfirm  = "pg_confirm"
	stPgPhotos   = "pg_photos"
	// stLpPhotos follows a filed Lapor: photos of the house.
	stLpPhotos = "lapor_photos"

	// Draft keys of this flow, kept in the draft's extra map.
	kPgKind, kPgWhen, kPgInvolved, kPgWhat, kPgAnon = "pg_kind", "pg_when", "pg_involved", "pg_what", "pg_anon"
	kPhotoReport                                    = "photo_report"

	maxWhen = 100
)

// afterFiling tells the steps that follow a stored report (photos, the delivery question): they
// hold no draft, so an idle wait there is not a dialogue to pause.
func afterFiling(state string) bool {
	return state == stPgPhotos || state == stLpPhotos || state == stReceipt
}

func (d *draft) get(k string) string { return d.extra[k] }

func (d *draft) set(k, v string) {
	if d.extra == nil {
		d.extra = map[string]string{}
	}
	d.extra[k] = v
}

// pengaduanSteps are the Pengaduan dialogue and the evidence steps, added to the table.
var pengaduanSteps = []*step{
	{state: stPgKind, flow: "pengaduan", ask: asksChoice(msgPgAskKind, pengaduanKinds, 0), ev: "pg_kind", next: stPgKec,
		answer: func(c *conv, st *step, t string) {
			i := pick(pengaduanKinds, t)
			if i < 0 {
				c.badChoice(len(pengaduanKinds))
				return
			}
			c.d.set(kPgKind, pengaduanKinds[i].Key)
			c.next(st.ev)
		}},
	{state: stPgKec, flow: "pengaduan", ask: func(c *conv) {
		c.d.Suggest = ""
		c.choose(fmt.Sprintf(msgPgAskKec, c.e.Area.Regency.Name), c.e.Area.kecamatanOptions(), 2)
	}, answer: answerKecamatan, ev: "pg_kecamatan", next: stPgDesa, chain: true,
		alt: map[string]string{"kecamatan_desa": stPgWhen}},
	{state: stPgDesa, flow: "pengaduan", ask: askDesa, answer: answerDesa, ev: "pg_desa", next: stPgWhen},
	{state: stPgWhen, flow: "pengaduan", ask: asks(msgPgAskWhen), ev: "pg_when", next: stPgInvolved,
		answer: extraText(2, maxWhen, kPgWhen)},
	{state: stPgInvolved, flow: "pengaduan", ask: asks(msgPgAskInvolved), ev: "pg_involved", next: stPgWhat,
		answer: func(c *conv, st *step, t string) {
			if skipWord(t) {
				c.d.set(kPgInvolved, "")
				c.next(st.ev)
				return
			}
			extraText(2, maxFreeText, kPgInvolved)(c, st, t)
		}},
	{state: stPgWhat, flow: "pengaduan", ask: func(c *conv) { c.say(msgPgAskWhat, maxFreeText) }, ev: "pg_what", next: stPgAnon,
		answer: extraText(minFreeText, maxFreeText, kPgWhat)},
	{state: stPgAnon, flow: "pengaduan", ask: asksChoice(msgPgAskAnon, anonOptions, 0), ev: "pg_named", next: stPgName,
		alt: map[string]string{"pg_anon": stPgConfirm},
		answer: func(c *conv, st *step, t string) {
			i := pick(anonOptions, t)
			if i < 0 {
				c.badChoice(len(anonOptions))
				return
			}
			if anonOptions[i].Key == "anonim" {
				c.d.set(kPgAnon, "1")
				c.d.Name, c.d.Phone = "", ""
				c.fire("pg_anon")
				return
			}
			c.d.set(kPgAnon, "")
			c.next(st.ev)
		}},
	{state: stPgName, flow: "pengaduan", ask: asks(msgPgAskName), ev: "pg_name", next: stPgPhone,
		answer: nameStep(func(d *draft) *string { return &d.Name })},
	{state: stPgPhone, flow: "pengaduan", ask: func(c *conv) {
		r := c.say(msgPgAskPhone + "\n" + msgAskPhoneContact)
		r.AskContact = true
		r.Step = stPgPhone
	}, ev: "pg_phone", next: stPgConfirm,
		answer: func(c *conv, st *step, t string) {
			if c.phoneAnswer(t) {
				c.next(st.ev)
			}
		}},
	{state: stPgConfirm, flow: "pengaduan", ask: func(c *conv) {
		c.choose(msgPgSummaryHead+"\n"+c.pgSummary()+"\n\n"+msgPgSummaryAsk, pgConfirmOptions, 2)
	}, answer: func(c *conv, _ *step, t string) { c.pgConfirm(t) }},
	// Evidence: after the report is stored, so a lost or refused photo never costs the report.
	{state: stPgPhotos, flow: "pengaduan", ask: askPhotos(msgPgAskPhotos), answer: answerPhotosText},
	{state: stLpPhotos, flow: "foto", ask: askPhotos(msgLpAskPhotos), answer: answerPhotosText},
}

// extraText takes free text into one of this flow's draft keys.
func extraText(min, max int, key string) func(c *conv, st *step, text string) {
	return func(c *conv, st *step, text string) {
		if v, ok := c.freeAnswer(text, min, max); ok {
			c.d.set(key, v)
			c.next(st.ev)
		}
	}
}

func skipWord(t string) bool {
	switch fold(t) {
	case "lewati", "skip", "tidak tahu", "tidak", "-":
		return true
	}
	return false
}

func (c *conv) pgSummary() string {
	d := c.d
	none := func(s string) string {
		if s == "" {
			return msgPgNone
		}
		return s
	}
	lines := []string{
		fmt.Sprintf(msgPgReviewKind, reasonLabel(pengaduanKinds, d.get(kPgKind), "")),
		fmt.Sprintf(msgPgReviewPlace, d.Desa, d.Kec),
		fmt.Sprintf(msgPgReviewWhen, d.get(kPgWhen)),
		fmt.Sprintf(msgPgReviewWho, none(d.get(kPgInvolved))),
		fmt.Sprintf(msgPgReviewWhat, d.get(kPgWhat)),
	}
	if d.get(kPgAnon) != "" {
		lines = append(lines, msgPgReviewAnon)
	} else {
		lines = append(lines, fmt.Sprintf(msgPgReviewName, d.Name, d.Phone))
	}
	return strings.Join(lines, "\n")
}

func (c *conv) pgConfirm(text string) {
	i := pick(pgConfirmOptions, text)
	if i < 0 {
		c.badChoice(len(pgConfirmOptions))
		return
	}
	if pgConfirmOptions[i].Key == "batal" {
		c.reset()
		c.say(msgCancelled).Event = EventCitizenFinal
		c.prompt()
		return
	}
	d := c.d
	r := &storage.Report{
		Kind:          storage.KindPengaduan,
		Status:        storage.StatusSubmitted,
		Desa:          d.Desa,
		Kecamatan:     d.Kec,
		KecamatanCode: d.KecCode,
		Reason:        d.get(kPgKind),
		ReasonText:    d.get(kPgWhat),
		When:          d.get(kPgWhen),
		Involved:      d.get(kPgInvolved),
		Anonymous:     d.get(kPgAnon) != "",
		From:          c.m.Chat,
		CreatedAt:     c.now,
		Deadline:      c.now.Add(c.e.VerifySLA),
	}
	if !r.Anonymous {
		r.ReporterName, r.Phone, r.ForSelf = d.Name, d.Phone, true
	}
	c.file(r, func() string { return fmt.Sprintf(msgPgAccepted, r.ID, c.e.Agency) })
	c.askEvidence(r, stPgPhotos)
}

// askEvidence moves a chat whose report was just filed to a photo step for it.
func (c *conv) askEvidence(r *storage.Report, state string) {
	if r.ID == "" || c.s.State != stMenu {
		return // not stored: the citizen was asked to press Kirim again
	}
	if !c.e.Photos || c.e.TextOnly[c.m.Chat.Channel] {
		if state == stPgPhotos {
			c.say(msgPhotosOff)
		}
		return
	}
	c.s.Flow, c.s.State = stepOf[state].flow, state
	c.d = &draft{}
	c.d.set(kPhotoReport, r.ID)
	c.prompt()
}

func askPhotos(text string) func(c *conv) {
	return func(c *conv) { c.say(text, maxPhotos, MaxPhotoBytes>>20) }
}

// answerPhotosText ends the optional photo step: on a done word with thanks, on anything else
// silently, reading the text as typed at the menu (a citizen who goes on to Cek is not held).
func answerPhotosText(c *conv, _ *step, t string) {
	if photoDoneWords[fold(t)] {
		c.photosDone()
		return
	}
	c.fire(evDone)
	c.handleText()
}

func (c *conv) photosDone() {
	id := c.d.get(kPhotoReport)
	c.fire(evDone)
	c.say(msgPhotosDone, id).Event = EventCitizenFinal
	c.prompt()
}

// evidence answers a photo, a location or another non-text message at a photo step. It reports
// whether it did; typed text goes to the step's answer.
func (c *conv) evidence() bool {
	if c.s.State != stPgPhotos && c.s.State != stLpPhotos {
		return false
	}
	m := c.m
	switch {
	case m.Photo != nil:
		c.takePhoto(m.Photo)
	case m.Location != nil:
		c.takeLocation(*m.Location)
	case m.NonText != "":
		kind := nonTextLabel[m.NonText]
		if kind == "" {
			kind = "pesan ini"
		}
		c.say(msgPhotoOnly+"\n"+msgPhotoTextHint, kind)
	default:
		return false
	}
	return true
}

func (c *conv) photoReport() (*storage.Report, bool) {
	r, err := c.tx.Report(c.d.get(kPhotoReport))
	if err != nil {
		if !errors.Is(err, storage.ErrNotFound) {
			c.e.Log.Error().Err(err).Msg("report for a photo")
		}
		c.say(msgPhotoFailed)
		return nil, false
	}
	return r, true
}

// takePhoto stores the photo as <report>-<n>.<ext> and records it on the report in the same
// step (storage.Tx.PutPhoto): the name is one only this report and this n can have, so a step
// that fails leaves at most a bbolt file the next photo of the report overwrites and the
// retention purge removes with the report (DECISIONS "Photos are attached after filing").
func (c *conv) takePhoto(p *Photo) {
	if p.TooBig || len(p.Data) > MaxPhotoBytes {
		c.say(msgPhotoTooBig, MaxPhotoBytes>>20)
		return
	}
	if len(p.Data) == 0 {
		c.say(msgPhotoFailed)
		return
	}
	r, ok := c.photoReport()
	if !ok {
		return
	}
	if len(r.Photos) >= maxPhotos {
		c.photosDone()
		return
	}
	n := len(r.Photos) + 1
	name := storage.PhotoName(r.ID, n, p.Ext)
	if err := c.tx.PutPhoto(name, p.Data); err != nil {
		c.e.Log.Error().Err(err).Str("report", r.ID).Msg("store photo")
		c.say(msgPhotoFailed)
		return
	}
	r.Photos = append(r.Photos, name)
	if err := c.tx.SaveReport(r); err != nil {
		c.e.Log.Error().Err(err).Str("report", r.ID).Msg("record photo")
		c.say(msgPhotoFailed)
		return
	}
	for _, chat := range c.e.StaffChats {
		c.out = append(c.out, Reply{To: chat, Text: fmt.Sprintf(msgStaffPhoto, n, r.ID), Photo: &PhotoRef{Name: name}, Report: r.ID})
	}
	c.say(msgPhotoSaved, n, maxPhotos, r.ID)
	if n >= maxPhotos {
		c.photosDone()
		return
	}
	c.say(msgPhotoMore)
}

func (c *conv) takeLocation(l Location) {
	if l.Lat < -90 || l.Lat > 90 || l.Lon < -180 || l.Lon > 180 {
		c.say(msgPhotoFailed)
		return
	}
	r, ok := c.photoReport()
	if !ok {
		return
	}
	r.Location = strconv.FormatFloat(l.Lat, 'f', 6, 64) + "," + strconv.FormatFloat(l.Lon, 'f', 6, 64)
	if err := c.tx.SaveReport(r); err != nil {
		c.e.Log.Error().Err(err).Str("report", r.ID).Msg("record location")
		c.say(msgPhotoFailed)
		return
	}
	for _, chat := range c.e.StaffChats {
		c.out = append(c.out, Reply{To: chat, Text: fmt.Sprintf(msgStaffLocation, r.ID, r.Location), Report: r.ID})
	}
	c.say(msgLocationSaved, r.ID)
	c.say(msgPhotoMore)
}

// pengaduanNotice is the staff chats' post for a new pengaduan.
func (e *Engine) pengaduanNotice(r *storage.Report) []Reply {
	kind := reasonLabel(append(pengaduanKinds, pgTidakSampai), r.Reason, "")
	lines := []string{
		fmt.Sprintf(msgStaffNewPengaduan, r.ID),
		fmt.Sprintf(msgStaffPgKind, kind),
		fmt.Sprintf(msgStaffPgPlace, r.Desa, r.Kecamatan),
	}
	if r.When != "" {
		lines = append(lines, fmt.Sprintf(msgStaffPgWhen, r.When))
	}
	if r.Involved != "" {
		lines = append(lines, fmt.Sprintf(msgStaffPgWho, r.Involved))
	}
	lines = append(lines, fmt.Sprintf(msgStaffPgWhat, r.ReasonText))
	if r.Linked != "" {
		lines = append(lines, fmt.Sprintf(msgStaffPgLinked, r.Linked))
	}
	if r.Anonymous {
		lines = append(lines, msgStaffPgAnon)
	} else {
		lines = append(lines, fmt.Sprintf(msgStaffPgReporter, r.ReporterName, maskPhone(r.Phone)))
	}
	lines = append(lines, fmt.Sprintf(msgStaffPgHow, r.ID))
	text := strings.Join(lines, "\n")
	var out []Reply
	for _, chat := range e.StaffChats {
		out = append(out, Reply{To: chat, Text: text, Report: r.ID, Event: EventStaffNew})
	}
	return out
}

func init() {
	for _, s := range []storage.Status{storage.StatusInProgress, storage.StatusResolved, storage.StatusRefused} {
		statusLabel[string(s)] = storage.StatusLabel(s)
	}
	decisionVerb[storage.StatusInProgress] = "DITINDAKLANJUTI"
	decisionVerb[storage.StatusResolved] = "SELESAI"
	decisionVerb[storage.StatusRefused] = "DITOLAK"
	m := map[string]string{}
	for _, o := range append(pengaduanKinds, pgTidakSampai) {
		m[o.Key] = o.Label
	}
	storage.SetReasonLabels(storage.KindPengaduan, m)
}

// pengaduanDetail is DETAIL for a pengaduan, to the asking staff member's private chat: the
// phone in full, the photo files and the location.
func (s *staffTurn) pengaduanDetail(r *storage.Report) {
	var b strings.Builder
	fmt.Fprintf(&b, msgStaffDetailHead+"\n", r.ID, statusLabel[string(r.Status)])
	fmt.Fprintf(&b, msgStaffPgKind+"\n", reasonLabel(append(pengaduanKinds, pgTidakSampai), r.Reason, ""))
	fmt.Fprintf(&b, msgStaffPgPlace+"\n", r.Desa, r.Kecamatan)
	fmt.Fprintf(&b, msgStaffPgWhen+"\n", r.When)
	if r.Involved != "" {
		fmt.Fprintf(&b, msgStaffPgWho+"\n", r.Involved)
	}
	fmt.Fprintf(&b, msgStaffPgWhat+"\n", r.ReasonText)
	if r.Linked != "" {
		fmt.Fprintf(&b, msgStaffPgLinked+"\n", r.Linked)
	}
	if r.Anonymous {
		b.WriteString(msgStaffPgAnon + "\n")
	} else {
		fmt.Fprintf(&b, msgStaffPgReporter+"\n", r.ReporterName, phoneOrNone(r.Phone))
	}
	if len(r.Photos) > 0 {
		fmt.Fprintf(&b, msgStaffPgPhotos+"\n", strings.Join(r.Photos, ", "))
	}
	if r.Location != "" {
		fmt.Fprintf(&b, msgStaffLocation+"\n", r.ID, r.Location)
	}
	for _, t := range r.History {
		fmt.Fprintf(&b, "• %s %s oleh %s", stamp(t.At), statusLabel[string(t.To)], actorLabel(t.By))
		if t.Note != "" {
			b.WriteString(" — " + t.Note)
		}
		b.WriteByte('\n')
	}
	s.out = append(s.out, Reply{To: s.m.Private, Text: strings.TrimSpace(b.String()), Report: r.ID, Event: EventStaffDetail})
	s.reply(msgStaffDetailSent, r.ID)
}
