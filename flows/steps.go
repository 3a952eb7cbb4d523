package flows

import (
	"fmt"

	"github.com/looplab/fsm"
)

// step is one question of a dialogue, everything about it in one entry: how it is asked, how
// its answer is taken, where a good answer leads, and how it appears on the summary and in the
// Ubah list. The state list, the FSM graph, the summary and the Ubah options are all derived
// from the table below, so adding a question is adding one entry.
type step struct {
	state string
	flow  string // "lapor", "cek", "sanggah"; "" for the menu
	ask   func(c *conv)
	// answer takes the citizen's text; on a good answer it calls c.next(st.ev) (or fires one of
	// alt's events), otherwise c.ask with what was wrong.
	answer func(c *conv, st *step, text string)
	ev     string            // the event of a good answer; leads to next
	next   string            //
	alt    map[string]string // other events a good answer may fire, to their states
	// chain marks a step whose answer always needs the following step too, even when editing
	// from the summary (a new kecamatan needs its desa).
	chain bool
	// edit is this step's entry in the Ubah list; a zero Key means it cannot be edited alone.
	edit option
	// review is its line on the summary; nil when it has none.
	review func(d *draft) string
	// only limits review and edit to drafts for which it is true (reporter lines: someone else).
	only func(d *draft) bool
}

func forOther(d *draft) bool { return d.Who == whoOther }

// say/choose builders keep the table readable.
func asks(text string) func(c *conv) { return func(c *conv) { c.say(text) } }

func asksChoice(text string, opts []option, columns int) func(c *conv) {
	return func(c *conv) { c.choose(text, opts, columns) }
}

// steps is every dialogue step. Order matters only within a flow: it is the summary's order and
// the Ubah list's order.
var steps = []*step{
	{state: stMenu, ask: asksChoice(msgMenu, menuOptions, 0), answer: func(c *conv, _ *step, t string) { c.menu(t) }},

	// Lapor.
	{state: stWho, flow: "lapor", ask: asksChoice(msgAskWho, whoOptions, 0), answer: answerWho, ev: "who", next: stNIK,
		review: func(d *draft) string { return fmt.Sprintf(msgReviewWho, whoLabel(d.Who)) }},
	{state: stNIK, flow: "lapor", ask: askNIK, ev: "nik", next: stName,
		answer: answerNIK, alt: map[string]string{"nonik": stNoNIKNote},
		edit: editNIK, review: nikReview},
	noNIKStep, // a person without NIK/KTP: why (nonik.go)
	{state: stName, flow: "lapor", ask: asks(msgAskName), ev: "name", next: stAddress,
		answer: nameStep(func(d *draft) *string { return &d.Name }),
		edit:   editName, review: func(d *draft) string { return fmt.Sprintf(msgReviewName, d.Name) }},
	{state: stAddress, flow: "lapor", ask: asks(msgAskAddress), ev: "address", next: stKecamatan,
		answer: textStep(minAddress, maxAddress, func(d *draft) *string { return &d.Address }),
		edit:   editAddress, review: func(d *draft) string { return fmt.Sprintf(msgReviewAddress, d.Address) }},
	{state: stKecamatan, flow: "lapor", ask: askKecamatan, answer: answerKecamatan, ev: "kecamatan", next: stDesa, chain: true,
		alt:  map[string]string{"kecamatan_desa": stReason},
		edit: editKec, review: func(d *draft) string { return fmt.Sprintf(msgReviewKec, d.Kec) }},
	{state: stDesa, flow: "lapor", ask: askDesa, answer: answerDesa, ev: "desa", next: stReason,
		edit: editDesa, review: func(d *draft) string { return fmt.Sprintf(msgReviewDesa, d.Desa) }},
	{state: stReason, flow: "lapor", ask: asksChoice(msgAskReason, reportReasons, 0), answer: answerReason, ev: "reason", next: stPhone,
		alt:  map[string]string{"reason_other": stReasonText},
		edit: editReason, review: func(d *draft) string {
			return fmt.Sprintf(msgReviewReason, reasonLabel(reportReasons, d.Reason, d.ReasonText))
		}},
	{state: stReasonText, flow: "lapor", ask: func(c *conv) { c.say(msgAskReasonText, maxFreeText) }, ev: "reason_text", next: stPhone,
		answer: textStep(minFreeText, maxFreeText, func(d *draft) *string { return &d.ReasonText })},
	{state: stPhone, flow: "lapor", ask: askPhone, answer: answerPhone, ev: "phone_self", next: stConfirm,
		alt:  map[string]string{"phone_other": stReporter},
		edit: editPhone, review: func(d *draft) string { return fmt.Sprintf(msgReviewPhone, phoneLabel(d)) }},
	{state: stReporter, flow: "lapor", ask: asks(msgAskReporter), ev: "reporter", next: stRelation, only: forOther,
		answer: nameStep(func(d *draft) *string { return &d.Reporter }),
		edit:   editReporter, review: func(d *draft) string { return fmt.Sprintf(msgReviewReporter, d.Reporter, d.Relation) }},
	{state: stRelation, flow: "lapor", ask: asks(msgAskRelation), ev: "relation", next: stConfirm, only: forOther,
		answer: textStep(2, maxRelation, func(d *draft) *string { return &d.Relation }),
		edit:   editRelation},
	{state: stConfirm, flow: "lapor", ask: askConfirm, answer: func(c *conv, _ *step, t string) { c.confirm(t) },
		alt: map[string]string{evEditPick: stEdit}},
	{state: stEdit, flow: "lapor", ask: func(c *conv) { c.choose(msgAskEditField, c.editOptions(), 2) }, answer: answerEdit},

	// Cek.
	cekStep, cekNameKecStep, cekNameDesaStep, // by NIK, report number, or name in a desa (cekname.go)

	// Sanggah: its answers live in sanggah.go and still speak the map form of the draft; the
	// person may also be found by name in a desa (sgname.go).
	{state: stSgNIK, flow: "sanggah", ask: asks(msgAskSgNIKOrName), answer: answerSgNIK, ev: "sg_nik", next: stSgPerson,
		alt: map[string]string{evByName: stSgNameKec}},
	sgNameKecStep, sgNameDesaStep, sgNamePickStep,
	{state: stSgPerson, flow: "sanggah", ask: func(c *conv) {
		d := c.d
		c.choose(fmt.Sprintf(msgSgConfirm, maskNIK(d.NIK), d.SgName, d.SgPrograms), yesNoOptions, 2)
	}, answer: sanggahStep, ev: "sg_person", next: stSgReason},
	{state: stSgReason, flow: "sanggah", ask: asksChoice(msgSgAskReason, sanggahReasons, 0), answer: sanggahStep, ev: "sg_reason", next: stSgText},
	{state: stSgText, flow: "sanggah", ask: func(c *conv) { c.say(msgSgAskText, maxFreeText) }, answer: sanggahStep, ev: "sg_text", next: stSgName},
	{state: stSgName, flow: "sanggah", ask: asks(msgSgAskName), answer: sanggahStep, ev: "sg_name", next: stSgPhone},
	{state: stSgPhone, flow: "sanggah", ask: func(c *conv) {
		r := c.say(msgSgAskPhone + "\n" + msgAskPhoneContact)
		r.AskContact = true
		r.Step = stSgPhone
	}, answer: sanggahStep, ev: "sg_phone", next: stSgConfirm},
	{state: stSgConfirm, flow: "sanggah", ask: func(c *conv) {
		c.choose(msgSgSummaryHead+"\n"+c.sanggahSummary()+"\n\n"+msgSgSummaryAsk, sanggahConfirm, 2)
	}, answer: sanggahStep},
}

