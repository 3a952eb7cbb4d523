package flows

import (
	"fmt"
	"strings"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

var sanggahConfirm = []option{confirmOptions[0], confirmOptions[2]} // Kirim, Batal

// sanggah runs the objection dialogue: the NIK must be a registered recipient; the objector
// sees only the masked name that confirms it.
func (c *conv) sanggah(text string) {
	d := c.s.Data
	switch c.s.State {
	case stSgNIK:
		nik, err := registry.ParseNIK(text)
		if err != nil {
			c.ask(nikProblem(err))
			return
		}
		progs, ok := c.lookup(nik)
		if !ok {
			return
		}
		if len(progs) == 0 {
			c.ask(fmt.Sprintf(msgSgNotRecipient, nik.Masked()))
			return
		}
		if open, err := c.tx.OpenReportByNIK(string(nik), storage.KindSanggah); err == nil {
			c.sanggahExists(open)
			return
		}
		d[kNIK] = string(nik)
		d[kSgName] = registry.MaskName(progs[0].Name)
		d[kSgPrograms] = strings.Join(programNames(progs), ", ")
		c.fire("sg_nik")
	case stSgPerson:
		switch i := pick(yesNoOptions, text); {
		case i < 0:
			c.badChoice(len(yesNoOptions))
		case yesNoOptions[i].Key == "ya":
			c.fire("sg_person")
		default:
			delete(d, kNIK)
			c.say(msgSgWrongPerson)
			c.back()
		}
	case stSgReason:
		i := pick(sanggahReasons, text)
		if i < 0 {
			c.badChoice(len(sanggahReasons))
			return
		}
		d[kReason] = sanggahReasons[i].Key
		c.fire("sg_reason")
	case stSgText:
		if v, ok := c.freeAnswer(text, minFreeText, maxFreeText); ok {
			d[kReasonText] = v
			c.fire("sg_text")
		}
	case stSgName:
		if v, ok := c.nameAnswer(text); ok {
			d[kReporter] = v
			c.fire("sg_name")
		}
	case stSgPhone:
		if c.phoneAnswer(text) {
			c.fire("sg_phone")
		}
	case stSgConfirm:
		i := pick(sanggahConfirm, text)
		if i < 0 {
			c.badChoice(len(sanggahConfirm))
			return
		}
		if sanggahConfirm[i].Key == "batal" {
			c.reset()
			c.say(msgCancelled).Event = EventCitizenFinal
			c.prompt()
			return
		}
		c.submitSanggah()
	}
}

func (c *conv) sanggahSummary() string {
	d := c.s.Data
	who := "NIK penerima: " + maskNIK(d[kNIK]) + " (" + d[kSgName] + ")"
	if line, ok := sgRecipientLine(d); ok {
		who = line // picked by name: the NIK is not shown, not even masked
	}
	return strings.Join([]string{
		who,
		"Alasan: " + reasonLabel(sanggahReasons, d[kReason], "") + " — " + d[kReasonText],
		"Penyanggah: " + d[kReporter],
		"No. HP: " + d[kPhone],
	}, "\n")
}

func (c *conv) submitSanggah() {
	d := c.s.Data
	nik := registry.NIK(d[kNIK])
	if open, err := c.tx.OpenReportByNIK(d[kNIK], storage.KindSanggah); err == nil {
		c.say(msgSgDuplicate, open.ID, statusLabel[string(open.Status)]).Event = EventCitizenFinal
		c.fire(evDone)
		return
	}
	r := &storage.Report{
		Kind:         storage.KindSanggah,
		Status:       storage.StatusSubmitted,
		NIK:          d[kNIK],
		Reason:       d[kReason],
		ReasonText:   d[kReasonText],
		ReporterName: d[kReporter],
		Phone:        d[kPhone],
		From:         c.m.Chat,
		CreatedAt:    c.now,
		Deadline:     c.now.Add(c.e.VerifySLA),
	}
	// Staff see the recipient as the registry has them; the objector never did.
	if progs, err := c.e.Registry.Lookup(nik); err == nil {
		r.Name, r.Address, r.Desa, r.Kecamatan = progs[0].Name, progs[0].Address, progs[0].Desa, progs[0].Kecamatan
		r.Programs = programNames(progs)
	}
	c.file(r, func() string { return fmt.Sprintf(msgSgAccepted, r.ID, c.e.Agency) })
}
