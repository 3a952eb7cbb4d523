package flows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// stReceipt waits for the answer to "Apakah paket sudah diterima?" when the question found the
// chat at the menu, so a typed "sudah" or "2" answers it; buttons carry the report number and
// work from any step.
const stReceipt = "receipt"

// ReceiptWait is how long the citizen has to answer before one reminder, and again after the
// reminder before a pengaduan "bantuan tidak sampai" is opened for them.
const ReceiptWait = 48 * time.Hour

const (
	kReceiptReport = "receipt_report"
	receiptYes     = "DITERIMA"
	receiptNo      = "BELUM DITERIMA"
)

var receiptStep = &step{state: stReceipt, flow: "receipt", ask: func(c *conv) {
	id := c.d.get(kReceiptReport)
	r := c.say(msgReceiptAsk, id)
	r.Choices = []Choice{{Label: receiptOptions[0].Label, Data: receiptYes + " " + id}, {Label: receiptOptions[1].Label, Data: receiptNo + " " + id}}
	r.Columns, r.Step, r.Report = 2, stReceipt, id
}, answer: func(c *conv, _ *step, t string) {
	i := pick(receiptOptions, t)
	id := c.d.get(kReceiptReport)
	c.fire(evDone)
	if i < 0 {
		// Anything else is a new start: the buttons of the question still work.
		c.handleText()
		return
	}
	c.receipt(id, receiptOptions[i].Key == "sudah")
}}

// receiptQuestion is the citizen's "Apakah paket sudah diterima?" with its buttons.
func receiptQuestion(r *storage.Report, text string) Reply {
	return Reply{To: r.From, Text: fmt.Sprintf(text, r.ID), Report: r.ID, Columns: 2, Step: stReceipt, Choices: []Choice{
		{Label: receiptOptions[0].Label, Data: receiptYes + " " + r.ID},
		{Label: receiptOptions[1].Label, Data: receiptNo + " " + r.ID},
	}}
}

// askReceipt follows SALUR: the citizen who reported is asked whether the package arrived.
func (s *staffTurn) askReceipt(r *storage.Report) {
	if r.Kind != storage.KindReport || r.From.Channel == "" || r.From.ID == "" {
		return
	}
	r.ReceiptAskedAt = s.tx.Now()
	if err := s.tx.SaveReport(r); err != nil {
		s.err = err
		return
	}
	s.out = append(s.out, receiptQuestion(r, msgReceiptAsk))
	// At the menu, a typed answer is taken too.
	sess, err := s.tx.Session(r.From)
	if errors.Is(err, storage.ErrNotFound) {
		sess, err = &storage.Session{State: stMenu}, nil
	}
	if err != nil {
		s.err = err
		return
	}
	if sess.State == stMenu || sess.State == "" {
		d := &draft{}
		d.set(kReceiptReport, r.ID)
		sess.Flow, sess.State, sess.Data, sess.Back = "receipt", stReceipt, d.encode(), nil
		sess.UpdatedAt = s.tx.Now()
		s.err = s.tx.PutSession(r.From, sess)
	}
}

// receiptButton takes a pressed Sudah/Belum ("DITERIMA LB-2611-0001"). It reports whether text
// was one.
func (c *conv) receiptButton(text string) bool {
	if c.s.State == stReceipt && c.m.Step != "" && c.m.Step != stReceipt {
		// A button of another question (the menu's): the delivery question is set aside, its
		// own buttons still answer it later.
		c.fire(evDone)
	}
	up := strings.ToUpper(text)
	var yes bool
	var rest string
	switch {
	case strings.HasPrefix(up, receiptNo+" "):
		rest = text[len(receiptNo)+1:]
	case strings.HasPrefix(up, receiptYes+" "):
		rest, yes = text[len(receiptYes)+1:], true
	default:
		return false
	}
	id, ok := storage.ParseReportID(rest)
	if !ok {
		return false
	}
	if c.s.State == stReceipt {
		c.fire(evDone)
	}
	c.receipt(id, yes)
	return true
}

// receipt records the citizen's answer. Only the chat that reported may answer: a button is
// not trusted because it parsed.
func (c *conv) receipt(id string, yes bool) {
	r, err := c.tx.Report(id)
	if err != nil || r.From != c.m.Chat || r.Kind != storage.KindReport || r.Status != storage.StatusDelivered || r.ReceiptAskedAt.IsZero() {
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			c.e.Log.Error().Err(err).Str("report", id).Msg("receipt answer")
		}
		c.ask(msgUnknownMenu)
		return
	}
	if !r.ReceivedAt.IsZero() || !r.NotReceivedAt.IsZero() {
		c.say(msgReceiptAlready, r.ID)
		c.prompt()
		return
	}
	if yes {
		r.ReceivedAt = c.now
		if err := c.tx.SaveReport(r); err != nil {
			c.e.Log.Error().Err(err).Str("report", id).Msg("receipt answer")
			c.ask(msgNotStored)
			return
		}
		c.say(msgReceiptThanks, r.ID).Event = EventCitizenFinal
		for _, chat := range c.e.StaffChats {
			c.out = append(c.out, Reply{To: chat, Text: fmt.Sprintf(msgStaffReceived, r.ID, stamp(c.now)), Report: r.ID})
		}
		c.prompt()
		return
	}
	pg, out, err := c.e.notArrived(c.tx, r, fmt.Sprintf(msgReceiptWhat, r.ID))
	if err != nil {
		c.e.Log.Error().Err(err).Str("report", id).Msg("receipt complaint")
		c.ask(msgNotStored)
		return
	}
	c.say(msgReceiptComplaint, pg.ID, r.ID).Event = EventCitizenFinal
	c.out = append(c.out, out...)
	c.prompt()
}

