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

// Callback data (at most 64 bytes):
//
//	c|<step>|<i>    citizen: choice i of the chat's live keyboard, asked at step
//	s|<command>     staff: a staff command, e.g. "s|LAYAK LB-2611-0001"
//	s|#<i>          staff: command i of the message's stored buttons, when the command is long
//
// Both are checked against the stored state (see state.go), never trusted on their own.
const (
	citizenPrefix = "c|"
	staffPrefix   = "s|"
	maxData       = 64
	cmdOther      = "LAINNYA" // the channel's own "type another reason" button
	eventAsk      = "telegram_ask_reason"
)

// isReportNumber accepts only a number exactly as the bot writes it on its own buttons: a
// button's data is never typed, so anything else is forged.
func isReportNumber(s string) bool {
	id, rest, ok := flows.ParseReportNumber(s)
	return ok && rest == "" && id == s
}

// wib is Western Indonesia Time, the time staff read.
var wib = storage.WIB

func (c *Channel) handle(ctx context.Context, m flows.Message) error {
	c.mu.Lock()
	h := c.handler
	c.mu.Unlock()
	if h == nil {
		return errors.New("telegram: no handler (Run not called)")
	}
	return h.Handle(ctx, m)
}

func actor(u *tgbotapi.User) storage.Actor {
	name := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if name == "" {
		name = u.UserName
	}
	return storage.Actor{Channel: Name, ID: itoa(u.ID), Name: name}
}

// nonText names what a message carries when it has no text, in the flows' words.
func nonText(m *tgbotapi.Message) string {
	switch {
	case m.Photo != nil:
		return "photo"
	case m.Sticker != nil:
		return "sticker"
	case m.Voice != nil:
		return "voice"
	case m.Audio != nil:
		return "audio"
	case m.Video != nil, m.VideoNote != nil, m.Animation != nil:
		return "video"
	case m.Document != nil:
		return "document"
	case m.Location != nil, m.Venue != nil:
		return "location"
	case m.Poll != nil:
		return "poll"
	case m.Contact != nil:
		return "contact"
	}
	return ""
}

// messageID names a message for the engine's exactly-once record: message ids are unique per chat.
func messageID(m *tgbotapi.Message) string {
	return Name + ":" + strconv.FormatInt(m.Chat.ID, 10) + "/" + strconv.Itoa(m.MessageID)
}

func (c *Channel) onMessage(ctx context.Context, m *tgbotapi.Message) {
	if m.Chat == nil || m.From == nil || m.From.IsBot || c.addressedElsewhere(m.Text) {
		return
	}
	chat := m.Chat.ID
	switch {
	case c.staff[chat]:
		c.onStaffMessage(ctx, m)
	case m.Chat.IsPrivate():
		c.onCitizenMessage(ctx, m)
	default:
		// Some other group: dialogues with personal data are for private chats only.
		if m.IsCommand() {
			_ = c.enqueue(ctx, flows.Reply{To: Addr(chat), Text: fmt.Sprintf(msgGroupOnly, c.Username())})
		}
	}
}

func (c *Channel) onCitizenMessage(ctx context.Context, m *tgbotapi.Message) {
	chat := m.Chat.ID
	// Writing again after blocking the bot unblocks it: sending may resume.
	if c.flag(ctx, stoppedKey(chat)) {
		if err := c.clear(ctx, stoppedKey(chat)); err != nil {
			c.log.Warn().Err(err).Msg("could not clear a stopped chat")
		}
	}
	fm := flows.Message{Chat: Addr(chat), From: actor(m.From), Private: Addr(chat), Text: m.Text, ID: messageID(m)}
	if kind := nonText(m); kind != "" {
		fm.NonText, fm.Text = kind, ""
		if m.Contact != nil {
			fm.Text = m.Contact.PhoneNumber // the phone step takes a shared contact as the answer
		}
		c.evidence(ctx, m, &fm)
	} else if m.Text == "" {
		return // a service message: nothing to answer
	}
	if err := c.handle(ctx, fm); err != nil {
		c.log.Error().Err(err).Msg("citizen message not handled")
	}
}

func (c *Channel) onStaffMessage(ctx context.Context, m *tgbotapi.Message) {
	chat, user := m.Chat.ID, m.From.ID
	text := m.Text
	if kind := nonText(m); kind != "" || text == "" {
		return // the staff's photos and chatter are theirs; the workflow reads commands only
	}
	if r := m.ReplyToMessage; r != nil && r.From != nil && r.From.ID == c.api.Self.ID {
		var report string
		if ok, _ := c.load(ctx, askKey(chat, r.MessageID), &report); ok && report != "" {
			// The reply to "type the reason" is the reason.
			text = flows.Command(flows.CmdTolak, report, text)
		}
	}
	if v, _ := flows.Verb(firstWord(text)); v.Word == flows.CmdDetail || v.Word == flows.CmdEkspor {
		_ = c.store(ctx, detailKey(user), detailAsk{Chat: chat, Name: actor(m.From).Name})
	}
	fm := flows.Message{
		Chat: Addr(chat), From: actor(m.From), Text: text, StaffChat: true,
		Authorized: c.authorized(ctx, chat, user), Private: Addr(user), ID: messageID(m),
	}
	if err := c.handle(ctx, fm); err != nil {
		c.log.Error().Err(err).Msg("staff message not handled")
	}
}

