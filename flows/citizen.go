package flows

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/looplab/fsm"

	"github.com/laporbansos/laporbansos/config"
	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// States of the citizen dialogues. They are stored in sessions: renaming one strands the
// dialogues that are in it, so add new names rather than change old ones.
const (
	stMenu = "menu"

	stWho        = "lapor_who"
	stNIK        = "lapor_nik"
	stName       = "lapor_name"
	stAddress    = "lapor_address"
	stKecamatan  = "lapor_kecamatan"
	stDesa       = "lapor_desa"
	stReason     = "lapor_reason"
	stReasonText = "lapor_reason_text"
	stPhone      = "lapor_phone"
	stReporter   = "lapor_reporter"
	stRelation   = "lapor_relation"
	stConfirm    = "lapor_confirm"
	stEdit       = "lapor_edit"

	stCek = "cek_input"

	stSgNIK     = "sg_nik"
	stSgPerson  = "sg_person"
	stSgReason  = "sg_reason"
	stSgText    = "sg_text"
	stSgName    = "sg_name"
	stSgPhone   = "sg_phone"
	stSgConfirm = "sg_confirm"
)

// Session data keys.
const (
	kWho, kNIK, kName, kAddress          = "who", "nik", "name", "address"
	kKecCode, kKec, kDesa                = "kec_code", "kec", "desa"
	kReason, kReasonText, kPhone         = "reason", "reason_text", "phone"
	kReporter, kRelation, kEditing       = "reporter", "relation", "editing"
	kSgName, kSgPrograms                 = "sg_recipient", "sg_programs"
	kSuggest, kPendingNIK, kPendingWhy   = "suggest", "nik_pending", "nik_pending_why"
	kNoPhone, kPaused, kAskLeave         = "no_phone", "paused", "ask_leave"
	whoSelf, whoOther                    = "diri", "orang lain"
	evDone, evBack, evReview, evEditPick = "done", "back", "review", "edit"
)

// conv is one message's worth of dialogue: the engine, the open transaction, the session being
// changed and the replies being gathered.
type conv struct {
	e   *Engine
	ctx context.Context
	tx  storage.Tx
	m   Message
	s   *storage.Session
	d   *draft // the answers; written back to s.Data when the step ends
	// mapLive is set while code that still speaks the map form of the draft (s.Data) runs; the
	// next primitive call takes the map back into d (see viaMap).
	mapLive bool
	now     time.Time
	out     []Reply
}

// viaMap runs fn, which reads and writes the draft as the stored map (c.s.Data), and takes its
// changes back into the typed draft. The NIK steps (registry checks) are still written that way.
func (c *conv) viaMap(fn func()) {
	c.s.Data = c.d.encode()
	if c.s.Data == nil {
		c.s.Data = map[string]string{} // that code writes into it
	}
	c.mapLive = true
	fn()
	c.pull()
}

// pull takes the map form back into the typed draft after viaMap code changed it.
func (c *conv) pull() {
	if c.mapLive {
		c.d = decodeDraft(c.s.Data)
		c.mapLive = false
	}
}

func (c *conv) say(text string, args ...any) *Reply {
	c.pull()
	if len(args) > 0 {
		text = fmt.Sprintf(text, args...)
	}
	c.out = append(c.out, Reply{To: c.m.Chat, Text: text})
	return &c.out[len(c.out)-1]
}

// note prepends a line to the next reply: a problem, then the question again.
func (c *conv) ask(prefix string) {
	n := len(c.out)
	c.prompt()
	if prefix != "" && len(c.out) > n {
		c.out[n].Text = prefix + "\n" + c.out[n].Text
	}
}

