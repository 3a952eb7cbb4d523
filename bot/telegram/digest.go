package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// Telegram's limits on an inline keyboard: at most 100 buttons, at most 8 in a row.
const (
	maxButtons   = 100
	maxRowLength = 8
)

var _ bot.Digester = (*Channel)(nil)

// SendDigest implements bot.Digester: a burst of new-report posts for a staff group as one
// message, a line per report and a row of that report's buttons (its number on each), as many
// as fit in 4,096 characters and 100 buttons. Each report's posted message is recorded as the
// digest, marked so, so a later decision is posted as a message of its own rather than written
// over the whole digest.
func (c *Channel) SendDigest(ctx context.Context, to storage.ChatAddr, posts []flows.Reply) (int, bot.Bookkeeping, error) {
	chat, err := strconv.ParseInt(to.ID, 10, 64)
	if err != nil {
		return 0, nil, &bot.SendError{Err: fmt.Errorf("telegram: bad chat id %q", to.ID)}
	}
	text, mk, kb, n := digestMessage(posts)
	if n == 0 {
		return 0, nil, &bot.SendError{Err: errors.New("telegram: digest of nothing")}
	}
	cfg := tgbotapi.NewMessage(chat, "")
	cfg.Text, cfg.Entities = render(text, maxText)
	cfg.DisableWebPagePreview = true
	cfg.ReplyMarkup = mk
	m, err := c.bound(ctx).Send(cfg)
	if err != nil {
		return 0, nil, c.classify(err, chat)
	}
	book := func(tx storage.Tx) error {
		if err := putJSON(tx, skbKey(chat, m.MessageID), kb); err != nil {
			return err
		}
		for _, p := range posts[:n] {
			if err := putJSON(tx, postKey(p.Report, chat), postedMessage{Msg: m.MessageID, Text: p.Brief, Digest: true}); err != nil {
				return err
			}
		}
		return nil
	}
	return n, book, nil
}

// digestMessage lays out as many posts as fit: the text, its keyboard, the stored commands and
// how many posts it holds.
func digestMessage(posts []flows.Reply) (string, tgbotapi.InlineKeyboardMarkup, *staffKeyboard, int) {
	kb := &staffKeyboard{}
	var rows [][]tgbotapi.InlineKeyboardButton
	var lines []string
	n := 0
	for i, p := range posts {
		line := fmt.Sprintf("%d. %s", i+1, p.Brief)
		actions := p.Actions
		if len(actions) > maxRowLength {
			actions = actions[:maxRowLength]
		}
		candidate := append(append([]string(nil), lines...), line)
		if utf16Len(flows.PlainText(digestText(len(candidate), candidate), "", "")) > maxText || len(kb.Commands)+len(actions) > maxButtons {
			break
		}
		lines = candidate
		var row []tgbotapi.InlineKeyboardButton
		for _, a := range actions {
			idx := len(kb.Commands)
			kb.Commands = append(kb.Commands, a.Data)
			data := staffPrefix + a.Data
			if len(data) > maxData {
				data = staffPrefix + "#" + strconv.Itoa(idx)
			}
			row = append(row, tgbotapi.NewInlineKeyboardButtonData(a.Label+" "+shortNumber(p.Report), data))
		}
		if len(row) > 0 {
			rows = append(rows, row)
		}
		n++
	}
	return digestText(n, lines), tgbotapi.NewInlineKeyboardMarkup(rows...), kb, n
}

func digestText(n int, lines []string) string {
	return fmt.Sprintf(msgDigestHead, n) + "\n\n" + strings.Join(lines, "\n") + "\n\n" + msgDigestFoot
}

// shortNumber is the counter of a report number ("0042" of LB-2611-0042): a button's label
// must stay short and the line above it names the report in full.
func shortNumber(id string) string {
	if i := strings.LastIndexByte(id, '-'); i >= 0 {
		return id[i+1:]
	}
	return id
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