// firstWord is a command's verb without "/" and "@botname".
func firstWord(text string) string {
	f := strings.Fields(text)
	if len(f) == 0 {
		return ""
	}
	w := strings.TrimPrefix(f[0], "/")
	if i := strings.IndexByte(w, '@'); i > 0 {
		w = w[:i]
	}
	return w
}

// authorized says whether user may decide in staff chat: on the allow-list when there is one,
// otherwise a member of the chat (getChatMember, cached briefly; unknown means no).
func (c *Channel) authorized(ctx context.Context, chat, user int64) bool {
	if !c.staff[chat] {
		return false
	}
	if len(c.users) > 0 {
		return c.users[user]
	}
	key := [2]int64{chat, user}
	now := time.Now()
	c.mu.Lock()
	e, ok := c.members[key]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.opt.MemberCacheTTL {
		return e.ok
	}
	cm, err := c.bound(ctx).GetChatMember(tgbotapi.GetChatMemberConfig{ChatConfigWithUser: tgbotapi.ChatConfigWithUser{ChatID: chat, UserID: user}})
	if err != nil {
		c.log.Warn().Str("error", redact(err, c.opt.Token)).Int64("user", user).Msg("getChatMember failed; treated as not authorised")
		return false
	}
	member := cm.IsCreator() || cm.IsAdministrator() || cm.Status == "member" || (cm.Status == "restricted" && cm.IsMember)
	c.mu.Lock()
	if len(c.members) > 10000 {
		c.members = map[[2]int64]memberEntry{}
	}
	c.members[key] = memberEntry{ok: member, at: now}
	c.mu.Unlock()
	return member
}

// answer answers a callback query; every press must be answered or the user's client spins.
func (c *Channel) answer(ctx context.Context, q *tgbotapi.CallbackQuery, text string, alert bool) {
	cfg := tgbotapi.NewCallback(q.ID, text)
	cfg.ShowAlert = alert
	_, err := c.bound(ctx).Request(cfg)
	switch {
	case err == nil:
	case queryTooOld(err):
		// Answered before a crash, or too late to matter: the press itself was handled.
		c.log.Debug().Msg("callback query already answered or expired")
	default:
		c.log.Warn().Str("error", redact(err, c.opt.Token)).Msg("answerCallbackQuery failed")
	}
}

// queryTooOld is Telegram's answer to a callback query answered twice or after its 15 s.
func queryTooOld(err error) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && te.Code == http.StatusBadRequest && strings.Contains(strings.ToLower(te.Message), "query is too old")
}

func (c *Channel) onCallback(ctx context.Context, q *tgbotapi.CallbackQuery) {
	if q.From == nil || q.Message == nil || q.Message.Chat == nil {
		c.answer(ctx, q, msgStale, false)
		return
	}
	switch {
	case strings.HasPrefix(q.Data, citizenPrefix) && q.Message.Chat.IsPrivate() && !c.staff[q.Message.Chat.ID]:
		c.onCitizenPress(ctx, q)
	case strings.HasPrefix(q.Data, staffPrefix) && c.staff[q.Message.Chat.ID]:
		c.onStaffPress(ctx, q)
	default:
		c.log.Warn().Int64("user", q.From.ID).Int64("chat", q.Message.Chat.ID).Msg("button press with unknown data refused")
		c.answer(ctx, q, msgStale, true)
	}
}