// notArrived opens the pengaduan "bantuan tidak sampai" for a delivered report and records it
// on the report; the replies are the staff chats' notices.
func (e *Engine) notArrived(tx storage.Tx, r *storage.Report, what string) (*storage.Report, []Reply, error) {
	pg := &storage.Report{
		Kind:          storage.KindPengaduan,
		Status:        storage.StatusSubmitted,
		Desa:          r.Desa,
		Kecamatan:     r.Kecamatan,
		KecamatanCode: r.KecamatanCode,
		Reason:        pgTidakSampai.Key,
		ReasonText:    what,
		Linked:        r.ID,
		ReporterName:  r.ReporterName,
		Phone:         r.Phone,
		ForSelf:       r.ForSelf,
		From:          r.From,
		CreatedAt:     tx.Now(),
		Deadline:      tx.Now().Add(e.VerifySLA),
	}
	if pg.ReporterName == "" {
		pg.ReporterName = r.Name
	}
	if err := tx.CreateReport(pg); err != nil {
		return nil, nil, err
	}
	r.NotReceivedAt, r.Complaint = tx.Now(), pg.ID
	if err := tx.SaveReport(r); err != nil {
		return nil, nil, err
	}
	return pg, e.pengaduanNotice(pg), nil
}

// remindReceipts sends the one reminder ReceiptWait after the question, and opens the pengaduan
// ReceiptWait after the reminder.
func (e *Engine) remindReceipts(ctx context.Context) ([]Reply, error) {
	var out []Reply
	err := e.Store.Update(ctx, func(tx storage.Tx) error {
		out = out[:0]
		rs, err := tx.AwaitingReceipt(tx.Now().Add(-ReceiptWait))
		if err != nil {
			return err
		}
		for _, r := range rs {
			switch {
			case r.ReceiptRemindedAt.IsZero():
				r.ReceiptRemindedAt = tx.Now()
				if err := tx.SaveReport(r); err != nil {
					return err
				}
				out = append(out, receiptQuestion(r, msgReceiptRemind))
			case !r.ReceiptRemindedAt.After(tx.Now().Add(-ReceiptWait)):
				pg, notices, err := e.notArrived(tx, r, fmt.Sprintf(msgReceiptSilent, r.ID))
				if err != nil {
					return err
				}
				out = append(out, Reply{To: r.From, Text: fmt.Sprintf(msgReceiptNoAnswer, pg.ID, r.ID), Report: pg.ID})
				out = append(out, notices...)
			}
		}
		return enqueue(tx, out)
	})
	return out, err
}

// pengaduanStats adds the pengaduan and delivery-confirmation figures to STATISTIK.
func (s *staffTurn) pengaduanStats(st storage.Stats) {
	if line, ok := s.pengaduanLine(st); ok {
		s.reply("%s", line)
	}
}

// pengaduanLine is those figures in words; false when they cannot be read (s.err is set).
func (s *staffTurn) pengaduanLine(st storage.Stats) (string, bool) {
	rs, err := s.tx.ReceiptStats()
	if err != nil {
		s.err = err
		return "", false
	}
	pc := st.Counts[storage.KindPengaduan]
	return fmt.Sprintf(msgStaffStatsPg, st.Total(storage.KindPengaduan), pc[storage.StatusSubmitted], pc[storage.StatusInProgress],
		pc[storage.StatusResolved], pc[storage.StatusRefused], rs.Delivered, rs.Asked, rs.Received, rs.NotReceived), true
}

// receivedNote is the "diterima warga" step of a report's history line, once confirmed.
func receivedNote(r *storage.Report) string {
	if r.ReceivedAt.IsZero() {
		return ""
	}
	return " → " + msgReceivedLabel + " (" + r.ReceivedAt.In(wib).Format("02/01 15:04") + ")"
}

// receiptDetail is the delivery confirmation's line in DETAIL.
func receiptDetail(r *storage.Report) string {
	switch {
	case !r.ReceivedAt.IsZero():
		return "• " + stamp(r.ReceivedAt) + " " + msgReceivedLabel + "\n"
	case !r.NotReceivedAt.IsZero():
		return "• " + stamp(r.NotReceivedAt) + " " + fmt.Sprintf(msgNotReceivedLabel, r.Complaint) + "\n"
	}
	return ""
}
