package flows

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// reportNumber is the one grammar of a report number, wherever one is typed or pressed: the
// prefix LB (report) or SG (sanggah), the year-month, the serial; separated by anything people
// type ("lb 2611 1", "LB-2611-0001", "LB.2611.1"), possibly inside a sentence or bold markup
// ("nomor saya *LB-2611-0001*").
var reportNumber = regexp.MustCompile(`(?i)(?:^|[^\pL\pN])(LB|SG|PG)[\s._\-/]*(\d{4})[\s._\-/]*(\d{1,6})(?:$|[^\pN])`)

// ParseReportNumber finds a report number in text and returns it as stored ("LB-2611-0001"),
// with what came after it (a staff reason, say). ok is false when text holds none.
func ParseReportNumber(text string) (id, rest string, ok bool) {
	t := asciiDigits(text)
	m := reportNumber.FindStringSubmatchIndex(t)
	if m == nil {
		return "", "", false
	}
	serial, err := strconv.Atoi(t[m[6]:m[7]])
	if err != nil || serial == 0 {
		return "", "", false
	}
	id = fmt.Sprintf("%s-%s-%04d", strings.ToUpper(t[m[2]:m[3]]), t[m[4]:m[5]], serial)
	end := m[7]
	return id, strings.TrimSpace(strings.TrimLeft(t[end:], "*_")), true
}

func looksLikeReportID(s string) bool {
	_, _, ok := ParseReportNumber(s)
	return ok
}

// canonicalID writes a typed report number the way it is stored: "lb 2611 42" → "LB-2611-0042".
func canonicalID(s string) string {
	if id, _, ok := ParseReportNumber(s); ok {
		return id
	}
	return strings.ToUpper(strings.TrimSpace(s))
}
