package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// sendTimeout bounds one Bot API call made by Send.
const sendTimeout = 30 * time.Second

// Send implements bot.Channel for callers outside the sender: it writes the bookkeeping itself.
func (c *Channel) Send(ctx context.Context, to storage.ChatAddr, r flows.Reply) error {
	book, err := c.SendCommit(ctx, to, r)
	if err != nil || book == nil {
		return err
	}
	return c.opt.DB.Update(context.WithoutCancel(ctx), func(tx storage.Tx) error { return book(tx) })
}

// SendCommit implements bot.Committer: it renders one queued reply for Telegram and classifies
// a failure for the sender's retry policy. A decision on a report edits the message posted for
// it in each staff chat instead of adding a new one. What a delivered message leaves behind (its
// buttons, the posted message's id and text) is returned, for the sender to write with its ack
// in one transaction.
func (c *Channel) SendCommit(ctx context.Context, to storage.ChatAddr, r flows.Reply) (bot.Bookkeeping, error) {
	chat, err := strconv.ParseInt(to.ID, 10, 64)
	if err != nil {
		return nil, &bot.SendError{Err: fmt.Errorf("telegram: bad chat id %q", to.ID)}
	}
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	if chat > 0 && c.flag(ctx, stoppedKey(chat)) {
		return nil, &bot.SendError{Err: errors.New("telegram: chat stopped (bot blocked)"), Stopped: true}
	}
	var book bot.Bookkeeping
	switch {
	case r.Document != nil:
		err = c.sendDocument(ctx, chat, r)
	case r.Photo != nil:
		err = c.sendPhoto(ctx, chat, r)
	case r.Event == flows.EventStaffDecided && c.staff[chat] && r.Report != "":
		book, err = c.sendDecided(ctx, chat, r)
	default:
		_, book, err = c.sendMessage(ctx, chat, r)
	}
	if err == nil {
		return book, nil
	}
	se := c.classify(err, chat)
	if se.Stopped {
		c.stopped(ctx, chat, r)
	}
	return nil, se
}

// sendMessage sends r with its keyboard and returns the record of what later presses and edits
// need.
func (c *Channel) sendMessage(ctx context.Context, chat int64, r flows.Reply) (tgbotapi.Message, bot.Bookkeeping, error) {
	text, ents := render(r.Text, maxText)
	cfg := tgbotapi.NewMessage(chat, text)
	cfg.Entities = ents
	cfg.DisableWebPagePreview = true
	var staffKB *staffKeyboard
	replyKB := false
	switch {
	case r.Event == eventAsk:
		cfg.ReplyMarkup = tgbotapi.ForceReply{ForceReply: true, InputFieldPlaceholder: msgReasonHint}
	case len(r.Choices) > 0:
		cfg.ReplyMarkup = citizenMarkup(r)
	case len(r.Actions) > 0:
		var mk tgbotapi.InlineKeyboardMarkup
		mk, staffKB = staffMarkup(r)
		cfg.ReplyMarkup = mk
	case r.AskContact && chat > 0:
		kb := tgbotapi.NewOneTimeReplyKeyboard(tgbotapi.NewKeyboardButtonRow(tgbotapi.NewKeyboardButtonContact(msgContactButton)))
		kb.ResizeKeyboard = true
		cfg.ReplyMarkup = kb
		replyKB = true
	case chat > 0 && (r.Event == flows.EventCitizenFinal || c.flag(ctx, rkbKey(chat))):
		// The contact button is done with: take the reply keyboard away.
		cfg.ReplyMarkup = tgbotapi.NewRemoveKeyboard(false)
	}
	m, err := c.bound(ctx).Send(cfg)
	if err != nil {
		return m, nil, err
	}
	book := func(tx storage.Tx) error {
		if len(r.Choices) > 0 {
			if err := putJSON(tx, kbKey(chat), citizenKeyboard{Msg: m.MessageID, Step: r.Step, Choices: r.Choices}); err != nil {
				return err
			}
		}
		if staffKB != nil {
			if err := putJSON(tx, skbKey(chat, m.MessageID), staffKB); err != nil {
				return err
			}
		}
		if r.Event == flows.EventStaffNew && r.Report != "" {
			if err := putJSON(tx, postKey(r.Report, chat), postedMessage{Msg: m.MessageID, Text: r.Text}); err != nil {
				return err
			}
		}
		if r.Event == eventAsk {
			if err := putJSON(tx, askKey(chat, m.MessageID), r.Report); err != nil {
				return err
			}
		}
		if chat > 0 {
			switch {
			case replyKB:
				return putJSON(tx, rkbKey(chat), true)
			case cfg.ReplyMarkup != nil && !replyKB:
				if _, ok := cfg.ReplyMarkup.(tgbotapi.ReplyKeyboardRemove); ok {
					return clearKey(tx, rkbKey(chat))
				}
			}
		}
		return nil
	}
	return m, book, nil
}

