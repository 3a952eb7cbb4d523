package flows

import (
	"context"
	"errors"
	"fmt"
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
	whoSelf, whoOther                    = "diri", "orang lain"
	evDone, evBack, evReview, evEditPick = "done", "back", "review", "edit"
)

// transitions is the dialogue graph. looplab/fsm checks every move against it, so a session
// whose state and event disagree (an old button, a stale session) cannot wander off the graph.
var transitions = fsm.Events{
	{Name: "lapor", Src: []string{stMenu}, Dst: stWho},
	{Name: "who", Src: []string{stWho}, Dst: stNIK},
	{Name: "nik", Src: []string{stNIK}, Dst: stName},
	{Name: "name", Src: []string{stName}, Dst: stAddress},
	{Name: "address", Src: []string{stAddress}, Dst: stKecamatan},
	{Name: "kecamatan", Src: []string{stKecamatan}, Dst: stDesa},
	{Name: "desa", Src: []string{stDesa}, Dst: stReason},
	{Name: "reason", Src: []string{stReason}, Dst: stPhone},
	{Name: "reason_other", Src: []string{stReason}, Dst: stReasonText},
	{Name: "reason_text", Src: []string{stReasonText}, Dst: stPhone},
	{Name: "phone_self", Src: []string{stPhone}, Dst: stConfirm},
	{Name: "phone_other", Src: []string{stPhone}, Dst: stReporter},
	{Name: "reporter", Src: []string{stReporter}, Dst: stRelation},
	{Name: "relation", Src: []string{stRelation}, Dst: stConfirm},
	{Name: evEditPick, Src: []string{stConfirm}, Dst: stEdit},
	{Name: "edit_nik", Src: []string{stEdit}, Dst: stNIK},
	{Name: "edit_name", Src: []string{stEdit}, Dst: stName},
	{Name: "edit_address", Src: []string{stEdit}, Dst: stAddress},
	{Name: "edit_kecamatan", Src: []string{stEdit}, Dst: stKecamatan},
	{Name: "edit_desa", Src: []string{stEdit}, Dst: stDesa},
	{Name: "edit_reason", Src: []string{stEdit}, Dst: stReason},
	{Name: "edit_phone", Src: []string{stEdit}, Dst: stPhone},
	{Name: "edit_reporter", Src: []string{stEdit}, Dst: stReporter},
	{Name: "edit_relation", Src: []string{stEdit}, Dst: stRelation},
	{Name: evReview, Src: []string{stNIK, stName, stAddress, stDesa, stReason, stReasonText, stPhone, stReporter, stRelation}, Dst: stConfirm},

	{Name: "cek", Src: []string{stMenu}, Dst: stCek},

	{Name: "sanggah", Src: []string{stMenu}, Dst: stSgNIK},
	{Name: "sg_nik", Src: []string{stSgNIK}, Dst: stSgPerson},
	{Name: "sg_person", Src: []string{stSgPerson}, Dst: stSgReason},
	{Name: "sg_reason", Src: []string{stSgReason}, Dst: stSgText},
	{Name: "sg_text", Src: []string{stSgText}, Dst: stSgName},
	{Name: "sg_name", Src: []string{stSgName}, Dst: stSgPhone},
	{Name: "sg_phone", Src: []string{stSgPhone}, Dst: stSgConfirm},

	{Name: evDone, Src: allStates, Dst: stMenu},
}

var allStates = []string{stMenu, stWho, stNIK, stName, stAddress, stKecamatan, stDesa, stReason,
	stReasonText, stPhone, stReporter, stRelation, stConfirm, stEdit, stCek, stSgNIK, stSgPerson,
	stSgReason, stSgText, stSgName, stSgPhone, stSgConfirm}

