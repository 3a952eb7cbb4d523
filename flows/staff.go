package flows

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// decision is what a staff command asks of a report.
var decisions = map[string]struct {
	report, sanggah storage.Status // target status per kind; "" = not for that kind
	needsReason     bool
	pengaduan       storage.Status
}{
	"layak":  {report: storage.StatusEligible},
	"tolak":  {report: storage.StatusIneligible, sanggah: storage.StatusDismissed, pengaduan: storage.StatusRefused, needsReason: true},
	"salur":  {report: storage.StatusDelivered},
	"terima": {sanggah: storage.StatusUpheld},
	// A pengaduan's follow-up and closing carry a note for the citizen.
	"tindaklanjut": {pengaduan: storage.StatusInProgress, needsReason: true},
	"selesai":      {pengaduan: storage.StatusResolved, needsReason: true},
}

func (e *Engine) staff(ctx context.Context, tx storage.Tx, m Message, o *Outcome) error {
	out, err := e.staffTurn(ctx, tx, m, o)
	o.Replies = out
	return err
}

func (e *Engine) staffTurn(ctx context.Context, tx storage.Tx, m Message, o *Outcome) ([]Reply, error) {
	text := clean(m.Text, false)
	if m.NonText != "" || text == "" || runes(text) > maxInput {
		return nil, nil
	}
	fields := strings.Fields(text)
	// Only the staff vocabulary (vocab.go) is answered; anything else in a staff chat is the staff
	// talking among themselves, and the bot stays quiet.
	verb, known := Verb(fold(fields[0]))
	cmd := strings.ToLower(verb.Word)
	if !known {
		if strings.HasPrefix(text, "/") {
			return []Reply{{To: m.Chat, Text: msgStaffUnknown}}, nil
		}
		return nil, nil
	}
	if !m.Authorized {
		// Logged with the user id so a supervisor can see who tried.
		e.Log.Warn().Str("channel", m.From.Channel).Str("user", logID(m.From)).Str("command", cmd).Msg("unauthorised staff command refused")
		return []Reply{{To: m.Chat, Text: msgStaffUnauth}}, nil
	}
	args := fields[1:]
	s := &staffTurn{e: e, tx: tx, m: m, o: o}
	o.Command = strings.ToUpper(cmd)
	switch cmd {
	case "bantuan":
		s.reply(msgStaffHelp + "\n" + fmt.Sprintf(msgStaffHelpMore, words(s.e.undoWindow())))
	case "pending":
		s.pending()
	case "statistik":
		s.stats(args)
	case "ekspor":
		s.export()
	case "cari":
		if len(args) == 0 {
			s.reply(msgStaffNeedNumber, "CARI")
			break
		}
		s.find(strings.Join(args, " "))
	case "batal":
		if len(args) == 0 {
			s.reply(msgStaffNeedNumber, "BATAL")
			break
		}
		id, _ := splitID(args)
		s.undo(id)
	case "detail":
		if len(args) == 0 {
			s.reply(msgStaffNeedNumber, "DETAIL")
			break
		}
		s.detail(canonicalID(strings.Join(args, " ")))
	default:
		if len(args) == 0 {
			s.reply(msgStaffNeedNumber, strings.ToUpper(cmd))
			break
		}
		// The number may be typed with spaces ("LB 2611 0042"); the reason is what follows it.
		id, reason := splitID(args)
		s.decide(cmd, id, reason)
	}
	return s.out, s.err
}

// splitID takes the report number from the start of args and returns the rest as the reason.
func splitID(args []string) (string, string) {
	if id, rest, ok := ParseReportNumber(strings.Join(args, " ")); ok {
		return id, rest
	}
	return strings.ToUpper(args[0]), strings.Join(args[1:], " ")
}

type staffTurn struct {
	o   *Outcome
	e   *Engine
	tx  storage.Tx
	m   Message
	out []Reply
	err error
}

func (s *staffTurn) reply(text string, args ...any) *Reply {
	if len(args) > 0 {
		text = fmt.Sprintf(text, args...)
	}
	s.out = append(s.out, Reply{To: s.m.Chat, Text: text})
	return &s.out[len(s.out)-1]
}

