package flows

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/laporbansos/laporbansos/registry"
)

// nikLabel is a "NIK:" / "no. NIK" / "nomor NIK" label typed before the number.
var nikLabel = regexp.MustCompile(`(?i)^\s*(?:no\.?\s*|nomor\s*)?nik\s*[:.=\-]?\s*`)

// extractNIK finds the NIK in what was typed: "NIK: 3510…", "3510… Sumarni", "3510 0915.0680-0004".
// Letters O/o and I/l among the digits are read as 0 and 1; fixed says that happened, so the
// citizen is asked before the corrected number is used. When no 16-digit number is found the
// text is returned without its label, for the NIK parser to say what is wrong.
func extractNIK(text string) (nik string, fixed bool) {
	t := nikLabel.ReplaceAllString(asciiDigits(text), "")
	var group strings.Builder
	letters := false
	flush := func() (string, bool, bool) {
		g := group.String()
		group.Reset()
		l := letters
		letters = false
		return g, l, len(g) == 16
	}
	for _, tok := range strings.Fields(t) {
		digits, lettersHere, ok := nikToken(tok)
		if !ok {
			if g, l, found := flush(); found {
				return g, l
			}
			continue
		}
		group.WriteString(digits)
		letters = letters || lettersHere
	}
	if g, l, found := flush(); found {
		return g, l
	}
	return strings.TrimSpace(t), false
}

// nikToken reads one typed word as part of a NIK: digits with . - separators, and O/o/I/l
// read as digits when the word also holds a real digit.
func nikToken(tok string) (digits string, letters, ok bool) {
	var b strings.Builder
	real := 0
	for _, r := range tok {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			real++
		case r == 'O' || r == 'o':
			b.WriteByte('0')
			letters = true
		case r == 'I' || r == 'l':
			b.WriteByte('1')
			letters = true
		case r == '.' || r == '-' || r == ',':
		default:
			return "", false, false
		}
	}
	if real == 0 {
		return "", false, false
	}
	return b.String(), letters, true
}

// ageAt is the age in whole years of the NIK's owner at now, or -1 when unknown.
func ageAt(nik registry.NIK, now time.Time) int {
	b := nik.InfoAt(now).BirthDate
	if b.IsZero() {
		return -1
	}
	now = now.In(wib)
	age := now.Year() - b.Year()
	if now.Month() < b.Month() || (now.Month() == b.Month() && now.Day() < b.Day()) {
		age--
	}
	return age
}

// adultAge is the age at which Indonesians get a KTP (and a NIK of their own to report by).
const adultAge = 17

func askNIK(c *conv) {
	if c.d.PendingNIK != "" {
		// A question about a typed NIK is waiting (see answerNIK); ask it again.
		c.nikQuestion(registry.NIK(c.d.PendingNIK), c.d.PendingWhy)
		return
	}
	if c.d.Who == whoSelf {
		c.askNIKChoice(msgAskNIKSelf)
	} else {
		c.askNIKChoice(msgAskNIK)
	}
}

// answerNIK reads a NIK out of what was typed, asks gently about a corrected or a child's (or
// KK) number, and hands a good one to laporNIK for the registry and duplicate checks.
func answerNIK(c *conv, _ *step, text string) {
	if c.noNIKAnswer(text) {
		return
	}
	d := c.d
	if pending := d.PendingNIK; pending != "" {
		d.PendingNIK, d.PendingWhy = "", ""
		switch i := pick(nikConfirmOptions, text); {
		case i >= 0 && nikConfirmOptions[i].Key == "ya":
			c.viaMap(func() { c.laporNIK(pending) })
			return
		case i >= 0:
			c.say(msgNIKRetype)
			return
		}
		// Anything else is a NIK typed again.
	}
	t, fixed := extractNIK(text)
	nik, err := registry.ParseNIK(t)
	if err == nil && fixed {
		c.nikQuestion(nik, "fixed")
		return
	}
	if err == nil {
		if age := ageAt(nik, c.now); age >= 0 && age < adultAge {
			c.nikQuestion(nik, "young")
			return
		}
	}
	c.viaMap(func() { c.laporNIK(t) })
}

func (c *conv) nikQuestion(nik registry.NIK, why string) {
	c.d.PendingNIK, c.d.PendingWhy = string(nik), why
	q := fmt.Sprintf(msgNIKFixed, string(nik))
	if why == "young" {
		q = fmt.Sprintf(msgNIKYoung, string(nik), ageAt(nik, c.now))
	}
	c.choose(q, nikConfirmOptions, 2)
}