// citizenMarkup lays Choices out Columns to a row. The data carries the step and the index; the
// answer text is looked up in the stored keyboard when pressed.
func citizenMarkup(r flows.Reply) tgbotapi.InlineKeyboardMarkup {
	cols := max(r.Columns, 1)
	var rows [][]tgbotapi.InlineKeyboardButton
	for i, ch := range r.Choices {
		if i%cols == 0 {
			rows = append(rows, nil)
		}
		data := citizenPrefix + r.Step + "|" + strconv.Itoa(i)
		if len(data) > maxData {
			data = citizenPrefix + "|" + strconv.Itoa(i) // the stored step still has to match
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], tgbotapi.NewInlineKeyboardButtonData(ch.Label, data))
	}
	return tgbotapi.NewInlineKeyboardMarkup(rows...)
}

// staffMarkup renders Actions as buttons: a short set in one row (Layak · Tidak layak · Detail),
// a list of reasons one per row, with "Lainnya…" (type a reason) after the reasons.
func staffMarkup(r flows.Reply) (tgbotapi.InlineKeyboardMarkup, *staffKeyboard) {
	kb := &staffKeyboard{Report: r.Report}
	labels := []string{}
	for _, a := range r.Actions {
		kb.Commands = append(kb.Commands, a.Data)
		labels = append(labels, a.Label)
	}
	reasons := r.Report != "" && len(r.Actions) > 0
	for _, a := range r.Actions {
		f := strings.Fields(a.Data)
		if len(f) < 3 || !strings.EqualFold(f[0], flows.CmdTolak) {
			reasons = false
		}
	}
	if reasons {
		kb.Commands = append(kb.Commands, cmdOther+" "+r.Report)
		labels = append(labels, msgOther)
	}
	var rows [][]tgbotapi.InlineKeyboardButton
	for i, cmd := range kb.Commands {
		data := staffPrefix + cmd
		if len(data) > maxData {
			data = staffPrefix + "#" + strconv.Itoa(i)
		}
		b := tgbotapi.NewInlineKeyboardButtonData(labels[i], data)
		if len(kb.Commands) <= 3 && !reasons {
			if len(rows) == 0 {
				rows = append(rows, nil)
			}
			rows[0] = append(rows[0], b)
		} else {
			rows = append(rows, tgbotapi.NewInlineKeyboardRow(b))
		}
	}
	return tgbotapi.NewInlineKeyboardMarkup(rows...), kb
}

// sendDecided edits the report's posted message in this staff chat: its text gains the
// decision (who, when) and its buttons become the next step's (Sudah disalurkan) or none. When
// there is no posted message to edit (it was never sent, or was deleted), it posts anew. A
// decision the post already shows is not edited in again.
func (c *Channel) sendDecided(ctx context.Context, chat int64, r flows.Reply) (bot.Bookkeeping, error) {
	var post postedMessage
	found, err := c.load(ctx, postKey(r.Report, chat), &post)
	if err != nil {
		return nil, err
	}
	if !found || post.Digest {
		m, book, err := c.sendMessage(ctx, chat, r)
		if err != nil {
			return nil, err
		}
		return func(tx storage.Tx) error {
			if err := book(tx); err != nil {
				return err
			}
			return putJSON(tx, postKey(r.Report, chat), postedMessage{Msg: m.MessageID, Text: r.Text})
		}, nil
	}
	if strings.HasSuffix(post.Text, "\n\n"+r.Text) {
		return nil, nil // already edited: a no-op, not the decision twice
	}
	newText := post.Text + "\n\n" + r.Text
	text, ents := render(newText, maxText)
	cfg := tgbotapi.NewEditMessageText(chat, post.Msg, text)
	cfg.Entities = ents
	cfg.DisableWebPagePreview = true
	var kb *staffKeyboard
	if len(r.Actions) > 0 {
		var mk tgbotapi.InlineKeyboardMarkup
		mk, kb = staffMarkup(r)
		cfg.ReplyMarkup = &mk
	} // no markup: editMessageText drops the buttons
	_, err = c.bound(ctx).Request(cfg)
	switch {
	case err == nil, notModified(err):
	case editGone(err):
		c.log.Info().Str("report", r.Report).Msg("posted staff message cannot be edited; posting the decision anew")
		if err := c.clear(context.WithoutCancel(ctx), postKey(r.Report, chat)); err != nil {
			return nil, err
		}
		return c.sendDecided(ctx, chat, r)
	default:
		return nil, err
	}
	return func(tx storage.Tx) error {
		if err := putJSON(tx, postKey(r.Report, chat), postedMessage{Msg: post.Msg, Text: newText}); err != nil {
			return err
		}
		if kb != nil {
			return putJSON(tx, skbKey(chat, post.Msg), kb)
		}
		return clearKey(tx, skbKey(chat, post.Msg))
	}, nil
}

