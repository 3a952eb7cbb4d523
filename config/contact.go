package config

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxContact keeps LAPOR_CONTACT to what fits on a phone screen under a rejection.
const maxContact = 300

// contact reads the office line told to citizens. It is one line of plain text: it is put into
// messages as is, so a control character or a very long value is refused here rather than
// garbling every rejection.
func (p *parser) contact(name string) string {
	v := p.str(name)
	if utf8.RuneCountInString(v) > maxContact {
		p.fail(name, "is %d characters; keep it to %d (address, phone, hours)", utf8.RuneCountInString(v), maxContact)
		return ""
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		p.fail(name, "must be one line of text without control characters")
		return ""
	}
	return v
}
