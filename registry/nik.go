package registry

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// NIKErrorCode says what is wrong with a NIK, so a dialogue can tell the citizen in words.
type NIKErrorCode int

const (
	NIKEmpty      NIKErrorCode = iota + 1 // nothing but separators
	NIKNotDigits                          // a character that is neither a digit nor a separator
	NIKTooShort                           // fewer than 16 digits
	NIKTooLong                            // more than 16 digits
	NIKProvince                           // digits 1–2 are not a province code
	NIKBirthDay                           // digits 7–8 are not a day (01–31, women 41–71) of that month
	NIKBirthMonth                         // digits 9–10 are not a month 01–12
	NIKSerial                             // digits 13–16 are 0000
)

var nikErrorNames = [...]string{
	NIKEmpty:      "empty",
	NIKNotDigits:  "not digits",
	NIKTooShort:   "too short",
	NIKTooLong:    "too long",
	NIKProvince:   "unknown province",
	NIKBirthDay:   "invalid birth day",
	NIKBirthMonth: "invalid birth month",
	NIKSerial:     "serial 0000",
}

func (c NIKErrorCode) String() string {
	if c > 0 && int(c) < len(nikErrorNames) {
		return nikErrorNames[c]
	}
	return "NIKErrorCode(" + strconv.Itoa(int(c)) + ")"
}

// NIKError is returned by ParseNIK. Its message is English, for logs, and never holds the full
// NIK: at most the part that is wrong.
type NIKError struct {
	Code   NIKErrorCode
	Detail string
	// For the dialogues' own wording: the offending character (NIKNotDigits), how many digits
	// were given (NIKTooShort, NIKTooLong), the unknown province code (NIKProvince).
	Char     string
	Digits   int
	Province string
}

func (e *NIKError) Error() string {
	if e.Detail == "" {
		return "invalid NIK: " + e.Code.String()
	}
	return "invalid NIK: " + e.Code.String() + ": " + e.Detail
}

const nikLen = 16

// ParseNIK normalises and validates a NIK as a citizen types or pastes it: spaces (also
// no-break), dots and dashes are dropped, and digits of any script (Arabic-Indic, full-width, …)
// become ASCII. It then checks the structure: 16 digits, a real province in digits 1–2, a birth
// date DDMMYY in digits 7–12 (day + 40 for women), and a serial other than 0000. An unknown
// regency or kecamatan is not an error: a NIK keeps the code of where it was first issued, which
// may predate a split (see NIK.Info).
//
// It returns a *NIKError.
func ParseNIK(s string) (NIK, error) {
	var buf [nikLen]byte
	n := 0
	if len(s) == nikLen && allASCIIDigits(s) {
		// Fast path for the import, where nearly every NIK is already clean.
		copy(buf[:], s)
		n = nikLen
	} else {
		for i, r := range s {
			d, ok := DigitValue(r)
			switch {
			case ok:
				if n < nikLen {
					buf[n] = byte('0' + d)
				}
				n++
			case isNIKSeparator(r):
			default:
				if r == utf8.RuneError {
					if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
						return "", &NIKError{Code: NIKNotDigits, Detail: fmt.Sprintf("invalid UTF-8 byte at position %d", i+1), Char: "?"}
					}
				}
				return "", &NIKError{Code: NIKNotDigits, Detail: fmt.Sprintf("character %q (%U) at position %d", r, r, utf8.RuneCountInString(s[:i])+1), Char: string(r)}
			}
		}
		switch {
		case n == 0:
			return "", &NIKError{Code: NIKEmpty}
		case n < nikLen:
			return "", &NIKError{Code: NIKTooShort, Detail: fmt.Sprintf("%d digits, need 16", n), Digits: n}
		case n > nikLen:
			return "", &NIKError{Code: NIKTooLong, Detail: fmt.Sprintf("%d digits, need 16", n), Digits: n}
		}
	}
	if err := validateNIK(&buf); err != nil {
		return "", err
	}
	return NIK(buf[:]), nil
}

// nikKey is ParseNIK(s).Uint64() for the import: a clean, valid NIK (nearly every row) takes no
// allocation; anything else goes through ParseNIK for its error.
func nikKey(s string) (uint64, error) {
	if len(s) == nikLen && allASCIIDigits(s) {
		day, month, yy := int(s[6]-'0')*10+int(s[7]-'0'), int(s[8]-'0')*10+int(s[9]-'0'), int(s[10]-'0')*10+int(s[11]-'0')
		if day > 40 {
			day -= 40
		}
		if Regions().province[int(s[0]-'0')*10+int(s[1]-'0')] && month >= 1 && month <= 12 &&
			day >= 1 && day <= daysIn(month, yy) && s[12:16] != "0000" {
			var v uint64
			for i := range nikLen {
				v = v*10 + uint64(s[i]-'0')
			}
			return v, nil
		}
	}
	n, err := ParseNIK(s)
	if err != nil {
		return 0, err
	}
	return n.Uint64(), nil
}

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// isNIKSeparator reports the characters people put between NIK digit groups.
func isNIKSeparator(r rune) bool {
	switch r {
	case '.', '-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212', // dots, hyphens, dashes, minus
		'\uFF0E', '\uFF0D', '\u3002', // full-width dot and hyphen, ideographic full stop
		'\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF': // zero-width spaces and joiners, BOM
		return true
	}
	return unicode.IsSpace(r) // includes NBSP, narrow NBSP, figure space, ideographic space
}

