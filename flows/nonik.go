package flows

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// State of the note on why a person has no NIK; stored in sessions, so never renamed.
const stNoNIKNote = "lapor_nonik_note"

// kNoNIKNote is the note's session key. A draft is "without NIK" exactly when it holds a note:
// the note step comes right after the choice, and typing a NIK later removes it.
const kNoNIKNote = "nonik_note"

// maxNoNIKNote keeps the note short: staff read it in the group post.
const maxNoNIKNote = 200

func (d *draft) noNIK() bool { return d.NoNIKNote != "" }

// noNIKStep is the note's entry in the step table (steps.go).
var noNIKStep = &step{state: stNoNIKNote, flow: "lapor", ask: func(c *conv) { c.say(msgAskNoNIKNote, maxNoNIKNote) },
	ev: "nonik_note", next: stName, only: func(d *draft) bool { return d.noNIK() },
	answer: answerNoNIKNote,
	edit:   editNoNIKNote, review: func(d *draft) string { return fmt.Sprintf(msgReviewNoNIKNote, d.NoNIKNote) }}

// answerNoNIKNote takes the note: a few words, not only emoji or digits (staff must read it).
func answerNoNIKNote(c *conv, st *step, text string) {
	if !strings.ContainsFunc(text, unicode.IsLetter) {
		c.ask(msgNoNIKNoteWords)
		return
	}
	textStep(minFreeText, maxNoNIKNote, func(d *draft) *string { return &d.NoNIKNote })(c, st, text)
}

// saysNoNIK reports whether an answer at the NIK step says the person has no NIK/KTP: the button,
// its number when no other question is open, or a phrase of the synonym table ("saya tidak punya
// KTP") in a text that holds no NIK.
func (c *conv) saysNoNIK(text string) bool {
	t := fold(text)
	if t == noNIKOptions[0].Key || t == strings.ToLower(noNIKOptions[0].Label) {
		return true
	}
	if c.d.PendingNIK == "" && (t == "1" || t == "satu") {
		return true
	}
	if nik, _ := extractNIK(text); len(nik) == 16 {
		return false
	}
	return pickSynonym(noNIKOptions, t) == 0
}

// noNIKAnswer continues a report without NIK: no registry check and no lookup spent, the note
// on why comes next (even when editing: it is part of the answer).
func (c *conv) noNIKAnswer(text string) bool {
	if !c.saysNoNIK(text) {
		return false
	}
	c.d.PendingNIK, c.d.PendingWhy, c.d.NIK = "", "", ""
	c.say(msgNoNIKStart)
	c.fire("nonik")
	return true
}

// askNIKChoice asks for the NIK with the "no NIK/KTP" button.
func (c *conv) askNIKChoice(q string) { c.choose(q, noNIKOptions, 1) }

// nikReview is the NIK line of the summary.
func nikReview(d *draft) string {
	if d.noNIK() {
		return msgReviewNoNIK
	}
	return fmt.Sprintf(msgReviewNIK, d.NIK)
}

// submitNoNIK files a report without NIK. Duplicates cannot be refused by NIK; earlier reports
// on the same name in the same desa are found in the same transaction and shown to staff.
func (c *conv) submitNoNIK(r *storage.Report) {
	earlier, err := c.tx.ReportsByNameDesa(r.KecamatanCode, r.Desa, r.Name)
	if err != nil {
		c.e.Log.Error().Err(err).Msg("reports by name and desa")
		c.ask(msgNotStored)
		return
	}
	for _, e := range earlier {
		r.PossibleDuplicates = append(r.PossibleDuplicates, e.ID)
	}
	r.NIK, r.NoNIK, r.NoNIKNote = "", true, c.d.NoNIKNote
	c.file(r, func() string {
		return fmt.Sprintf(msgAccepted, r.ID, c.e.Agency, words(c.e.VerifySLA), stamp(r.Deadline), words(c.e.DeliverySLA)) + "\n" + msgAcceptedNoNIK
	})
}

// staffNameLine is the name line of a staff post: with the masked NIK, or marked TANPA NIK with
// the citizen's note and any possible duplicates.
func staffNameLine(r *storage.Report) string {
	if !r.NoNIK {
		return fmt.Sprintf(msgStaffName, r.Name, maskNIK(r.NIK), ageNote(r))
	}
	s := msgStaffNoNIKMark + "\n" + fmt.Sprintf(msgStaffNameNoNIK, r.Name)
	if r.NoNIKNote != "" {
		s += "\n" + fmt.Sprintf(msgStaffNoNIKNote, r.NoNIKNote)
	}
	if len(r.PossibleDuplicates) > 0 {
		s += "\n" + fmt.Sprintf(msgStaffPossibleDup, strings.Join(r.PossibleDuplicates, ", "))
	}
	return s
}

// detailNIK is the NIK in a staff member's DETAIL.
func detailNIK(r *storage.Report) string {
	if r.NoNIK {
		return msgStaffNIKNone
	}
	return r.NIK
}

// detailNoNIK adds the note and the possible duplicates, with their status, to a DETAIL.
func (s *staffTurn) detailNoNIK(b *strings.Builder, r *storage.Report) {
	if !r.NoNIK {
		return
	}
	if r.NoNIKNote != "" {
		fmt.Fprintf(b, msgStaffNoNIKNote+"\n", r.NoNIKNote)
	}
	if len(r.PossibleDuplicates) == 0 {
		return
	}
	b.WriteString(msgStaffDupHead + "\n")
	for _, id := range r.PossibleDuplicates {
		d, err := s.tx.Report(id)
		if err != nil {
			// A hint only: a purged or damaged earlier report is named without its details.
			b.WriteString("• " + id + "\n")
			continue
		}
		status, date := statusDate(d)
		fmt.Fprintf(b, msgStaffDupLine+"\n", d.ID, d.Name, status, date)
	}
}

// ownNIK is how a citizen's own report names its person in Cek.
func ownNIK(r *storage.Report) string {
	if r.NoNIK {
		return msgCekOwnNoNIK
	}
	return "NIK " + maskNIK(r.NIK)
}

// briefNoNIK marks a report without NIK in staff lists.
func briefNoNIK(r *storage.Report) string {
	if r.NoNIK {
		return " · " + msgStaffNIKNone
	}
	return ""
}

// issuedAt is where a report's NIK was issued when outside the service area; none without NIK.
func (e *Engine) issuedAt(nik string) string {
	if nik == "" {
		return ""
	}
	return e.issuedElsewhere(registry.NIK(nik))
}