func (s *staffTurn) decide(cmd, id, reason string) {
	s.o.Report = id
	r, ok := s.report(id)
	if !ok {
		return
	}
	if !s.e.mayDecide(s.m.Chat, r) {
		s.o.OutOfScope = true
		s.reply(msgStaffOtherKec, r.ID, r.Kecamatan)
		return
	}
	d := decisions[cmd]
	to := d.report
	if r.Kind == storage.KindSanggah {
		to = d.sanggah
	}
	if r.Kind == storage.KindPengaduan {
		to = d.pengaduan
	}
	if to == "" {
		s.reply(msgStaffIllegal, r.ID, statusLabel[string(r.Status)], strings.ToUpper(cmd))
		return
	}
	reason = truncate(reason, maxFreeText)
	if d.needsReason && strings.TrimSpace(reason) == "" && r.Status != storage.StatusSubmitted && len(r.History) > 0 {
		// Decided already: asking for a reason would lead nowhere, so say who decided.
		last := r.History[len(r.History)-1]
		s.o.Already = &last
		if !s.m.Pressed {
			s.reply(msgStaffAlready, r.ID, actorLabel(last.By), stamp(last.At), statusLabel[string(last.To)])
		}
		return
	}
	if d.needsReason && strings.TrimSpace(reason) == "" {
		s.o.NeedsReason = true
		if r.Kind == storage.KindPengaduan {
			s.reply(msgStaffPgNeedNote, strings.ToUpper(cmd), r.ID)
			return
		}
		rep := s.reply(msgStaffNeedReason+"\n"+msgStaffReasonCategory, r.ID)
		if r.Kind == storage.KindReport {
			for _, why := range ineligibleReasons {
				rep.Actions = append(rep.Actions, Choice{Label: why, Data: Command(CmdTolak, r.ID, why)})
			}
			rep.Report = r.ID
		}
		return
	}
	by := s.m.From
	r, err := s.tx.Transition(r.ID, to, by, reason)
	var already *storage.AlreadyDecidedError
	switch {
	case errors.As(err, &already):
		prev := already.Decision
		s.o.Already = &prev
		s.reply(msgStaffAlready, already.Report, actorLabel(prev.By), stamp(prev.At), statusLabel[string(prev.To)])
		return
	case errors.Is(err, storage.ErrIllegalTransition):
		cur, _ := s.tx.Report(id)
		status := ""
		if cur != nil {
			status = statusLabel[string(cur.Status)]
		}
		s.reply(msgStaffIllegal, id, status, strings.ToUpper(cmd))
		return
	case err != nil:
		s.err = err
		return
	}
	s.o.Decided = &r.History[len(r.History)-1]
	s.e.Log.Info().Str("report", r.ID).Str("to", string(to)).Str("channel", by.Channel).Str("staff", logID(by)).Msg("staff decision")
	if !s.m.Pressed {
		// Typed, not pressed: the post that changes may be far up the chat, so say it here.
		s.reply(msgStaffTypedDone, r.ID, decisionVerb[to], words(s.e.undoWindow()), r.ID)
	}
	s.out = append(s.out, s.e.decisionNotices(r)...)
	if to == storage.StatusDelivered {
		s.askReceipt(r)
	}
}

// defaultUndoWindow is how long a decision may be taken back when LAPOR_UNDO_WINDOW is unset.
const defaultUndoWindow = 10 * time.Minute

func (e *Engine) undoWindow() time.Duration {
	if e.UndoWindow > 0 {
		return e.UndoWindow
	}
	return defaultUndoWindow
}

