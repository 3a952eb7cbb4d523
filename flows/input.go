package flows

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/laporbansos/laporbansos/registry"
)

// Length caps, in characters. Anything longer is refused with a clear note, never cut silently.
const (
	maxInput     = 1000 // a whole message; beyond it nothing is read
	maxName      = 100
	maxAddress   = 200
	maxFreeText  = 500
	maxRelation  = 50
	minFreeText  = 3
	minAddress   = 5
	maxListShown = 15
	maxBack      = 24
)

// option is one answer a step accepts: by number, by key, or by (the start of) its label.
type option struct {
	Key   string
	Label string
}

// clean makes typed text safe to store and compare: control characters out (newlines become
// spaces unless keepLines), runs of white space folded, ends trimmed.
func clean(s string, keepLines bool) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == '\n' && keepLines:
			b.WriteRune('\n')
			space = false
			continue
		case unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff':
			space = true
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// asciiDigits turns any Unicode decimal digit (Arabic-Indic, full-width, …) into 0-9.
func asciiDigits(s string) string {
	if isASCII(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r > '9' && unicode.IsDigit(r) {
			if v, ok := registry.DigitValue(r); ok {
				b.WriteByte(byte('0' + v))
				continue
			}
		}
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII letters and signs
			r -= 0xFEE0
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fold is the form answers are compared in: ASCII digits, lower case, no leading '/', no
// "@botname" suffix on a command.
func fold(s string) string {
	s = strings.ToLower(asciiDigits(clean(s, false)))
	s = strings.TrimPrefix(s, "/")
	if i := strings.IndexByte(s, '@'); i > 0 && !strings.Contains(s[:i], " ") {
		s = s[:i]
	}
	return strings.TrimRight(s, ".!?")
}

// pick finds the option a citizen meant: "2", "2.", "kirim", "Kirim", or the start of a label
// ("lansia", "orang lain"). It returns -1 when nothing matches or the match is ambiguous.
func pick(opts []option, text string) int {
	t := fold(text)
	if t == "" {
		return -1
	}
	if n, ok := numberWords[t]; ok {
		t = strconv.Itoa(n)
	}
	if n, err := strconv.Atoi(strings.TrimSuffix(t, ")")); err == nil {
		if n >= 1 && n <= len(opts) {
			return n - 1
		}
		return -1
	}
	for i, o := range opts {
		if t == strings.ToLower(o.Key) || t == strings.ToLower(o.Label) {
			return i
		}
	}
	found := -1
	for i, o := range opts {
		label := strings.ToLower(o.Label)
		if len(t) >= 3 && (strings.HasPrefix(label, t) || strings.HasPrefix(strings.ToLower(o.Key), t) || containsWord(label, t)) {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	if found < 0 {
		found = pickSynonym(opts, t)
	}
	return found
}

// pickSynonym finds the option a synonym in text names: the whole text, or the longest phrase
// of the table found in it as whole words. Two different options named by phrases of the same
// number of words are ambiguous (-1).
func pickSynonym(opts []option, t string) int {
	index := func(keys []string) int {
		for _, k := range keys {
			for i, o := range opts {
				if o.Key == k {
					return i
				}
			}
		}
		return -1
	}
	if keys, ok := synonyms[t]; ok {
		if i := index(keys); i >= 0 {
			return i
		}
	}
	words := strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	best := -1
	for n := min(len(words), 4); n >= 1 && best < 0; n-- {
		for i := 0; i+n <= len(words); i++ {
			phrase := strings.Join(words[i:i+n], " ")
			keys, ok := synonyms[phrase]
			if !ok {
				continue
			}
			j := index(keys)
			switch {
			case j < 0:
			case best < 0:
				best = j
			case best != j:
				return -1
			}
		}
	}
	return best
}

func containsWord(label, word string) bool {
	for _, w := range strings.FieldsFunc(label, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if w == word {
			return true
		}
	}
	return false
}

func choices(opts []option) []Choice {
	cs := make([]Choice, len(opts))
	for i, o := range opts {
		cs[i] = Choice{Label: o.Label, Data: o.Key}
	}
	return cs
}

// validName accepts names as KTPs write them: letters (any script), spaces and . , ' - `.
func validName(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case r == ' ', r == '.', r == ',', r == '\'', r == '-', r == '`', r == '’':
		default:
			return false
		}
	}
	return letters >= 2
}

// nameChars says whether s holds only characters a name may have (validName without the
// minimum length), to tell "too short" from "not a name".
func nameChars(s string) bool { return validName(s + "xx") }

func runes(s string) int { return utf8.RuneCountInString(s) }