func (e *Engine) citizen(ctx context.Context, tx storage.Tx, m Message) ([]Reply, error) {
	s, err := tx.Session(m.Chat)
	fresh := errors.Is(err, storage.ErrNotFound)
	if err != nil && !fresh {
		return nil, err
	}
	if fresh {
		s = &storage.Session{State: stMenu}
	}
	c := &conv{e: e, ctx: ctx, tx: tx, m: m, s: s, now: tx.Now(), d: decodeDraft(s.Data)}
	if !validState(s.State) {
		// A session written by a newer or older build: start over rather than guess.
		c.reset()
	}
	switch {
	case fresh:
		c.say(msgWelcome, e.Area.Regency.Name)
		c.handleText()
		if c.s.State == stMenu && len(c.out) == 1 {
			c.prompt()
		}
	case e.SessionTTL > 0 && s.State != stMenu && !afterFiling(s.State) && c.now.Sub(s.UpdatedAt) > e.SessionTTL:
		c.expire()
	default:
		c.handleText()
	}
	c.pull()
	c.s.Data = c.d.encode()
	c.s.UpdatedAt = c.now
	if err := tx.PutSession(m.Chat, c.s); err != nil {
		return nil, err
	}
	return c.out, nil
}

func validState(s string) bool {
	for _, st := range allStates {
		if st == s {
			return true
		}
	}
	return false
}

// handleText answers one message in the current state.
func (c *conv) handleText() {
	m := c.m
	if c.evidence() {
		return
	}
	if m.NonText != "" {
		kind := nonTextLabel[m.NonText]
		if kind == "" {
			kind = "teks"
		}
		if m.NonText == "contact" && c.s.State == stPhone && m.Text != "" {
			c.answer(m.Text) // a shared contact card carries the number as text
			return
		}
		c.ask(fmt.Sprintf(msgNotText, kind))
		return
	}
	if runes(m.Text) > maxInput {
		c.ask(fmt.Sprintf(msgTooLongInput, maxInput))
		return
	}
	text := clean(m.Text, false)
	if text == "" {
		c.ask(msgEmpty)
		return
	}
	if c.receiptButton(text) {
		return
	}
	if m.Step != "" && m.Step != c.s.State {
		// A button from an earlier question: show where we are instead of mis-answering.
		c.ask(msgStaleButton)
		return
	}
	if c.leaveAnswer(text) {
		return
	}
	if c.global(fold(text)) {
		return
	}
	c.answer(text)
}

// global handles the words that work at every step. It reports whether it did.
func (c *conv) global(word string) bool {
	switch word {
	case "batal", "cancel", "stop":
		if c.s.State == stMenu {
			c.prompt()
			return true
		}
		c.reset()
		c.say(msgCancelled)
		c.prompt()
	case "kembali", "back", "balik":
		c.back()
	case "menu", "start", "mulai", "halo", "hai", "hi", "hello", "assalamualaikum":
		if c.inDraft() {
			c.askLeave()
			return true
		}
		c.reset()
		c.prompt()
	case "lanjut", "lanjutkan", "teruskan":
		if c.s.State != stMenu || !c.resume() {
			return false
		}
	case "bantuan", "help", "tolong", "?":
		c.say(c.e.helpText())
		if c.s.State != stMenu {
			c.ask(msgHelpContinue)
		} else {
			c.prompt()
		}
	case "privasi", "privacy":
		c.say(msgPrivacy, c.e.Agency, c.e.Retention)
		c.s.PrivacyShown = true
		c.prompt()
	default:
		// Channel commands (/lapor, /cek, /sanggah) start a flow from anywhere.
		if strings.HasPrefix(strings.TrimSpace(c.m.Text), "/") {
			for _, f := range []string{"lapor", "cek", "sanggah"} {
				if word == f {
					c.reset()
					c.start(f)
					return true
				}
			}
		}
		return false
	}
	return true
}

func (c *conv) reset() {
	c.mapLive = false
	c.s.Flow, c.s.State, c.s.Data, c.s.Back = "", stMenu, nil, nil
	c.d = &draft{}
}

// machine rebuilds the FSM at the session's state: nothing of it outlives this message. It is
// built from only the edges that leave that state (the same graph, as far as this message can
// see), because the step runs inside the store's single writer and every microsecond there is
// paid by all the chats waiting behind it.
func (c *conv) machine() *fsm.FSM {
	return fsm.NewFSM(c.s.State, edgesFrom[c.s.State], nil)
}