// editFields are what "Ubah" offers, in summary order, with the event that opens each.
var editFields = []struct {
	option
	event     string
	otherOnly bool
}{
	{option{"nik", "NIK"}, "edit_nik", false},
	{option{"nama", "Nama"}, "edit_name", false},
	{option{"alamat", "Alamat"}, "edit_address", false},
	{option{"kecamatan", "Kecamatan dan desa"}, "edit_kecamatan", false},
	{option{"desa", "Desa/kelurahan"}, "edit_desa", false},
	{option{"alasan", "Alasan"}, "edit_reason", false},
	{option{"telepon", "Nomor HP"}, "edit_phone", false},
	{option{"pelapor", "Nama pelapor"}, "edit_reporter", true},
	{option{"hubungan", "Hubungan"}, "edit_relation", true},
}

// conv is one message's worth of dialogue: the engine, the open transaction, the session being
// changed and the replies being gathered.
type conv struct {
	e   *Engine
	ctx context.Context
	tx  *storage.Tx
	m   Message
	s   *storage.Session
	now time.Time
	out []Reply
}

func (c *conv) say(text string, args ...any) *Reply {
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

func (e *Engine) citizen(ctx context.Context, tx *storage.Tx, m Message) ([]Reply, error) {
	s, err := tx.Session(m.Chat)
	fresh := errors.Is(err, storage.ErrNotFound)
	if err != nil && !fresh {
		return nil, err
	}
	if fresh {
		s = &storage.Session{State: stMenu}
	}
	c := &conv{e: e, ctx: ctx, tx: tx, m: m, s: s, now: tx.Now}
	if s.Data == nil {
		s.Data = map[string]string{}
	}
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
	case e.SessionTTL > 0 && s.State != stMenu && c.now.Sub(s.UpdatedAt) > e.SessionTTL:
		c.reset()
		c.say(msgExpired, words(e.SessionTTL))
		c.prompt()
	default:
		c.handleText()
	}
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
	if m.Step != "" && m.Step != c.s.State {
		// A button from an earlier question: show where we are instead of mis-answering.
		c.ask(msgStaleButton)
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
		c.reset()
		c.prompt()
	case "bantuan", "help", "tolong", "?":
		c.say(msgHelp)
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
	c.s.Flow, c.s.State, c.s.Data, c.s.Back = "", stMenu, map[string]string{}, nil
}

// machine rebuilds the FSM at the session's state: nothing of it outlives this message. It is
// built from only the edges that leave that state (the same graph, as far as this message can
// see), because the step runs inside the store's single writer and every microsecond there is
// paid by all the chats waiting behind it.
func (c *conv) machine() *fsm.FSM {
	return fsm.NewFSM(c.s.State, edgesFrom[c.s.State], nil)
}

// edgesFrom indexes the transitions by source state.
var edgesFrom = func() map[string]fsm.Events {
	m := map[string]fsm.Events{}
	for _, ev := range transitions {
		for _, src := range ev.Src {
			m[src] = append(m[src], fsm.EventDesc{Name: ev.Name, Src: []string{src}, Dst: ev.Dst})
		}
	}
	return m
}()

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
		c.s.Flow, c.s.Data, c.s.Back = "", map[string]string{}, nil
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
	prev := c.s.Back[len(c.s.Back)-1]
	c.s.Back = c.s.Back[:len(c.s.Back)-1]
	if prev == stMenu {
		c.reset()
		c.prompt()
		return
	}
	if prev == stConfirm || prev == stEdit {
		delete(c.s.Data, kEditing)
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
	d := c.s.Data
	switch c.s.State {
	case stMenu:
		c.choose(msgMenu, menuOptions, 0)
	case stWho:
		c.choose(msgAskWho, whoOptions, 0)
	case stNIK:
		if d[kWho] == whoSelf {
			c.say(msgAskNIKSelf)
		} else {
			c.say(msgAskNIK)
		}
	case stName:
		c.say(msgAskName)
	case stAddress:
		c.say(msgAskAddress)
	case stKecamatan:
		c.choose(fmt.Sprintf(msgAskKecamatan, c.e.Area.Regency.Name), c.e.Area.kecamatanOptions(), 2)
	case stDesa:
		c.choose(fmt.Sprintf(msgAskDesa, d[kKec]), c.e.Area.desaOptions(d[kKecCode]), 2)
	case stReason:
		c.choose(msgAskReason, reportReasons, 0)
	case stReasonText:
		c.say(msgAskReasonText, maxFreeText)
	case stPhone:
		r := c.say(msgAskPhone + "\n" + msgAskPhoneContact)
		r.AskContact = true
		r.Step = stPhone
	case stReporter:
		c.say(msgAskReporter)
	case stRelation:
		c.say(msgAskRelation)
	case stConfirm:
		c.choose(msgSummaryHead+"\n"+c.summary()+"\n\n"+msgSummaryAsk, confirmOptions, 3)
	case stEdit:
		c.choose(msgAskEditField, c.editOptions(), 2)
	case stCek:
		c.say(msgAskCek)
	case stSgNIK:
		c.say(msgAskSgNIK)
	case stSgPerson:
		c.choose(fmt.Sprintf(msgSgConfirm, maskNIK(d[kNIK]), d[kSgName], d[kSgPrograms]), yesNoOptions, 2)
	case stSgReason:
		c.choose(msgSgAskReason, sanggahReasons, 0)
	case stSgText:
		c.say(msgSgAskText, maxFreeText)
	case stSgName:
		c.say(msgSgAskName)
	case stSgPhone:
		r := c.say(msgSgAskPhone + "\n" + msgAskPhoneContact)
		r.AskContact = true
		r.Step = stSgPhone
	case stSgConfirm:
		c.choose(msgSgSummaryHead+"\n"+c.sanggahSummary()+"\n\n"+msgSummaryAsk, sanggahConfirm, 2)
	}
}

// choose asks a question with options, numbered so any channel can show them.
func (c *conv) choose(question string, opts []option, columns int) {
	r := c.say(question)
	r.Choices = choices(opts)
	r.Columns = columns
	r.Step = c.s.State
}

func (c *conv) editOptions() []option {
	var opts []option
	for _, f := range editFields {
		if f.otherOnly && c.s.Data[kWho] != whoOther {
			continue
		}
		opts = append(opts, f.option)
	}
	return opts
}

func (c *conv) badChoice(n int) { c.ask(fmt.Sprintf(msgPickChoice, n)) }

// answer takes the citizen's text as the answer to the current question.
func (c *conv) answer(text string) {
	d := c.s.Data
	switch c.s.State {
	case stMenu:
		c.menu(text)
	case stWho:
		i := pick(whoOptions, text)
		if i < 0 {
			c.badChoice(len(whoOptions))
			return
		}
		d[kWho] = whoOptions[i].Key
		if d[kWho] == whoOther {
			c.say(msgOtherNotice)
		}
		c.fire("who")
	case stNIK:
		c.laporNIK(text)
	case stName:
		if v, ok := c.nameAnswer(text); ok {
			d[kName] = v
			c.next("name")
		}
	case stAddress:
		if v, ok := c.freeAnswer(text, minAddress, maxAddress); ok {
			d[kAddress] = v
			c.next("address")
		}
	case stKecamatan:
		k, ok := c.e.Area.findKecamatan(text)
		if !ok {
			c.ask(fmt.Sprintf(msgKecUnknown, truncate(text, 40), c.e.Area.Regency.Name) + " " + fmt.Sprintf(msgNotInArea, c.e.Area.Regency.Name))
			return
		}
		if d[kKecCode] != k.Code {
			delete(d, kDesa)
		}
		d[kKecCode], d[kKec] = k.Code, k.Name
		c.fire("kecamatan") // a new kecamatan always needs its desa, even when editing
	case stDesa:
		v, ok := c.e.Area.findDesa(d[kKecCode], text)
		if !ok {
			c.ask(fmt.Sprintf(msgDesaUnknown, truncate(text, 40), d[kKec]))
			return
		}
		d[kDesa] = v
		c.next("desa")
	case stReason:
		i := pick(reportReasons, text)
		if i < 0 {
			c.badChoice(len(reportReasons))
			return
		}
		d[kReason] = reportReasons[i].Key
		if d[kReason] == "lainnya" {
			c.fire("reason_other") // the free text is part of the answer, even when editing
			return
		}
		delete(d, kReasonText)
		c.next("reason")
	case stReasonText:
		if v, ok := c.freeAnswer(text, minFreeText, maxFreeText); ok {
			d[kReasonText] = v
			c.next("reason_text")
		}
	case stPhone:
		if !c.phoneAnswer(text) {
			return
		}
		if d[kWho] == whoOther && (d[kReporter] == "" || d[kRelation] == "") {
			c.fire("phone_other")
			return
		}
		c.next("phone_self")
	case stReporter:
		if v, ok := c.nameAnswer(text); ok {
			d[kReporter] = v
			c.next("reporter")
		}
	case stRelation:
		if v, ok := c.freeAnswer(text, 2, maxRelation); ok {
			d[kRelation] = v
			c.next("relation")
		}
	case stConfirm:
		c.confirm(text)
	case stEdit:
		opts := c.editOptions()
		i := pick(opts, text)
		if i < 0 {
			c.badChoice(len(opts))
			return
		}
		d[kEditing] = "1"
		for _, f := range editFields {
			if f.Key == opts[i].Key {
				c.fire(f.event)
			}
		}
	case stCek:
		c.cek(text)
	case stSgNIK, stSgPerson, stSgReason, stSgText, stSgName, stSgPhone, stSgConfirm:
		c.sanggah(text)
	}
}

// next moves on after an answer; while editing from the summary, it goes back to the summary.
func (c *conv) next(event string) {
	if c.s.Data[kEditing] != "" {
		delete(c.s.Data, kEditing)
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
		c.say(msgHelp)
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
		c.say(msgAutoRejectedAgain, nik.Masked(), r.ID, c.e.Agency).Event = EventCitizenFinal
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
	c.say(msgAutoRejected, nik.Masked(), programLines(progs, false), r.ID, c.e.Agency).Event = EventCitizenFinal
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

func (c *conv) summary() string {
	d := c.s.Data
	lines := []string{
		"Untuk: " + map[string]string{whoSelf: msgForSelf, whoOther: msgForOther}[d[kWho]],
		"NIK: " + d[kNIK],
		"Nama: " + d[kName],
		"Alamat: " + d[kAddress],
		"Desa/Kel.: " + d[kDesa],
		"Kecamatan: " + d[kKec],
		"Alasan: " + reasonLabel(reportReasons, d[kReason], d[kReasonText]),
		"No. HP: " + d[kPhone],
	}
	if d[kWho] == whoOther {
		lines = append(lines, "Pelapor: "+d[kReporter]+" ("+d[kRelation]+")")
	}
	return strings.Join(lines, "\n")
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
	d := c.s.Data
	nik := registry.NIK(d[kNIK])
	// Another chat may have reported the same NIK while this dialogue was open.
	if open, err := c.tx.OpenReportByNIK(d[kNIK], storage.KindReport); err == nil {
		c.say(msgDuplicate, open.ID, statusLabel[string(open.Status)], stamp(open.CreatedAt)).Event = EventCitizenFinal
		c.fire(evDone)
		c.prompt()
		return
	}
	r := &storage.Report{
		Kind:          storage.KindReport,
		Status:        storage.StatusSubmitted,
		NIK:           d[kNIK],
		Name:          d[kName],
		Address:       d[kAddress],
		Desa:          d[kDesa],
		Kecamatan:     d[kKec],
		KecamatanCode: d[kKecCode],
		Reason:        d[kReason],
		ReasonText:    d[kReasonText],
		Phone:         d[kPhone],
		ForSelf:       d[kWho] == whoSelf,
		ReporterName:  d[kReporter],
		Relation:      d[kRelation],
		IssuedAt:      c.e.issuedElsewhere(nik),
		From:          c.m.Chat,
		CreatedAt:     c.now,
		Deadline:      c.now.Add(c.e.VerifySLA),
	}
	c.file(r, func() string {
		return fmt.Sprintf(msgAccepted, r.ID, c.e.Agency, words(c.e.VerifySLA), stamp(r.Deadline), words(c.e.DeliverySLA))
	})
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
	if !ok {
		c.ask(msgPhoneInvalid)
		return false
	}
	c.s.Data[kPhone] = p
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
func normalizePhone(s string) (string, bool) { return config.NormalizePhone(asciiDigits(s)) }

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