// sendDocument sends the CSV export as a file, the reply's text as its caption.
func (c *Channel) sendDocument(ctx context.Context, chat int64, r flows.Reply) error {
	text, ents := render(r.Text, maxCaption)
	file := tgbotapi.FileBytes{Name: r.Document.Name, Bytes: r.Document.Data}
	if r.Document.Image {
		// A chart is looked at, not downloaded: a photo shows in the chat at once.
		cfg := tgbotapi.NewPhoto(chat, file)
		cfg.Caption, cfg.CaptionEntities = text, ents
		_, err := c.bound(ctx).Send(cfg)
		return err
	}
	cfg := tgbotapi.NewDocument(chat, file)
	cfg.Caption = text
	cfg.CaptionEntities = ents
	_, err := c.bound(ctx).Send(cfg)
	return err
}

// stopped records a chat that blocked the bot (sending resumes when it writes again); when the
// failed message was a staff member's DETAIL, the staff chat they asked from is told to start
// a private chat with the bot first.
func (c *Channel) stopped(ctx context.Context, chat int64, r flows.Reply) {
	ctx = context.WithoutCancel(ctx)
	if chat < 0 {
		return
	}
	if err := c.store(ctx, stoppedKey(chat), time.Now().Unix()); err != nil {
		c.log.Warn().Err(err).Msg("could not record a stopped chat")
	}
	if r.Event != flows.EventStaffDetail {
		return
	}
	var ask detailAsk
	if ok, _ := c.load(ctx, detailKey(chat), &ask); !ok || !c.staff[ask.Chat] {
		return
	}
	err := c.enqueue(ctx, flows.Reply{To: Addr(ask.Chat), Text: fmt.Sprintf(msgStartPrivate, ask.Name, r.Report, c.Username())})
	if err != nil {
		c.log.Error().Err(err).Msg("could not tell the staff chat to start a private chat")
	}
}

// classify turns a Bot API failure into the sender's terms: 429 waits retry_after; 5xx, network
// and unknown failures are temporary; a private chat that blocked the bot, was deactivated or
// is not found is stopped; other 4xx are refused for good (the message is dropped, logged).
func (c *Channel) classify(err error, chat int64) *bot.SendError {
	clean := errors.New(redact(err, c.opt.Token))
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		return &bot.SendError{Err: clean, Temporary: true}
	}
	desc := strings.ToLower(te.Message)
	switch {
	case te.Code == http.StatusTooManyRequests:
		after := time.Duration(te.RetryAfter) * time.Second
		if after <= 0 {
			after = time.Second
		}
		return &bot.SendError{Err: clean, RetryAfter: after}
	case te.Code >= 500, te.Code == http.StatusUnauthorized, te.Code == http.StatusConflict, te.Code == 0:
		return &bot.SendError{Err: clean, Temporary: true}
	case chat > 0 && (te.Code == http.StatusForbidden || strings.Contains(desc, "chat not found") || strings.Contains(desc, "user is deactivated")):
		return &bot.SendError{Err: clean, Stopped: true}
	case te.MigrateToChatID != 0:
		c.log.Error().Int64("chat", chat).Int64("new_chat", te.MigrateToChatID).Msg("the staff group became a supergroup: put the new id in LAPOR_TELEGRAM_STAFF_CHATS")
	}
	return &bot.SendError{Err: clean}
}

// notModified is Telegram's answer to an edit that changes nothing: the edit is already there.
func notModified(err error) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && te.Code == http.StatusBadRequest && strings.Contains(strings.ToLower(te.Message), "message is not modified")
}

func editGone(err error) bool {
	var te *tgbotapi.Error
	if !errors.As(err, &te) || te.Code != http.StatusBadRequest {
		return false
	}
	d := strings.ToLower(te.Message)
	return strings.Contains(d, "message to edit not found") || strings.Contains(d, "message can't be edited")
}
