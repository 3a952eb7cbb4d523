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

// longNumber is a run of digits as long as a phone number or a LID.
var longNumber = regexp.MustCompile(`\d{8,}`)

// maskNumbers masks every phone-number-like run of digits in a log line.
func maskNumbers(s string) string {
	return longNumber.ReplaceAllStringFunc(s, maskDigits)
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