// onCitizenPress resolves a press against the chat's live keyboard. Recording the press, using
// up the keyboard and the dialogue step are one transaction (flows.Message.Claim): a crash
// before its commit loses nothing (the redelivered press is handled), one after it repeats
// nothing. The callback is answered and the keyboard edited after the commit; answering again
// after a crash is harmless.
func (c *Channel) onCitizenPress(ctx context.Context, q *tgbotapi.CallbackQuery) {
	chat, msg := q.Message.Chat.ID, q.Message.MessageID
	dataStep, idx, _ := strings.Cut(strings.TrimPrefix(q.Data, citizenPrefix), "|")
	i, err := strconv.Atoi(idx)
	if err != nil {
		i = -1
	}
	for try := 0; try < recordRetries; try++ {
		pending, err := c.keyboardPending(ctx, chat, msg)
		if err != nil || !pending {
			break
		}
		// The message was sent a moment ago and its keyboard is still being recorded.
		time.Sleep(recordWait)
	}
	var p press
	claimed := false
	fm := flows.Message{Chat: Addr(chat), From: actor(q.From), Private: Addr(chat), ID: callbackID(q)}
	fm.Claim = func(tx storage.Tx, m *flows.Message) (bool, error) {
		claimed = true
		var err error
		if p, err = consume(tx, chat, msg, dataStep, i); err != nil || !p.valid {
			return false, err
		}
		m.Text, m.Step = p.choice.Data, p.step
		return true, nil
	}
	if err := c.handle(ctx, fm); err != nil {
		c.log.Error().Err(err).Msg("citizen button press not handled")
		c.answer(ctx, q, "", false)
		return
	}
	switch {
	case !claimed:
		// Handled before a crash cut the answer short: finish answering it.
		c.answer(ctx, q, "", false)
		c.dropKeyboard(ctx, q.Message, "")
	case !p.valid:
		c.log.Info().Int64("user", q.From.ID).Int("msg", msg).Msg("stale or unknown citizen button press ignored")
		c.answer(ctx, q, msgStale, false)
		c.dropKeyboard(ctx, q.Message, "")
	default:
		c.answer(ctx, q, "", false)
		c.dropKeyboard(ctx, q.Message, fmt.Sprintf(msgChosen, p.choice.Label))
	}
}

// callbackID names a press for the engine's exactly-once record; Telegram redelivers an update
// with the same callback query id.
func callbackID(q *tgbotapi.CallbackQuery) string { return Name + ":callback/" + q.ID }

// recordRetries and recordWait cover the moment between a message reaching the user and its
// buttons being recorded: a very quick press waits for the record instead of being refused.
const (
	recordRetries = 5
	recordWait    = 50 * time.Millisecond
)

// press is a resolved citizen button press.
type press struct {
	choice flows.Choice
	step   string
	valid  bool
}

// keyboardPending reports whether the chat's live keyboard is older than the pressed message:
// the pressed message's buttons are probably being recorded.
func (c *Channel) keyboardPending(ctx context.Context, chat int64, msg int) (bool, error) {
	var kb citizenKeyboard
	ok, err := c.load(ctx, kbKey(chat), &kb)
	return err == nil && (!ok || kb.Msg < msg), err
}

// consume takes choice i of the chat's live keyboard if msg is that keyboard's message and the
// step matches, and removes the keyboard, in the caller's transaction.
func consume(tx storage.Tx, chat int64, msg int, dataStep string, i int) (press, error) {
	var kb citizenKeyboard
	ok, err := getJSON(tx, kbKey(chat), &kb)
	if err != nil || !ok {
		return press{}, err
	}
	step := dataStep
	if step == "" {
		step = kb.Step // data too long for the step: the stored one stands
	}
	if kb.Msg != msg || kb.Step != step || i < 0 || i >= len(kb.Choices) {
		return press{}, nil
	}
	return press{choice: kb.Choices[i], step: kb.Step, valid: true}, clearKey(tx, kbKey(chat))
}

// dropKeyboard edits a pressed message so its buttons are gone, adding a line (the choice made)
// when given. Done at once rather than queued: it is part of answering the press.
func (c *Channel) dropKeyboard(ctx context.Context, m *tgbotapi.Message, line string) {
	var err error
	if line != "" && m.Text != "" {
		text, ents := m.Text+"\n\n"+line, m.Entities
		if len(text) > maxText {
			text, ents = render(text, maxText)
		}
		cfg := tgbotapi.NewEditMessageText(m.Chat.ID, m.MessageID, text)
		cfg.Entities = ents
		_, err = c.bound(ctx).Request(cfg)
	} else {
		_, err = c.bound(ctx).Request(tgbotapi.NewEditMessageReplyMarkup(m.Chat.ID, m.MessageID, tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}}))
	}
	if err != nil && !notModified(err) {
		c.log.Debug().Str("error", redact(err, c.opt.Token)).Msg("could not remove a pressed keyboard")
	}
}

