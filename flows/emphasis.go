package flows

import "strings"

// Emphasis in reply texts is marked with two control characters rather than with '*': typed
// text never contains control characters (clean drops them), so a name such as "S**i W*****i",
// a masked NIK or an address with '*', '_' or '[' in it can never be read as markup by a
// channel. Each channel turns the markers into its own emphasis (Telegram: bold entities) or
// drops them.
const (
	EmphasisOn  = "\x02"
	EmphasisOff = "\x03"
)

// emphasize turns the catalogue's readable *bold* into the markers. Only for catalogue texts,
// before any user data is put in them.
func emphasize(s string) string {
	var b strings.Builder
	open := false
	for _, r := range s {
		if r == '*' {
			if open {
				b.WriteString(EmphasisOff)
			} else {
				b.WriteString(EmphasisOn)
			}
			open = !open
			continue
		}
		b.WriteRune(r)
	}
	if open {
		panic("flows: unbalanced * in catalogue text: " + s)
	}
	return b.String()
}

// Emphasize is emphasize for the channels' own catalogues.
func Emphasize(s string) string { return emphasize(s) }

// PlainText writes emphasis with on/off around it (console: "*"; "" drops it). Any other
// control marker is dropped too.
func PlainText(s, on, off string) string {
	if !strings.ContainsAny(s, EmphasisOn+EmphasisOff) {
		return s
	}
	return strings.NewReplacer(EmphasisOn, on, EmphasisOff, off).Replace(s)
}