// undo takes back a decision (BATAL): by the staff member who made it within the window, or a
// supervisor chat. Staff chats see the correction; the citizen hears of it only when they were
// told of the decision.
func (s *staffTurn) undo(id string) {
	s.o.Report = id
	r, ok := s.report(id)
	if !ok {
		return
	}
	if !s.e.mayDecide(s.m.Chat, r) {
		s.o.OutOfScope = true
		s.reply(msgStaffOtherKec, r.ID, r.Kecamatan)
		return
	}
	window := s.e.undoWindow()
	r, undone, err := s.tx.Undo(r.ID, s.m.From, window, s.e.supervisor(s.m.Chat) && len(s.e.Routes) > 0)
	switch {
	case errors.Is(err, storage.ErrNothingToUndo):
		s.reply(msgStaffUndoNothing, id)
		return
	case errors.Is(err, storage.ErrUndoExpired):
		s.reply(msgStaffUndoLate, id, stamp(undone.At), words(window))
		return
	case errors.Is(err, storage.ErrUndoNotAllowed):
		s.reply(msgStaffUndoNotYours, id, actorLabel(undone.By))
		return
	case err != nil:
		s.err = err
		return
	}
	step := r.History[len(r.History)-1]
	s.o.Undone = &step
	s.e.Log.Info().Str("report", r.ID).Str("from", string(undone.To)).Str("to", string(step.To)).Str("channel", s.m.From.Channel).Str("staff", logID(s.m.From)).Msg("staff decision undone")
	text := fmt.Sprintf(msgStaffUndone, r.ID, decisionVerb[undone.To], actorLabel(step.By), stamp(step.At), statusLabel[string(step.To)])
	var actions []Choice
	switch {
	case step.To == storage.StatusEligible:
		actions = []Choice{action(CmdSalur, r.ID, false, ""), action(CmdDetail, r.ID, false, "")}
	case r.Kind == storage.KindSanggah:
		actions = []Choice{action(CmdTerima, r.ID, true, ""), action(CmdTolak, r.ID, true, ""), action(CmdDetail, r.ID, true, "")}
	default:
		actions = []Choice{action(CmdLayak, r.ID, false, ""), action(CmdTolak, r.ID, false, ""), action(CmdDetail, r.ID, false, "")}
	}
	for _, chat := range s.e.chatsFor(r) {
		s.out = append(s.out, Reply{To: chat, Text: text, Actions: actions, Report: r.ID, Event: EventStaffDecided})
	}
	// Every decision is told to the reporting chat (decisionNotices), so it hears the correction.
	if r.From.Channel != "" && r.PurgedAt.IsZero() {
		s.out = append(s.out, Reply{To: r.From, Text: emphasize(fmt.Sprintf(msgNotifyUndone, r.ID)), Report: r.ID})
	}
}

// findName lists the reports whose name or desa holds q, within the chat's kecamatan.
func (s *staffTurn) findName(q string) {
	needle := fold(q)
	if runes(needle) < 3 {
		s.reply(msgStaffCariShort)
		return
	}
	all := s.reports(storage.ReportFilter{})
	if s.err != nil {
		return
	}
	var hits []*storage.Report
	for _, r := range s.e.inScope(s.m.Chat, all) {
		if strings.Contains(fold(r.Name), needle) || strings.Contains(fold(r.Desa), needle) {
			hits = append(hits, r)
		}
	}
	if len(hits) == 0 {
		s.reply(msgStaffCariNameNone, q)
		return
	}
	s.reply(listText(fmt.Sprintf(msgStaffCariName, q, len(hits)), hits))
}

func hasLetter(s string) bool {
	for _, c := range s {
		if unicode.IsLetter(c) {
			return true
		}
	}
	return false
}

// report reads report id for a command, answering "not found" or, for a record the store cannot
// read, an outage: staff must not take a damaged report for a missing one.
func (s *staffTurn) report(id string) (*storage.Report, bool) {
	r, err := s.tx.Report(id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		s.o.NotFound = true
		s.reply(msgStaffNotFound, id)
		return nil, false
	case errors.Is(err, storage.ErrDamagedRecord):
		s.e.Log.Error().Err(err).Str("report", id).Msg("staff command on a damaged report")
		s.reply(msgStaffReportDamaged, id)
		return nil, false
	case err != nil:
		s.err = err
		return nil, false
	}
	return r, true
}