// fire moves the dialogue along an edge of the graph and asks the next question.
func (c *conv) fire(event string) {
	f := c.machine()
	from := c.s.State
	if err := f.Event(c.ctx, event); err != nil {
		var noTrans fsm.NoTransitionError
		if !errors.As(err, &noTrans) {
			// Not on the graph: a bug, not the citizen's fault. Start over politely.
			c.e.Log.Error().Str("state", from).Str("event", event).Err(err).Msg("dialogue transition refused")
			c.reset()
			c.say(msgUnknownMenu)
			c.prompt()
			return
		}
	}
	c.s.State = f.Current()
	if event == evDone {
		c.s.Flow, c.s.Data, c.s.Back = "", nil, nil
		c.d = &draft{}
		return
	}
	if from != c.s.State {
		// Bounded: a citizen who edits the summary over and over must not grow the session.
		if len(c.s.Back) >= maxBack {
			c.s.Back = c.s.Back[1:]
		}
		c.s.Back = append(c.s.Back, from)
	}
	c.prompt()
}

// back returns to the previous question; before the first one, to the menu.
func (c *conv) back() {
	if len(c.s.Back) == 0 || c.s.State == stMenu {
		c.reset()
		c.prompt()
		return
	}
	// A question asked about the last answer is not carried to another step.
	c.pull()
	c.d.Suggest, c.d.PendingNIK, c.d.PendingWhy, c.d.AskLeave = "", "", "", ""
	prev := c.s.Back[len(c.s.Back)-1]
	c.s.Back = c.s.Back[:len(c.s.Back)-1]
	if prev == stMenu {
		c.reset()
		c.prompt()
		return
	}
	if prev == stConfirm || prev == stEdit {
		c.d.Editing = false
	}
	c.s.State = prev
	c.prompt()
}

func (c *conv) start(flow string) {
	c.s.Flow = flow
	if !c.s.PrivacyShown && flow != "cek" {
		c.say(msgPrivacy, c.e.Agency, c.e.Retention)
		c.s.PrivacyShown = true
	}
	c.fire(flow)
}

// prompt asks the question of the current state.
func (c *conv) prompt() {
	c.pull()
	if st := stepOf[c.s.State]; st != nil {
		st.ask(c)
	}
}

// choose asks a question with options, numbered so any channel can show them.
func (c *conv) choose(question string, opts []option, columns int) {
	r := c.say(question)
	r.Choices = choices(opts)
	r.Columns = columns
	r.Step = c.s.State
}

// editOptions are the Ubah list: every editable step that applies to this draft.
func (c *conv) editOptions() []option {
	var opts []option
	for _, st := range stepOrder {
		if st.edit.Key == "" || (st.only != nil && !st.only(c.d)) {
			continue
		}
		opts = append(opts, st.edit)
	}
	return opts
}

func (c *conv) badChoice(n int) { c.ask(fmt.Sprintf(msgPickChoice, n)) }

// answer takes the citizen's text as the answer to the current question.
func (c *conv) answer(text string) {
	if st := stepOf[c.s.State]; st != nil {
		st.answer(c, st, text)
	}
}

func answerWho(c *conv, st *step, text string) {
	i := pick(whoOptions, text)
	if i < 0 {
		c.badChoice(len(whoOptions))
		return
	}
	c.d.Who = whoOptions[i].Key
	if c.d.Who == whoOther {
		c.say(msgOtherNotice)
	}
	c.fire(st.ev)
}

func askKecamatan(c *conv) {
	c.d.Suggest = "" // the full list replaces any earlier suggestion
	c.choose(fmt.Sprintf(msgAskKecamatan, c.e.Area.Regency.Name), c.e.Area.kecamatanOptions(), 2)
}

func answerKecamatan(c *conv, st *step, text string) {
	a := c.e.Area
	if p, ok := c.suggested(text); ok {
		c.placeChosen(st, p)
		return
	}
	if k, ok := a.findKecamatan(text); ok {
		c.placeChosen(st, place{kec: k})
		return
	}
	// A desa typed here is understood: it names its kecamatan too.
	switch ds := a.findDesaAnywhere(text); {
	case len(ds) == 1:
		c.placeChosen(st, ds[0])
		return
	case len(ds) > 1:
		c.suggest(text, ds[:min(len(ds), 3)])
		return
	}
	if ps := a.closest(text, true, true, ""); len(ps) > 0 {
		c.suggest(text, ps)
		return
	}
	// The list was shown with the question; it is not sent again after every miss.
	c.say(msgKecUnknown, truncate(text, 40), a.Regency.Name)
}