func sanggahStep(c *conv, _ *step, t string) { c.viaMap(func() { c.sanggah(t) }) }

// Derived from steps.
var (
	stepOf    = map[string]*step{}
	stepOrder []*step // steps, for code the table itself refers to
	allStates []string
	// transitions is the dialogue graph. looplab/fsm checks every move against it, so a session
	// whose state and event disagree (an old button, a stale session) cannot wander off it.
	transitions fsm.Events
	// edgesFrom indexes the transitions by source state.
	edgesFrom = map[string]fsm.Events{}
	// flowStart is the first step of each flow, entered from the menu by the flow's name.
	flowStart = map[string]string{"lapor": stWho, "cek": stCek, "sanggah": stSgNIK}
)

func editEvent(state string) string { return "edit:" + state }

func init() {
	steps = append(steps, pengaduanSteps...)
	steps = append(steps, receiptStep)
	flowStart["pengaduan"] = stPgKind
	var review []string
	for _, st := range steps {
		stepOf[st.state] = st
		stepOrder = append(stepOrder, st)
		allStates = append(allStates, st.state)
		if st.ev != "" {
			transitions = append(transitions, fsm.EventDesc{Name: st.ev, Src: []string{st.state}, Dst: st.next})
		}
		for ev, dst := range st.alt {
			transitions = append(transitions, fsm.EventDesc{Name: ev, Src: []string{st.state}, Dst: dst})
		}
		if st.flow == "lapor" && st.ev != "" && !st.chain {
			review = append(review, st.state)
		}
		if st.edit.Key != "" {
			transitions = append(transitions, fsm.EventDesc{Name: editEvent(st.state), Src: []string{stEdit}, Dst: st.state})
		}
	}
	// A kecamatan whose desa is already known (typed together) may go straight to the summary.
	review = append(review, stKecamatan)
	transitions = append(transitions, fsm.EventDesc{Name: evReview, Src: review, Dst: stConfirm})
	for flow, first := range flowStart {
		transitions = append(transitions, fsm.EventDesc{Name: flow, Src: []string{stMenu}, Dst: first})
	}
	transitions = append(transitions, fsm.EventDesc{Name: evDone, Src: allStates, Dst: stMenu})
	for _, ev := range transitions {
		for _, src := range ev.Src {
			edgesFrom[src] = append(edgesFrom[src], fsm.EventDesc{Name: ev.Name, Src: []string{src}, Dst: ev.Dst})
		}
	}
}