// decisionNotices tell every staff chat and the citizen who reported about the latest decision.
func (e *Engine) decisionNotices(r *storage.Report) []Reply {
	last := r.History[len(r.History)-1]
	who := actorLabel(last.By)
	icon, verb := "✅", decisionVerb[last.To]
	if last.To == storage.StatusIneligible || last.To == storage.StatusDismissed {
		icon = "❌"
	}
	text := fmt.Sprintf(msgStaffDecided, icon, r.ID, verb, who, stamp(last.At))
	if last.Note != "" {
		text += "\n" + fmt.Sprintf(msgStaffReason, last.Note)
	}
	cat := reasonCategory(r.Kind, last.Note)
	if last.To == storage.StatusIneligible || last.To == storage.StatusDismissed {
		// Staff write for staff; the citizen, who may be a neighbour, gets the category only.
		text += "\n" + fmt.Sprintf(msgStaffToCitizen, cat.Label)
	}
	var actions []Choice
	if last.To == storage.StatusEligible {
		text += "\n" + fmt.Sprintf(msgStaffHowToSalur, r.ID)
		// Detail stays: staff need the address to deliver.
		actions = []Choice{action(CmdSalur, r.ID, false, ""), action(CmdDetail, r.ID, false, "")}
	}
	var out []Reply
	for _, chat := range e.chatsFor(r) {
		out = append(out, Reply{To: chat, Text: text, Actions: actions, Report: r.ID, Event: EventStaffDecided})
	}
	var citizen string
	switch last.To {
	case storage.StatusEligible:
		citizen = fmt.Sprintf(msgNotifyEligible, r.ID, stamp(last.At.Add(e.DeliverySLA)))
	case storage.StatusIneligible:
		citizen = fmt.Sprintf(msgNotifyIneligibleCat, r.ID, cat.Label, cat.Next) + "\n" + msgHowToDTSEN + e.contactLine()
	case storage.StatusDelivered:
		citizen = fmt.Sprintf(msgNotifyDelivered, r.ID)
	case storage.StatusUpheld:
		citizen = fmt.Sprintf(msgNotifyUpheld, r.ID)
	case storage.StatusDismissed:
		citizen = fmt.Sprintf(msgNotifyDismissedCat, r.ID, cat.Label, cat.Next) + e.contactLine()
	case storage.StatusInProgress:
		citizen = fmt.Sprintf(msgNotifyPgProgress, r.ID, last.Note)
	case storage.StatusResolved:
		citizen = fmt.Sprintf(msgNotifyPgResolved, r.ID, last.Note)
	case storage.StatusRefused:
		citizen = fmt.Sprintf(msgNotifyPgRefused, r.ID, last.Note)
	}
	if citizen != "" && r.From.Channel != "" {
		out = append(out, Reply{To: r.From, Text: citizen, Report: r.ID})
	}
	return out
}