// placeChosen moves on from the kecamatan step: to the desa, or past it when a desa was named.
func (c *conv) placeChosen(st *step, p place) {
	c.setPlace(p)
	if p.desa != "" {
		c.next("kecamatan_desa")
		return
	}
	c.fire(st.ev) // a new kecamatan always needs its desa, even when editing
}

func askDesa(c *conv) {
	c.d.Suggest = ""
	c.choose(fmt.Sprintf(msgAskDesa, c.d.Kec), c.e.Area.desaOptions(c.d.KecCode), 2)
}

func answerDesa(c *conv, st *step, text string) {
	c.resolveDesa(text, func() { c.next(st.ev) })
}

// resolveDesa takes the desa of the chosen kecamatan, forgivingly (a suggestion taken, a desa of
// another kecamatan named, typos offered back), and calls done once it is known. Lapor, Cek by
// name and Sanggah by name ask it the same way.
func (c *conv) resolveDesa(text string, done func()) {
	a := c.e.Area
	if p, ok := c.suggested(text); ok {
		c.setPlace(p)
		if p.desa == "" {
			c.prompt()
			return
		}
		done()
		return
	}
	if v, ok := a.findDesa(c.d.KecCode, text); ok {
		c.d.Desa = v
		done()
		return
	}
	if ds := a.findDesaAnywhere(text); len(ds) > 0 {
		c.say(msgDesaOtherKec, ds[0].desa, ds[0].kec.Name, c.d.Kec)
		c.suggest(text, ds[:min(len(ds), 3)])
		return
	}
	if ps := a.closest(text, false, true, c.d.KecCode); len(ps) > 0 {
		c.suggest(text, ps)
		return
	}
	if ps := a.closest(text, false, true, ""); len(ps) > 0 {
		c.suggest(text, ps)
		return
	}
	c.say(msgDesaUnknown, truncate(text, 40), c.d.Kec)
}

func answerReason(c *conv, st *step, text string) {
	i := pick(reportReasons, text)
	if i < 0 {
		if _, err := strconv.Atoi(fold(text)); err == nil || runes(text) < minFreeText {
			c.badChoice(len(reportReasons))
			return
		}
		// Words that fit no category are the reason itself: kept as "Lainnya" with the
		// citizen's own words, rather than refused.
		if v, ok := c.freeAnswer(text, minFreeText, maxFreeText); ok {
			c.d.Reason, c.d.ReasonText = "lainnya", v
			c.next(st.ev)
		}
		return
	}
	c.d.Reason = reportReasons[i].Key
	if c.d.Reason == "lainnya" {
		c.fire("reason_other") // the free text is part of the answer, even when editing
		return
	}
	c.d.ReasonText = ""
	c.next(st.ev)
}

func askPhone(c *conv) {
	q := msgAskPhoneSelf
	if c.d.Who == whoOther {
		q = msgAskPhoneOther
	}
	r := c.say(q + "\n" + msgAskPhoneContact)
	r.AskContact = true
	r.Step = stPhone
}

func answerPhone(c *conv, st *step, text string) {
	if !c.phoneAnswer(text) {
		return
	}
	if c.d.Who == whoOther && (c.d.Reporter == "" || c.d.Relation == "") {
		c.fire("phone_other")
		return
	}
	c.next(st.ev)
}

func askConfirm(c *conv) {
	c.choose(msgSummaryHead+"\n"+c.summary()+"\n\n"+msgSummaryAsk, confirmOptions, 3)
}

func answerEdit(c *conv, _ *step, text string) {
	opts := c.editOptions()
	i := pick(opts, text)
	if i < 0 {
		c.badChoice(len(opts))
		return
	}
	c.d.Editing = true
	for _, st := range stepOrder {
		if st.edit.Key == opts[i].Key {
			c.fire(editEvent(st.state))
			return
		}
	}
}

func whoLabel(who string) string {
	switch who {
	case whoSelf:
		return msgForSelf
	case whoOther:
		return msgForOther
	}
	return ""
}