// nameStep takes a name (as on a KTP) into a field of the draft.
func nameStep(field func(d *draft) *string) func(c *conv, st *step, text string) {
	return func(c *conv, st *step, text string) {
		if v, ok := c.nameAnswer(text); ok {
			*field(c.d) = v
			c.next(st.ev)
		}
	}
}

// textStep takes free text of min..max characters into a field of the draft.
func textStep(min, max int, field func(d *draft) *string) func(c *conv, st *step, text string) {
	return func(c *conv, st *step, text string) {
		if v, ok := c.freeAnswer(text, min, max); ok {
			*field(c.d) = v
			c.next(st.ev)
		}
	}
}

// draft is a report or sanggah being written: the answers so far. Stored sessions keep it as
// the string map they always had (the keys below), so sessions saved by earlier builds resume.
type draft struct {
	Who, NIK, Name, Address   string
	KecCode, Kec, Desa        string
	Reason, ReasonText, Phone string
	Reporter, Relation        string
	SgName, SgPrograms        string
	// Suggest holds the keys of the places last offered as "maksud Anda …?".
	Suggest string
	// PendingNIK is a typed NIK waiting for the citizen's yes (corrected letters, or a child's
	// birth date); PendingWhy says which question was asked.
	PendingNIK, PendingWhy string
	// Paused is a dialogue put aside at expiry (JSON, see paused); AskLeave is set while
	// "menu" waits for a yes before dropping the draft.
	Paused, AskLeave string
	// NoPhone: the person reported has no phone (only for someone else).
	NoPhone bool
	Editing bool

	// NoNIKNote is why the person has no NIK/KTP; set only on a report without NIK (nonik.go).
	NoNIKNote string

	// extra keeps keys this build does not know (written by a newer build, or by code that
	// still speaks the map form), so they survive a step unchanged.
	extra map[string]string
}

// draftFields maps the stored keys to the draft's fields.
var draftFields = []struct {
	key   string
	field func(d *draft) *string
}{
	{kWho, func(d *draft) *string { return &d.Who }},
	{kNIK, func(d *draft) *string { return &d.NIK }},
	{kName, func(d *draft) *string { return &d.Name }},
	{kAddress, func(d *draft) *string { return &d.Address }},
	{kKecCode, func(d *draft) *string { return &d.KecCode }},
	{kKec, func(d *draft) *string { return &d.Kec }},
	{kDesa, func(d *draft) *string { return &d.Desa }},
	{kReason, func(d *draft) *string { return &d.Reason }},
	{kReasonText, func(d *draft) *string { return &d.ReasonText }},
	{kPhone, func(d *draft) *string { return &d.Phone }},
	{kReporter, func(d *draft) *string { return &d.Reporter }},
	{kRelation, func(d *draft) *string { return &d.Relation }},
	{kSgName, func(d *draft) *string { return &d.SgName }},
	{kSgPrograms, func(d *draft) *string { return &d.SgPrograms }},
	{kSuggest, func(d *draft) *string { return &d.Suggest }},
	{kPendingNIK, func(d *draft) *string { return &d.PendingNIK }},
	{kPendingWhy, func(d *draft) *string { return &d.PendingWhy }},
	{kPaused, func(d *draft) *string { return &d.Paused }},
	{kAskLeave, func(d *draft) *string { return &d.AskLeave }},
	{kNoNIKNote, func(d *draft) *string { return &d.NoNIKNote }},
}

func decodeDraft(m map[string]string) *draft {
	d := &draft{}
	if len(m) == 0 {
		return d
	}
	known := 0
	for _, f := range draftFields {
		if v, ok := m[f.key]; ok {
			*f.field(d) = v
			known++
		}
	}
	if v, ok := m[kEditing]; ok {
		d.Editing = v != ""
		known++
	}
	if v, ok := m[kNoPhone]; ok {
		d.NoPhone = v != ""
		known++
	}
	if known < len(m) {
		d.extra = map[string]string{}
		for k, v := range m {
			if !isDraftKey(k) {
				d.extra[k] = v
			}
		}
	}
	return d
}

func isDraftKey(k string) bool {
	if k == kEditing || k == kNoPhone {
		return true
	}
	for _, f := range draftFields {
		if f.key == k {
			return true
		}
	}
	return false
}

func (d *draft) encode() map[string]string {
	var m map[string]string // nil for an empty draft: nothing to allocate or store
	set := func(k, v string) {
		if m == nil {
			m = make(map[string]string, 8+len(d.extra))
		}
		m[k] = v
	}
	for _, f := range draftFields {
		if v := *f.field(d); v != "" {
			set(f.key, v)
		}
	}
	if d.Editing {
		set(kEditing, "1")
	}
	if d.NoPhone {
		set(kNoPhone, "1")
	}
	for k, v := range d.extra {
		set(k, v)
	}
	return m
}