// staffNotice is the message every staff chat gets for a new report or sanggah. The NIK and the
// phone number are masked: the group lives on a third-party platform; DETAIL gives them in full.
func (e *Engine) staffNotice(r *storage.Report) []Reply {
	if r.Kind == storage.KindPengaduan {
		return e.pengaduanNotice(r)
	}
	var b strings.Builder
	if r.Kind == storage.KindSanggah {
		fmt.Fprintf(&b, msgStaffNewSanggah+"\n", r.ID)
		fmt.Fprintf(&b, msgStaffSgRecipient+"\n", r.Name, maskNIK(r.NIK), strings.Join(r.Programs, ", "))
		fmt.Fprintf(&b, msgStaffSgReason+"\n", reasonLabel(sanggahReasons, r.Reason, ""), r.ReasonText, r.ReporterName, maskPhone(r.Phone))
	} else {
		fmt.Fprintf(&b, msgStaffNewReport+"\n", r.ID)
		if r.ForSelf {
			fmt.Fprintf(&b, msgReviewWho+"\n", msgForSelf)
		} else {
			fmt.Fprintf(&b, msgStaffForOther+"\n", r.ReporterName, r.Relation)
		}
		b.WriteString(staffNameLine(r) + "\n")
		if r.IssuedAt != "" {
			fmt.Fprintf(&b, msgStaffIssuedElsewhere+"\n", r.IssuedAt)
		}
		fmt.Fprintf(&b, msgStaffAddress+"\n", r.Address, r.Desa, r.Kecamatan)
		fmt.Fprintf(&b, msgStaffReasonPhone+"\n", reasonLabel(reportReasons, r.Reason, r.ReasonText), phoneOrNone(maskPhone(r.Phone)))
	}
	fmt.Fprintf(&b, msgStaffDeadline+"\n", stamp(r.CreatedAt), stamp(r.Deadline))
	var actions []Choice
	if r.Kind == storage.KindSanggah {
		fmt.Fprintf(&b, msgStaffHowToSg, r.ID)
		actions = []Choice{action(CmdTerima, r.ID, true, ""), action(CmdTolak, r.ID, true, ""), action(CmdDetail, r.ID, true, "")}
	} else {
		fmt.Fprintf(&b, msgStaffHowTo, r.ID)
		actions = []Choice{action(CmdLayak, r.ID, false, ""), action(CmdTolak, r.ID, false, ""), action(CmdDetail, r.ID, false, "")}
	}
	chats := e.chatsFor(r)
	out := make([]Reply, 0, len(chats))
	brief := staffBrief(r)
	for _, chat := range chats {
		out = append(out, Reply{To: chat, Text: b.String(), Actions: actions, Report: r.ID, Event: EventStaffNew, Brief: brief})
	}
	return out
}

// ageNote is " · umur N tahun" from the NIK's birth date when the report came in, flagged when
// the person is a child (the number may be a KK number).
func ageNote(r *storage.Report) string {
	nik, err := registry.ParseNIK(r.NIK)
	if err != nil {
		return ""
	}
	age := ageAt(nik, r.CreatedAt)
	switch {
	case age < 0:
		return ""
	case age < adultAge:
		return fmt.Sprintf(msgStaffAgeChild, age)
	}
	return fmt.Sprintf(msgStaffAge, age)
}

// phoneOrNone says so when the person reported has no phone.
func phoneOrNone(p string) string {
	if p == "" {
		return msgNoPhone
	}
	return p
}

func maskPhone(p string) string {
	if len(p) < 8 {
		return p
	}
	return p[:5] + strings.Repeat("*", len(p)-9) + p[len(p)-4:]
}

// detail sends the full data privately to the staff member who asked.
func (s *staffTurn) detail(id string) {
	r, ok := s.report(id)
	if !ok {
		return
	}
	if !s.e.mayDecide(s.m.Chat, r) {
		s.reply(msgStaffOtherKec, r.ID, r.Kecamatan)
		return
	}
	if s.m.Private.ID == "" {
		s.reply(msgStaffNoPrivate, r.ID)
		return
	}
	if r.Kind == storage.KindPengaduan {
		s.pengaduanDetail(r)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, msgStaffDetailHead+"\nNIK: %s\n", r.ID, statusLabel[string(r.Status)], detailNIK(r))
	s.detailNoNIK(&b, r)
	if nik, err := registry.ParseNIK(r.NIK); err == nil {
		info := nik.InfoAt(r.CreatedAt)
		sex := "laki-laki"
		if info.Female {
			sex = "perempuan"
		}
		fmt.Fprintf(&b, msgStaffFromNIK+"\n", info.BirthDate.Format("02/01/2006"), ageAt(nik, r.CreatedAt), sex, placeOf(info))
	}
	fmt.Fprintf(&b, "Nama: %s\nAlamat: %s, Desa/Kel. %s, Kec. %s\n", r.Name, r.Address, r.Desa, r.Kecamatan)
	fmt.Fprintf(&b, "Alasan: %s\nNo. HP: %s\n", reasonLabel(reportReasons, r.Reason, r.ReasonText), phoneOrNone(r.Phone))
	if r.Kind == storage.KindSanggah {
		fmt.Fprintf(&b, "Keterangan: %s\nProgram: %s\n", r.ReasonText, strings.Join(r.Programs, ", "))
	}
	if r.ReporterName != "" {
		fmt.Fprintf(&b, "Pelapor: %s %s\n", r.ReporterName, parenthesise(r.Relation))
	}
	fmt.Fprintf(&b, "Kanal: %s\nRiwayat:\n", r.From.Channel)
	for _, t := range r.History {
		who := actorLabel(t.By)
		fmt.Fprintf(&b, "• %s %s oleh %s", stamp(t.At), statusLabel[string(t.To)], who)
		if t.Note != "" {
			b.WriteString(" — " + t.Note)
		}
		b.WriteByte('\n')
	}
	b.WriteString(receiptDetail(r))
	s.out = append(s.out, Reply{To: s.m.Private, Text: strings.TrimSpace(b.String()), Report: r.ID, Event: EventStaffDetail})
	s.reply(msgStaffDetailSent, r.ID)
}