// onStaffPress checks a staff button press: it must be one of the buttons stored for that
// message, pressed by an authorised user, and name a report; the workflow then re-checks the
// report's state. Anything else is answered, logged with the user id, and changes nothing.
func (c *Channel) onStaffPress(ctx context.Context, q *tgbotapi.CallbackQuery) {
	chat, msg, user := q.Message.Chat.ID, q.Message.MessageID, q.From.ID
	data := strings.TrimPrefix(q.Data, staffPrefix)
	var (
		kb  staffKeyboard
		ok  bool
		err error
		cmd string
	)
	for try := 0; ; try++ {
		kb = staffKeyboard{}
		if ok, err = c.load(ctx, skbKey(chat, msg), &kb); err != nil {
			c.log.Error().Err(err).Msg("staff button press not handled")
			c.answer(ctx, q, "", false)
			return
		}
		if cmd = kb.command(data); cmd != "" || try >= recordRetries {
			break
		}
		// A message sent or edited a moment ago: its buttons may still be being recorded (they
		// are written with the send's ack).
		time.Sleep(recordWait)
	}
	fields := strings.Fields(cmd)
	if cmd == "" || len(fields) < 2 || !isReportNumber(fields[1]) {
		c.log.Warn().Int64("user", user).Int64("chat", chat).Int("msg", msg).Bool("known_message", ok).Msg("forged or stale staff button press refused")
		c.answer(ctx, q, msgStale, true)
		return
	}
	if !c.authorized(ctx, chat, user) {
		c.log.Warn().Int64("user", user).Int64("chat", chat).Str("command", fields[0]).Str("report", fields[1]).Msg("unauthorised staff button press refused")
		c.answer(ctx, q, msgUnauthorized, true)
		return
	}
	verb, id := fields[0], fields[1]
	switch verb {
	case cmdOther:
		err := c.enqueueOnce(ctx, callbackID(q), flows.Reply{To: Addr(chat), Text: fmt.Sprintf(msgAskReason, id), Report: id, Event: eventAsk})
		if err != nil {
			c.log.Error().Err(err).Msg("could not ask for a reason")
		}
		c.answer(ctx, q, msgAskReasonSent, false)
		return
	case flows.CmdDetail:
		_ = c.store(ctx, detailKey(user), detailAsk{Chat: chat, Name: actor(q.From).Name})
	}
	reasonButton := len(fields) > 2 && verb == flows.CmdTolak
	claimed := false
	fm := flows.Message{Chat: Addr(chat), From: actor(q.From), Text: cmd, StaffChat: true, Authorized: true, Pressed: true, Private: Addr(user), ID: callbackID(q)}
	fm.Claim = func(tx storage.Tx, _ *flows.Message) (bool, error) {
		claimed = true
		if reasonButton {
			// A reason button's message has done its job once the decision commits.
			return true, clearKey(tx, skbKey(chat, msg))
		}
		return true, nil
	}
	// The engine says what the press did: nothing is read around it, and the staff rules
	// (who may decide what, what a reason needs) stay in the workflow.
	o, err := c.handleOutcome(ctx, fm)
	if err != nil {
		c.log.Error().Err(err).Msg("staff button press not handled")
		c.answer(ctx, q, "", false)
		return
	}
	switch {
	case !claimed:
		// Handled before a crash cut the answer short: finish answering it.
		c.answer(ctx, q, "", false)
		if reasonButton {
			c.dropKeyboard(ctx, q.Message, "")
		}
	case verb == flows.CmdDetail:
		c.answer(ctx, q, msgDetailToast, false)
	case o.OutOfScope:
		c.answer(ctx, q, fmt.Sprintf(msgOtherKecamatan, id), true)
	case o.NotFound:
		c.answer(ctx, q, msgStale, true)
	case o.Already != nil:
		// Someone decided first: say who and when.
		c.answer(ctx, q, alreadyText(id, *o.Already), true)
	case o.NeedsReason:
		c.answer(ctx, q, msgPickReason, false)
	case o.Decided != nil:
		done, _ := flows.Verb(verb)
		c.answer(ctx, q, fmt.Sprintf(msgRecorded, id, done.Done), false)
		if reasonButton {
			c.dropKeyboard(ctx, q.Message, "")
		}
	default:
		c.answer(ctx, q, "", false)
	}
}

// handleOutcome runs a message through the handler and says what it did; a handler that cannot
// say gives an empty Outcome (the press is then answered without detail).
func (c *Channel) handleOutcome(ctx context.Context, m flows.Message) (flows.Outcome, error) {
	c.mu.Lock()
	h := c.handler
	c.mu.Unlock()
	if h == nil {
		return flows.Outcome{}, errors.New("telegram: no handler (Run not called)")
	}
	if oh, ok := h.(bot.OutcomeHandler); ok {
		return oh.HandleOutcome(ctx, m)
	}
	return flows.Outcome{}, h.Handle(ctx, m)
}

// command resolves pressed data against a message's stored buttons; "" when it is not one.
func (kb staffKeyboard) command(data string) string {
	if n, err := strconv.Atoi(strings.TrimPrefix(data, "#")); strings.HasPrefix(data, "#") && err == nil && n >= 0 && n < len(kb.Commands) {
		return kb.Commands[n]
	}
	for _, k := range kb.Commands {
		if k == data {
			return k
		}
	}
	return ""
}

func alreadyText(id string, last storage.Transition) string {
	who := last.By.Name
	if who == "" {
		who = last.By.ID
	}
	return fmt.Sprintf(msgAlready, id, who, last.At.In(wib).Format("02/01/2006 15:04")+" WIB", storage.StatusLabel(last.To))
}
