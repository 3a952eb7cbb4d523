package telegram

import (
	"strings"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/laporbansos/laporbansos/flows"
)

// maxText is Telegram's limit on a message's text, in UTF-16 code units; maxCaption a document's.
const (
	maxText    = 4096
	maxCaption = 1024
)

// render turns the flows' emphasis markers (flows.EmphasisOn/Off) into plain text plus bold
// entities. Entities rather than a parse mode: whatever a citizen typed or a registry holds (a
// masked name "S**i W*****i", an address with '*', '_', '[' or '<' in it) is only ever plain
// text, never markup, so Telegram can neither garble it nor refuse the message. Markers are
// control characters that typed text never contains; an unpaired one is dropped. Text beyond
// limit is cut with "…".
func render(s string, limit int) (string, []tgbotapi.MessageEntity) {
	var b strings.Builder
	var ents []tgbotapi.MessageEntity
	off := 0    // UTF-16 length of b so far: entity offsets count UTF-16 code units
	start := -1 // offset where the open emphasis began
	closeBold := func() {
		if start >= 0 && off > start {
			ents = append(ents, tgbotapi.MessageEntity{Type: "bold", Offset: start, Length: off - start})
		}
		start = -1
	}
	for _, r := range s {
		switch string(r) {
		case flows.EmphasisOn:
			closeBold()
			start = off
			continue
		case flows.EmphasisOff:
			closeBold()
			continue
		}
		n := utf16.RuneLen(r)
		if off+n > limit-1 {
			closeBold()
			b.WriteString("…")
			return b.String(), ents
		}
		b.WriteRune(r)
		off += n
	}
	start = -1 // an emphasis never closed is not applied
	return b.String(), ents
}