// DigitValue returns the value of a decimal digit in any script (Unicode category Nd).
func DigitValue(r rune) (int, bool) {
	if '0' <= r && r <= '9' {
		return int(r - '0'), true
	}
	if r < 0x80 || !unicode.IsDigit(r) {
		return 0, false
	}
	// Unicode guarantees Nd digits come in contiguous runs 0…9, so each range of the Nd table
	// (a maximal run) starts with a zero.
	for _, rg := range unicode.Nd.R16 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	for _, rg := range unicode.Nd.R32 {
		if r >= rune(rg.Lo) && r <= rune(rg.Hi) {
			return int(r-rune(rg.Lo)) % 10, true
		}
	}
	return 0, false
}

func two(b []byte) int { return int(b[0]-'0')*10 + int(b[1]-'0') }

func validateNIK(d *[nikLen]byte) error {
	if !Regions().province[two(d[0:2])] {
		return &NIKError{Code: NIKProvince, Detail: fmt.Sprintf("no province %s", d[0:2]), Province: string(d[0:2])}
	}
	day, month, yy := two(d[6:8]), two(d[8:10]), two(d[10:12])
	if month < 1 || month > 12 {
		return &NIKError{Code: NIKBirthMonth, Detail: fmt.Sprintf("month %02d", month)}
	}
	if day > 40 {
		day -= 40
	}
	if day < 1 || day > daysIn(month, yy) {
		return &NIKError{Code: NIKBirthDay, Detail: fmt.Sprintf("day %s of month %02d", d[6:8], month)}
	}
	if string(d[12:16]) == "0000" {
		return &NIKError{Code: NIKSerial, Detail: "serial 0000"}
	}
	return nil
}

// daysIn is the length of a month. With a two-digit year, 29 February is allowed whenever the
// year could be a leap year (YY%4 == 0, which also lets 1900 through: it cannot be told apart
// from 2000).
func daysIn(month, yy int) int {
	switch month {
	case 2:
		if yy%4 == 0 {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// String returns the 16 digits.
func (n NIK) String() string { return string(n) }

// Masked returns the NIK with its birth date starred: "351009******0042". The region code and the
// last four digits are enough for staff to tell NIKs apart; use it in logs and in staff groups.
func (n NIK) Masked() string {
	if len(n) != nikLen {
		return maskRaw(string(n))
	}
	return string(n[:6]) + "******" + string(n[12:])
}

// maskRaw masks a string that failed to parse as a NIK, for a bad-row report: it keeps as much as
// Masked would (the first six and last four characters) and only when the rest hides enough.
func maskRaw(s string) string {
	r := []rune(s)
	if len(r) <= 10 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}

// RegionCode returns the kecamatan code the NIK was issued in, dotted: "35.10.09".
func (n NIK) RegionCode() string {
	if len(n) != nikLen {
		return ""
	}
	return string(n[0:2]) + "." + string(n[2:4]) + "." + string(n[4:6])
}

// Uint64 returns the NIK as a number: the registry key.
func (n NIK) Uint64() uint64 {
	var v uint64
	for i := 0; i < len(n); i++ {
		v = v*10 + uint64(n[i]-'0')
	}
	return v
}

// NIKInfo is what a NIK tells about its holder.
type NIKInfo struct {
	Province, Regency, Kecamatan             string // dotted codes: "35", "35.10", "35.10.09"
	ProvinceName, RegencyName, KecamatanName string // "" when the code is unknown
	BirthDate                                time.Time
	Female                                   bool
}

// Info is InfoAt(time.Now()).
func (n NIK) Info() NIKInfo { return n.InfoAt(time.Now()) }

// InfoAt decodes the NIK. The two-digit birth year is put in the latest century that does not
// make the birth date later than now.
func (n NIK) InfoAt(now time.Time) NIKInfo {
	if len(n) != nikLen {
		return NIKInfo{}
	}
	b := []byte(n)
	info := NIKInfo{
		Province:  string(b[0:2]),
		Regency:   string(b[0:2]) + "." + string(b[2:4]),
		Kecamatan: n.RegionCode(),
	}
	w := Regions()
	info.ProvinceName, _ = w.Name(info.Province)
	info.RegencyName, _ = w.Name(info.Regency)
	info.KecamatanName, _ = w.Name(info.Kecamatan)

	day, month, yy := two(b[6:8]), two(b[8:10]), two(b[10:12])
	if day > 40 {
		day -= 40
		info.Female = true
	}
	century := now.Year() / 100 * 100
	for range 3 {
		year := century + yy
		t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
		// t.Day() != day when 29 February falls in a year that is not leap (1900): go back.
		if !t.After(now) && t.Day() == day {
			info.BirthDate = t
			break
		}
		century -= 100
	}
	return info
}

// MaskName masks a name the way Kemensos' Cek Bansos does, word by word: the first and last
// letters stay, the rest are starred ("Siti Wahyuni" → "S**i W*****i"); a word of one or two
// letters keeps its first letter ("Ny" → "N*").
func MaskName(name string) string {
	var b strings.Builder
	for i, word := range strings.Fields(name) {
		if i > 0 {
			b.WriteByte(' ')
		}
		r := []rune(word)
		if len(r) <= 2 {
			b.WriteRune(r[0])
			b.WriteByte('*')
			continue
		}
		b.WriteRune(r[0])
		b.WriteString(strings.Repeat("*", len(r)-2))
		b.WriteRune(r[len(r)-1])
	}
	return b.String()
}