func parenthesise(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}

func placeOf(info registry.NIKInfo) string {
	var parts []string
	for _, p := range []string{info.KecamatanName, info.RegencyName, info.ProvinceName} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "kode " + info.Kecamatan
	}
	return strings.Join(parts, ", ")
}

// briefLine is one report in a staff list.
func briefLine(r *storage.Report) string {
	who := r.Name
	if who == "" {
		who = "-"
	}
	return fmt.Sprintf("• %s %s, %s (%s)", r.ID, who, r.Kecamatan, r.CreatedAt.In(wib).Format("02/01 15:04")) + briefNoNIK(r)
}

// reports lists reports through the store's status index; an error ends the turn.
func (s *staffTurn) reports(f storage.ReportFilter) []*storage.Report {
	rs, err := s.tx.Reports(f)
	if err != nil {
		s.err = err
	}
	return rs
}

func (s *staffTurn) pending() {
	waiting := s.e.inScope(s.m.Chat, s.reports(storage.ReportFilter{Statuses: []storage.Status{storage.StatusSubmitted}}))
	toDeliver := s.e.inScope(s.m.Chat, s.reports(storage.ReportFilter{Statuses: []storage.Status{storage.StatusEligible}}))
	if len(waiting)+len(toDeliver) == 0 {
		s.reply(msgStaffPendingNo)
		return
	}
	var parts []string
	if len(waiting) > 0 {
		parts = append(parts, listText(fmt.Sprintf(msgStaffPending, len(waiting)), waiting))
	}
	if len(toDeliver) > 0 {
		parts = append(parts, listText(fmt.Sprintf(msgStaffToDeliver, len(toDeliver)), toDeliver))
	}
	s.reply(strings.Join(parts, "\n\n"))
}

func listText(head string, rs []*storage.Report) string {
	sort.Slice(rs, func(i, j int) bool { return rs[i].CreatedAt.Before(rs[j].CreatedAt) })
	lines := []string{head}
	for i, r := range rs {
		if i == maxListShown {
			lines = append(lines, fmt.Sprintf(msgStaffMore, len(rs)-i))
			break
		}
		lines = append(lines, briefLine(r))
	}
	return strings.Join(lines, "\n")
}

