package flows

import "strings"

// The staff vocabulary. Every channel builds and reads staff commands with these words, and
// labels their buttons (Telegram) or poll options (WhatsApp) with these labels, so a word or a
// label is defined once.
const (
	CmdLayak     = "LAYAK"
	CmdTolak     = "TOLAK"
	CmdSalur     = "SALUR"
	CmdTerima    = "TERIMA"
	CmdDetail    = "DETAIL"
	CmdBatal     = "BATAL"
	CmdCari      = "CARI"
	CmdPending   = "PENDING"
	CmdStatistik = "STATISTIK"
	CmdEkspor    = "EKSPOR"
	CmdBantuan   = "BANTUAN"
	// A pengaduan's follow-up and close; each needs a note.
	CmdTindaklanjut = "TINDAKLANJUT"
	CmdSelesai      = "SELESAI"
)

// StaffVerb is one staff command: its word, the label of its button on a report (and on a
// sanggah, where it differs), and what it did in a few words, for a confirmation.
type StaffVerb struct {
	Word, Button, SanggahButton, Done string
}

var staffVerbs = []StaffVerb{
	{Word: CmdLayak, Button: btnEligible, Done: "layak"},
	{Word: CmdTolak, Button: btnIneligible, SanggahButton: btnDismiss, Done: "tidak layak / ditolak"},
	{Word: CmdSalur, Button: btnDelivered, Done: "sudah disalurkan"},
	{Word: CmdTerima, SanggahButton: btnUphold, Done: "sanggahan diterima"},
	{Word: CmdDetail, Button: btnDetail, SanggahButton: btnDetail},
	{Word: CmdBatal, Done: "dibatalkan"},
	{Word: CmdTindaklanjut, Done: "ditindaklanjuti"},
	{Word: CmdSelesai, Done: "pengaduan selesai"},
	{Word: CmdCari}, {Word: CmdPending}, {Word: CmdStatistik}, {Word: CmdEkspor}, {Word: CmdBantuan},
}

// staffAliases are other words staff type for a command.
var staffAliases = map[string]string{"help": CmdBantuan, "start": CmdBantuan}

// Verb returns the staff command named by word (any case, "/" allowed), false when none.
func Verb(word string) (StaffVerb, bool) {
	w := strings.ToUpper(strings.TrimPrefix(word, "/"))
	if a, ok := staffAliases[strings.ToLower(w)]; ok {
		w = a
	}
	for _, v := range staffVerbs {
		if v.Word == w {
			return v, true
		}
	}
	return StaffVerb{}, false
}

// Command is the text of a staff command on a report: "LAYAK LB-2611-0001", "TOLAK LB-… mampu".
func Command(word, report string, rest ...string) string {
	return strings.Join(append([]string{word, report}, rest...), " ")
}

// action is a button for command word on report r of kind sanggah or not.
func action(word, report string, sanggah bool, suffix string) Choice {
	v, _ := Verb(word)
	label := v.Button
	if sanggah && v.SanggahButton != "" {
		label = v.SanggahButton
	}
	if suffix != "" {
		label += " " + suffix
	}
	return Choice{Label: label, Data: Command(word, report)}
}
