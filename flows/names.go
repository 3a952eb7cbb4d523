package flows

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxDisplayName bounds a platform display name; Telegram allows 64+64, WhatsApp 25.
const maxDisplayName = 128

// DisplayName cleans a name a platform gives us (a Telegram first/last name, a WhatsApp push
// name) before it is stored or shown: control characters and the bidi and other format
// characters (U+202E "right-to-left override" and friends, zero-width joiners) are removed, so
// a name cannot disguise itself or rewrite the staff message it appears in; white space is
// folded to single spaces. The engine applies it to every message, whatever the channel.
func DisplayName(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	space := false
	n := 0
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), unicode.In(r, unicode.Co, unicode.Cs),
			r == utf8.RuneError, unicode.Is(unicode.Bidi_Control, r):
			continue
		}
		if n == maxDisplayName {
			break
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
		n++
	}
	return b.String()
}
