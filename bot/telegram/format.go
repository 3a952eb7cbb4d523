package telegram

import (
	"strings"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// maxText is Telegram's limit on a message's text, in UTF-16 code units; maxCaption a document's.
const (
	maxText    = 4096
	maxCaption = 1024
)

// render turns the flows' *bold* markup into plain text plus bold entities. Entities rather
// than a parse mode: whatever a citizen typed (a name with '*', '_' or '<' in it) is only ever
// plain text, so Telegram can never refuse a message because it fails to parse. An asterisk
// without a partner on the same line stays an asterisk. Text beyond limit is cut with "…".
func render(s string, limit int) (string, []tgbotapi.MessageEntity) {
	var b strings.Builder
	var ents []tgbotapi.MessageEntity
	off := 0 // UTF-16 length of b so far: entity offsets count UTF-16 code units
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '*' {
			j := i + 1
			for j < len(rs) && rs[j] != '*' && rs[j] != '\n' {
				j++
			}
			if j < len(rs) && rs[j] == '*' && j > i+1 {
				inner := rs[i+1 : j]
				n := len(utf16.Encode(inner))
				if off+n > limit-1 {
					b.WriteString("…")
					break
				}
				ents = append(ents, tgbotapi.MessageEntity{Type: "bold", Offset: off, Length: n})
				b.WriteString(string(inner))
				off += n
				i = j
				continue
			}
		}
		n := len(utf16.Encode(rs[i : i+1]))
		if off+n > limit-1 {
			b.WriteString("…")
			break
		}
		b.WriteRune(rs[i])
		off += n
	}
	return b.String(), ents
}