func (s *staffTurn) find(q string) {
	q = asciiDigits(q)
	if id, _, ok := ParseReportNumber(q); ok {
		r, err := s.tx.Report(id)
		if errors.Is(err, storage.ErrNotFound) {
			s.reply(msgStaffCariNone, id)
			return
		}
		if err != nil {
			s.err = err
			return
		}
		if !s.e.mayDecide(s.m.Chat, r) {
			s.reply(msgStaffOtherKec, r.ID, r.Kecamatan)
			return
		}
		s.reply(briefLine(r) + "\n" + historyLine(r))
		return
	}
	nik, err := registry.ParseNIK(q)
	if err != nil {
		if hasLetter(q) {
			s.findName(q)
			return
		}
		s.reply(nikProblem(err))
		return
	}
	var b strings.Builder
	// Only ErrNotFound (or no programs) means "not a recipient"; an outage says so.
	switch progs, err := s.e.Registry.Lookup(nik); {
	case err == nil && len(progs) > 0:
		fmt.Fprintf(&b, msgStaffCariRecip+"\n", nik.Masked(), strings.Join(programNames(progs), ", "))
	case err == nil || errors.Is(err, registry.ErrNotFound):
		fmt.Fprintf(&b, msgCekNotRecip+"\n", nik.Masked())
	default:
		s.e.Log.Error().Err(err).Str("nik", nik.Masked()).Msg("registry lookup failed")
		b.WriteString(msgStaffLookupDown + "\n")
	}
	rs, err := s.tx.ReportsByNIK(string(nik))
	if err != nil {
		s.err = err
		return
	}
	rs = s.e.inScope(s.m.Chat, rs)
	if len(rs) == 0 {
		fmt.Fprintf(&b, msgStaffCariNone, nik.Masked())
	}
	for _, r := range rs {
		b.WriteString(briefLine(r) + "\n" + historyLine(r) + "\n")
	}
	s.reply(strings.TrimSpace(b.String()))
}

// export sends every report, in full, to the private chat of the authorised staff member who
// asked: a staff group also holds members who may not decide, so the group gets a note only.
func (s *staffTurn) export() {
	if s.m.Private.ID == "" {
		s.reply(msgStaffExportNoDM)
		return
	}
	rs := s.reports(storage.ReportFilter{})
	if s.err != nil {
		return
	}
	var buf bytes.Buffer
	if err := storage.WriteCSV(&buf, rs, storage.DefaultExportOptions()); err != nil {
		s.err = err
		return
	}
	name := "laporbansos-" + s.tx.Now().In(wib).Format("20060102-1504") + ".csv"
	who := s.m.From.Name
	if who == "" {
		who = s.m.From.ID
	}
	s.out = append(s.out, Reply{
		To: s.m.Private, Text: fmt.Sprintf(msgStaffExportPrivate, name, who), Report: name,
		Event: EventStaffDetail, Document: &Document{Name: name, Data: buf.Bytes()},
	})
	s.reply(msgStaffExportNote, who, len(rs))
	// Who holds a copy of everyone's data is worth knowing later.
	s.e.Log.Info().Str("channel", s.m.From.Channel).Str("staff", logID(s.m.From)).Int("reports", len(rs)).Str("file", name).Msg("export sent privately")
}

// remindSlack absorbs timer jitter: a reminder due "every minute" that is checked 0.2 s early
// must not wait a whole extra period.
func remindSlack(every time.Duration) time.Duration { return min(every/20, 30*time.Second) }

// maxRemindButtons keeps a reminder's keyboard small; the rest are listed with their commands.
const maxRemindButtons = 5

// Remind posts one batched reminder per staff chat listing overdue work, at most once per
// every: undecided past the verification SLA, and layak not delivered within the delivery SLA.
// Each line says how late the report is; the first few carry their decision buttons.
func (e *Engine) Remind(ctx context.Context, every time.Duration) ([]Reply, error) {
	receipts, err := e.remindReceipts(ctx)
	if err != nil {
		return nil, err
	}
	var out []Reply
	err = e.Store.Update(ctx, func(tx storage.Tx) error {
		out = out[:0]
		now := tx.Now()
		if last, err := tx.Get("flows", "reminded_at"); err == nil {
			var t time.Time
			if t.UnmarshalText(last) == nil && now.Sub(t) < every-remindSlack(every) {
				return nil
			}
		}
		// The status index gives the overdue work without reading every report.
		undecided, err := tx.Reports(storage.ReportFilter{Statuses: []storage.Status{storage.StatusSubmitted}, EnteredBefore: now.Add(-e.VerifySLA)})
		if err != nil {
			return err
		}
		undelivered, err := tx.Reports(storage.ReportFilter{Statuses: []storage.Status{storage.StatusEligible}, EnteredBefore: now.Add(-e.DeliverySLA)})
		if err != nil || len(undecided)+len(undelivered) == 0 {
			return err
		}
		for _, chat := range e.allStaffChats() {
			// Each chat is reminded of its own reports only.
			if rep, ok := e.reminder(chat, e.inScope(chat, undecided), e.inScope(chat, undelivered), now); ok {
				out = append(out, rep)
			}
		}
		stampText, _ := now.MarshalText()
		if err := tx.Put("flows", "reminded_at", stampText); err != nil {
			return err
		}
		return enqueue(tx, out)
	})
	return append(receipts, out...), err
}

