package whatsapp

import (
	"fmt"
	"regexp"
	"time"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	waLog "go.mau.fi/whatsmeow/util/log"
)

// wib is Western Indonesia Time, for times staff read; fixed, so no tzdata is needed.
var wib = time.FixedZone("WIB", 7*3600)

// maskJID keeps a WhatsApp address out of the logs in full (it is a phone number or stands
// for one): "628…890@s.whatsapp.net". Group ids are not personal and stay whole.
func maskJID(j types.JID) string {
	if j.Server == types.GroupServer {
		return j.ToNonAD().String()
	}
	return maskDigits(j.User) + "@" + j.Server
}

func maskDigits(s string) string {
	if len(s) <= 6 {
		return "…"
	}
	return s[:3] + "…" + s[len(s)-3:]
}

// userJID is the user part of a person's address in a log line ("6281…@s.whatsapp.net",
// "1234…:12@lid"); indonesianNumber a bare Indonesian phone number. Group ids and version
// numbers are left alone.
var (
	userJID          = regexp.MustCompile(`(\d{6,})((?:\.\d+)?(?::\d+)?@(?:s\.whatsapp\.net|lid|c\.us|hosted|hosted\.lid))`)
	indonesianNumber = regexp.MustCompile(`\b62\d{8,13}\b`)
)

// maskNumbers masks every person's number in a log line.
func maskNumbers(s string) string {
	s = userJID.ReplaceAllStringFunc(s, func(m string) string {
		sub := userJID.FindStringSubmatch(m)
		return maskDigits(sub[1]) + sub[2]
	})
	return indonesianNumber.ReplaceAllStringFunc(s, maskDigits)
}

// maskedLog is whatsmeow's logger with phone numbers masked at info level and above; debug
// lines (off in production) stay whole for troubleshooting.
type maskedLog struct{ waLog.Logger }

func (l maskedLog) Infof(msg string, args ...any) {
	l.Logger.Infof("%s", maskNumbers(fmt.Sprintf(msg, args...)))
}
func (l maskedLog) Warnf(msg string, args ...any) {
	l.Logger.Warnf("%s", maskNumbers(fmt.Sprintf(msg, args...)))
}
func (l maskedLog) Errorf(msg string, args ...any) {
	l.Logger.Errorf("%s", maskNumbers(fmt.Sprintf(msg, args...)))
}
func (l maskedLog) Sub(module string) waLog.Logger { return maskedLog{l.Logger.Sub(module)} }

// staffAdvice says in the staff chats' language why WhatsApp stopped and what the operator does.
func staffAdvice(e events.PermanentDisconnect) string {
	switch e.(type) {
	case *events.LoggedOut:
		return msgStaffLoggedOut
	case *events.StreamReplaced:
		return msgStaffReplaced
	case *events.ClientOutdated:
		return msgStaffOutdated
	}
	return msgStaffOther
}

// maskedError is an error whose text has numbers masked (the sender logs send errors, and
// whatsmeow's name the recipient); errors.Is and As still see the original.
type maskedError struct{ err error }

func (e maskedError) Error() string { return maskNumbers(e.err.Error()) }
func (e maskedError) Unwrap() error { return e.err }