func phoneLabel(d *draft) string {
	if d.NoPhone && d.Phone == "" {
		return msgNoPhone
	}
	return d.Phone
}

// next moves on after an answer; while editing from the summary, it goes back to the summary.
func (c *conv) next(event string) {
	c.pull()
	if c.d.Editing {
		c.d.Editing = false
		c.fire(evReview)
		return
	}
	c.fire(event)
}

func (c *conv) menu(text string) {
	i := pick(menuOptions, text)
	if i < 0 {
		// A NIK or a report number typed at the menu is a status check: what Cek Bansos is.
		t := asciiDigits(text)
		if _, err := registry.ParseNIK(t); err == nil || looksLikeReportID(t) {
			c.s.Flow = "cek"
			if err := c.machine().Event(c.ctx, "cek"); err == nil {
				c.s.State = stCek
				c.s.Back = append(c.s.Back, stMenu)
				c.cek(text)
				return
			}
		}
		c.ask(msgUnknownMenu)
		return
	}
	switch menuOptions[i].Key {
	case "bantuan":
		c.say(c.e.helpText())
		c.prompt()
	default:
		c.start(menuOptions[i].Key)
	}
}

func (c *conv) nameAnswer(text string) (string, bool) {
	if runes(text) > maxName {
		c.ask(fmt.Sprintf(msgTooLong, maxName))
		return "", false
	}
	if !validName(text) {
		if nameChars(text) {
			c.ask(msgNameTooShort)
			return "", false
		}
		c.ask(msgNameInvalid)
		return "", false
	}
	return text, true
}

func (c *conv) freeAnswer(text string, min, max int) (string, bool) {
	if runes(text) > max {
		c.ask(fmt.Sprintf(msgTooLong, max))
		return "", false
	}
	if runes(text) < min {
		c.ask(msgTooShort)
		return "", false
	}
	return text, true
}

// nikProblem turns a NIK parse error into the citizen's words.
func nikProblem(err error) string {
	var ne *registry.NIKError
	if !errors.As(err, &ne) {
		return msgNIKInvalid + " " + msgNIKRetry
	}
	var s string
	switch ne.Code {
	case registry.NIKEmpty:
		s = msgNIKEmpty
	case registry.NIKNotDigits:
		s = fmt.Sprintf(msgNIKNotDigits, ne.Char)
	case registry.NIKTooShort:
		s = fmt.Sprintf(msgNIKTooShort, ne.Digits)
	case registry.NIKTooLong:
		s = fmt.Sprintf(msgNIKTooLong, ne.Digits)
	case registry.NIKProvince:
		s = fmt.Sprintf(msgNIKProvince, ne.Province)
	case registry.NIKBirthDay:
		s = msgNIKBirthDay
	case registry.NIKBirthMonth:
		s = msgNIKMonth
	case registry.NIKSerial:
		s = msgNIKSerial
	default:
		s = msgNIKInvalid
	}
	return s + " " + msgNIKRetry
}

// laporNIK validates the NIK, checks the registry at once, and refuses duplicates.
func (c *conv) laporNIK(text string) {
	nik, err := registry.ParseNIK(text)
	if err != nil {
		c.ask(nikProblem(err))
		return
	}
	progs, ok := c.lookup(nik)
	if !ok {
		return
	}
	if len(progs) > 0 {
		c.autoReject(nik, progs)
		return
	}
	if open, err := c.tx.OpenReportByNIK(string(nik), storage.KindReport); err == nil {
		c.say(msgDuplicate, open.ID, statusLabel[string(open.Status)], stamp(open.CreatedAt))
		c.fire(evDone)
		c.prompt()
		return
	}
	c.s.Data[kNIK] = string(nik)
	delete(c.s.Data, kNoNIKNote) // a NIK after all: the report is no longer one without
	c.next("nik")
}