// reminder is one chat's reminder of its overdue reports; false when it has none.
func (e *Engine) reminder(chat storage.ChatAddr, undecided, undelivered []*storage.Report, now time.Time) (Reply, bool) {
	if len(undecided)+len(undelivered) == 0 {
		return Reply{}, false
	}
	parts := []string{msgStaffReminder}
	var actions []Choice
	if len(undecided) > 0 {
		parts = append(parts, lateList(fmt.Sprintf(msgStaffOverdueV, words(e.VerifySLA), len(undecided)), undecided, now, func(r *storage.Report) time.Time {
			return r.CreatedAt.Add(e.VerifySLA)
		}))
		for _, r := range undecided {
			if len(actions) >= 2*maxRemindButtons {
				break
			}
			if r.Kind == storage.KindPengaduan {
				continue // its commands need a note: listed, not buttons
			}
			if r.Kind == storage.KindSanggah {
				actions = append(actions, action(CmdTerima, r.ID, true, r.ID), action(CmdTolak, r.ID, true, r.ID))
			} else {
				actions = append(actions, action(CmdLayak, r.ID, false, r.ID), action(CmdTolak, r.ID, false, r.ID))
			}
		}
	}
	if len(undelivered) > 0 {
		parts = append(parts, lateList(fmt.Sprintf(msgStaffOverdueD, words(e.DeliverySLA), len(undelivered)), undelivered, now, func(r *storage.Report) time.Time {
			return enteredAt(r, storage.StatusEligible).Add(e.DeliverySLA)
		}))
		for i, r := range undelivered {
			if i == maxRemindButtons {
				break
			}
			actions = append(actions, action(CmdSalur, r.ID, false, r.ID))
		}
	}
	return Reply{To: chat, Text: strings.Join(parts, "\n\n"), Actions: actions}, true
}

// enteredAt is when r last entered status (its creation when unknown).
func enteredAt(r *storage.Report, status storage.Status) time.Time {
	for i := len(r.History) - 1; i >= 0; i-- {
		if r.History[i].To == status {
			return r.History[i].At
		}
	}
	return r.CreatedAt
}

// lateList lists overdue reports, the latest first, each with how late it is.
func lateList(head string, rs []*storage.Report, now time.Time, due func(*storage.Report) time.Time) string {
	sort.Slice(rs, func(i, j int) bool { return due(rs[i]).Before(due(rs[j])) })
	lines := []string{head}
	for i, r := range rs {
		if i == maxListShown {
			lines = append(lines, fmt.Sprintf(msgStaffMore, len(rs)-i))
			break
		}
		who := r.Name
		if who == "" {
			who = "-"
		}
		lines = append(lines, fmt.Sprintf(msgStaffLateLine, r.ID, who, r.Kecamatan, lateWords(now.Sub(due(r)))))
	}
	return strings.Join(lines, "\n")
}

// lateWords says how late, to the minute: "2 hari 3 jam", "1 jam 15 menit", "5 menit".
func lateWords(d time.Duration) string {
	d = d.Truncate(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%d hari", days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%d jam", hours))
	}
	if mins > 0 && days == 0 {
		parts = append(parts, fmt.Sprintf("%d menit", mins))
	}
	if len(parts) == 0 {
		return "kurang dari 1 menit"
	}
	return strings.Join(parts, " ")
}

// actorLabel names who made a step, in words staff read.
func actorLabel(a storage.Actor) string {
	switch {
	case a.Name == storage.CitizenActorName:
		return msgActorCitizen
	case a.ID == "system":
		return msgActorSystem
	case a.Name != "":
		return a.Name
	}
	return a.ID
}