// lookup asks the registry for a NIK's programs (none when it is not a recipient). ok is false
// when the registry failed or the chat's lookup budget is spent: the citizen has been told,
// and the step is over.
func (c *conv) lookup(nik registry.NIK) (progs []registry.Program, ok bool) {
	if !c.spend() {
		return nil, false
	}
	progs, err := c.e.Registry.Lookup(nik)
	if err != nil && !errors.Is(err, registry.ErrNotFound) {
		c.e.Log.Error().Err(err).Str("nik", nik.Masked()).Msg("registry lookup failed")
		c.ask(msgLookupDown)
		return nil, false
	}
	if len(progs) > 0 {
		c.noteRecipient(nik)
	}
	return progs, true
}

func (c *conv) autoReject(nik registry.NIK, progs []registry.Program) {
	if r := c.earlierAutoReject(nik); r != nil {
		c.say(fmt.Sprintf(msgAutoRejectedAgain, nik.Masked(), r.ID, c.e.Agency) + c.e.contactLine()).Event = EventCitizenFinal
		c.fire(evDone)
		c.prompt()
		return
	}
	d := c.s.Data
	r := &storage.Report{
		Kind:         storage.KindReport,
		Status:       storage.StatusAutoRejected,
		NIK:          string(nik),
		Name:         d[kName],
		ForSelf:      d[kWho] == whoSelf,
		Programs:     programNames(progs),
		From:         c.m.Chat,
		ReporterName: c.m.From.Name,
	}
	if err := c.tx.CreateReport(r); err != nil {
		c.e.Log.Error().Err(err).Str("nik", nik.Masked()).Msg("record auto-rejected report")
		c.ask(msgTryAgain)
		return
	}
	c.e.Log.Info().Str("report", r.ID).Str("nik", nik.Masked()).Msg("report auto-rejected: registry recipient")
	c.say(fmt.Sprintf(msgAutoRejected, nik.Masked(), programLines(progs, false), r.ID, c.e.Agency) + c.e.contactLine()).Event = EventCitizenFinal
	c.fire(evDone)
	c.prompt()
}

func programNames(progs []registry.Program) []string {
	var out []string
	for _, p := range progs {
		s := p.Program
		if p.Period != "" {
			s += " (" + p.Period + ")"
		}
		out = append(out, s)
	}
	return out
}

// programLines lists programs for a citizen: program, period, status; never an address.
func programLines(progs []registry.Program, withStatus bool) string {
	var b strings.Builder
	for i, p := range progs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("• " + p.Program)
		if p.Period != "" {
			b.WriteString(", periode " + p.Period)
		}
		if withStatus && p.Status != "" {
			b.WriteString(": " + p.Status)
		}
	}
	return b.String()
}

func reasonLabel(opts []option, key, text string) string {
	for _, o := range opts {
		if o.Key == key {
			if key == "lainnya" && text != "" {
				return o.Label + ": " + text
			}
			return o.Label
		}
	}
	return key
}

// summary is the review: one line per answered step, in the table's order.
func (c *conv) summary() string {
	var b strings.Builder
	for _, st := range stepOrder {
		if st.flow != "lapor" || st.review == nil || (st.only != nil && !st.only(c.d)) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(st.review(c.d))
	}
	return b.String()
}

func (c *conv) confirm(text string) {
	i := pick(confirmOptions, text)
	if i < 0 {
		c.badChoice(len(confirmOptions))
		return
	}
	switch confirmOptions[i].Key {
	case "ubah":
		c.fire(evEditPick)
	case "batal":
		c.reset()
		c.say(msgCancelled).Event = EventCitizenFinal
		c.prompt()
	case "kirim":
		c.submit()
	}
}

// submit stores the report and tells staff. The number goes to the citizen only in a reply that
// is committed in the same transaction as the report itself.
func (c *conv) submit() {
	d := c.d
	if d.noNIK() {
		c.submitNoNIK(c.reportFromDraft())
		return
	}
	nik := registry.NIK(d.NIK)
	// Another chat may have reported the same NIK while this dialogue was open.
	switch open, err := c.tx.OpenReportByNIK(d.NIK, storage.KindReport); {
	case err == nil:
		c.say(msgDuplicate, open.ID, statusLabel[string(open.Status)], stamp(open.CreatedAt)).Event = EventCitizenFinal
		c.fire(evDone)
		c.prompt()
		return
	case !errors.Is(err, storage.ErrNotFound):
		// Not knowing whether one is open is not "none is open".
		c.e.Log.Error().Err(err).Str("nik", nik.Masked()).Msg("open report by NIK")
		c.ask(msgNotStored)
		return
	}
	r := c.reportFromDraft()
	c.file(r, func() string {
		return fmt.Sprintf(msgAccepted, r.ID, c.e.Agency, words(c.e.VerifySLA), stamp(r.Deadline), words(c.e.DeliverySLA))
	})
	c.askEvidence(r, stLpPhotos)
}

// reportFromDraft is the report the draft describes, ready to file.
func (c *conv) reportFromDraft() *storage.Report {
	d := c.d
	return &storage.Report{
		Kind:          storage.KindReport,
		Status:        storage.StatusSubmitted,
		NIK:           d.NIK,
		Name:          d.Name,
		Address:       d.Address,
		Desa:          d.Desa,
		Kecamatan:     d.Kec,
		KecamatanCode: d.KecCode,
		Reason:        d.Reason,
		ReasonText:    d.ReasonText,
		Phone:         d.Phone,
		ForSelf:       d.Who == whoSelf,
		ReporterName:  d.Reporter,
		Relation:      d.Relation,
		IssuedAt:      c.e.issuedAt(d.NIK),
		From:          c.m.Chat,
		CreatedAt:     c.now,
		Deadline:      c.now.Add(c.e.VerifySLA),
	}
}

// file stores a report or sanggah and, in the same transaction, queues the citizen's
// confirmation (accepted is called once the number is assigned) and the staff chats' notices.
// On failure nothing was stored and the citizen is asked to press Kirim again.
func (c *conv) file(r *storage.Report, accepted func() string) {
	nik := registry.NIK(r.NIK)
	if err := c.tx.CreateReport(r); err != nil {
		c.e.Log.Error().Err(err).Str("nik", nik.Masked()).Str("kind", string(r.Kind)).Msg("store report")
		c.ask(msgNotStored)
		return
	}
	c.e.Log.Info().Str("report", r.ID).Str("kind", string(r.Kind)).Str("nik", nik.Masked()).Str("chat", c.m.Chat.Channel).Msg("report submitted")
	c.say(accepted()).Event = EventCitizenFinal
	c.out = append(c.out, c.e.staffNotice(r)...)
	c.fire(evDone)
}

// phoneAnswer puts a normalised phone number in the session, or asks again.
func (c *conv) phoneAnswer(text string) bool {
	p, ok := normalizePhone(text)
	if !ok && c.s.State == stPhone && pick(noPhoneOptions, text) >= 0 {
		if c.d.Who != whoOther {
			c.say(msgPhoneSelfNeeded)
			return false
		}
		// A neighbour without a phone is common; staff will visit instead of calling.
		c.pull()
		c.d.Phone, c.d.NoPhone = "", true
		return true
	}
	if !ok {
		c.ask(msgPhoneInvalid)
		return false
	}
	c.pull()
	c.d.Phone, c.d.NoPhone = p, false
	return true
}

// issuedElsewhere names where a NIK from outside the service regency was issued, for staff.
func (e *Engine) issuedElsewhere(nik registry.NIK) string {
	info := nik.Info()
	if info.Regency == e.Area.Regency.Code {
		return ""
	}
	var parts []string
	if info.KecamatanName != "" {
		parts = append(parts, "Kec. "+info.KecamatanName)
	}
	if info.RegencyName != "" {
		parts = append(parts, info.RegencyName)
	}
	if info.ProvinceName != "" {
		parts = append(parts, info.ProvinceName)
	}
	if len(parts) == 0 {
		return "kode wilayah " + info.Regency
	}
	return strings.Join(parts, ", ")
}

// normalizePhone accepts 08…, 62…, +62… with any spacing and returns 62… digits.
// A number typed without its leading 0 ("812 3456 7890") is the usual mobile number.
func normalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(asciiDigits(s))
	if strings.HasPrefix(s, "8") {
		s = "0" + s
	}
	return config.NormalizePhone(s)
}

func maskNIK(s string) string {
	if nik, err := registry.ParseNIK(s); err == nil {
		return nik.Masked()
	}
	return "****"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
