package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// translate turns a WhatsApp message into what the flows read. ok is false for what the bot
// does not answer (a vote on a poll it did not post, an undecryptable vote, a withdrawn vote).
func (c *Channel) translate(ctx context.Context, e *events.Message, chat types.JID) (flows.Message, bool) {
	info := e.Info
	pn := c.phoneOf(ctx, info)
	id := info.Sender.ToNonAD()
	if !pn.IsEmpty() {
		id = pn // staff know each other by number; a LID only where none is known
	}
	from := storage.Actor{Channel: Name, ID: id.String(), Name: info.PushName}
	private := storage.ChatAddr{Channel: Name, ID: id.String()}

	if info.Chat.Server != types.GroupServer {
		// A citizen's dialogue is keyed by chat (their LID when known); the number, when
		// known, is the sender's id, an attribute of the message.
		m := flows.Message{Chat: storage.ChatAddr{Channel: Name, ID: chat.String()}, From: from}
		m.Text, m.NonText = content(e.Message)
		c.evidence(ctx, e.Message, &m)
		return m, true
	}
	m := flows.Message{
		Chat:       storage.ChatAddr{Channel: Name, ID: info.Chat.ToNonAD().String()},
		From:       from,
		StaffChat:  true,
		Authorized: c.authorized(pn, info.Sender),
		Private:    private,
	}
	if e.Message.GetPollUpdateMessage() != nil {
		text, ok := c.voteCommand(ctx, e)
		m.Text = text
		return m, ok
	}
	m.Text, m.NonText = content(e.Message)
	return m, true
}

// phoneOf finds the sender's phone-number JID: the sender itself, the alternative address
// WhatsApp sends with LID-addressed messages, or whatsmeow's LID map. Empty when unknown.
func (c *Channel) phoneOf(ctx context.Context, info types.MessageInfo) types.JID {
	for _, j := range []types.JID{info.Sender, info.SenderAlt} {
		if j.Server == types.DefaultUserServer && j.User != "" {
			return j.ToNonAD()
		}
	}
	lid := info.Sender.ToNonAD()
	if lid.Server != types.HiddenUserServer {
		lid = info.SenderAlt.ToNonAD()
	}
	if lid.Server == types.HiddenUserServer && c.lids != nil {
		pn, err := c.lids.GetPNForLID(ctx, lid)
		if err != nil {
			c.log.Debug().Err(err).Msg("LID lookup failed")
		}
		if err == nil && pn.User != "" {
			return pn.ToNonAD()
		}
	}
	return types.JID{}
}

// authorized says whether the sender of a staff-group message may act as staff: anyone in the
// group when there is no allow-list, else a listed number, compared against the sender's
// phone number (from its PN JID, SenderAlt or the LID map) and, should the operator have
// listed one, its LID.
func (c *Channel) authorized(pn, sender types.JID) bool {
	if len(c.numbers) == 0 {
		return true
	}
	if (pn.User != "" && c.numbers[pn.User]) || (sender.User != "" && c.numbers[sender.User]) {
		return true
	}
	c.staffMu.RLock()
	defer c.staffMu.RUnlock()
	return sender.Server == types.HiddenUserServer && c.staffLIDs[sender.User]
}

// Poll options. Votes come back as SHA-256 hashes of these exact strings: never change them
// while polls are open. They are the staff vocabulary's button labels (flows.Verb), which must
// therefore not change while polls are open either.
var (
	pollEligible   = buttonLabel(flows.CmdLayak)
	pollIneligible = buttonLabel(flows.CmdTolak)
)

func buttonLabel(word string) string {
	v, _ := flows.Verb(word)
	return v.Button
}

// voteCommand turns a vote on one of the bot's polls into the staff command it means. "Tidak
// layak" becomes a TOLAK without a reason, which the flows answer by asking for one.
func (c *Channel) voteCommand(ctx context.Context, e *events.Message) (string, bool) {
	pollID := e.Message.GetPollUpdateMessage().GetPollCreationMessageKey().GetID()
	if pollID == "" {
		return "", false
	}
	var report string
	err := c.store.View(ctx, func(tx storage.Tx) error {
		v, err := tx.Get(pollBucket, pollID)
		report = string(v)
		return err
	})
	if errors.Is(err, storage.ErrNotFound) {
		return "", false // someone else's poll
	}
	if err != nil {
		c.log.Error().Err(err).Msg("poll lookup failed")
		return "", false
	}
	vote, err := c.cli().DecryptPollVote(ctx, e)
	if err != nil {
		// The staff member thinks they decided: say it did not count and what to type.
		c.log.Warn().Err(err).Str("report", report).Msg("poll vote could not be decrypted")
		c.reply(ctx, storage.ChatAddr{Channel: Name, ID: e.Info.Chat.ToNonAD().String()}, fmt.Sprintf(msgVoteUnreadable, report, report, report))
		return "", false
	}
	sel := vote.GetSelectedOptions()
	if len(sel) != 1 {
		return "", false // withdrawn (or, impossibly, several)
	}
	hashes := whatsmeow.HashPollOptions([]string{pollEligible, pollIneligible})
	switch {
	case bytes.Equal(sel[0], hashes[0]):
		return flows.Command(flows.CmdLayak, report), true
	case bytes.Equal(sel[0], hashes[1]):
		return flows.Command(flows.CmdTolak, report), true
	}
	return "", false
}

// hasContent says whether a message is something the flows answer: text, or a kind of media
// they politely refuse. Reactions, edits, deletions, receipts and key distributions are not.
func hasContent(m *waE2E.Message) bool {
	text, kind := content(m)
	return text != "" || kind != "" || m.Conversation != nil || m.ExtendedTextMessage != nil
}

// content returns a message's text, or the kind of non-text message it is (flows.Message's
// NonText). A shared contact card carries its first phone number as text, which the phone
// question accepts.
func content(m *waE2E.Message) (text, nonText string) {
	switch {
	case m.Conversation != nil:
		return m.GetConversation(), ""
	case m.ExtendedTextMessage != nil:
		return m.GetExtendedTextMessage().GetText(), ""
	case m.ImageMessage != nil:
		return "", "photo"
	case m.StickerMessage != nil:
		return "", "sticker"
	case m.AudioMessage != nil:
		if m.GetAudioMessage().GetPTT() {
			return "", "voice"
		}
		return "", "audio"
	case m.VideoMessage != nil, m.PtvMessage != nil:
		return "", "video"
	case m.DocumentMessage != nil, m.DocumentWithCaptionMessage != nil:
		return "", "document"
	case m.LocationMessage != nil, m.LiveLocationMessage != nil:
		return "", "location"
	case m.ContactMessage != nil:
		return vcardPhone(m.GetContactMessage().GetVcard()), "contact"
	case m.ContactsArrayMessage != nil:
		if cs := m.GetContactsArrayMessage().GetContacts(); len(cs) > 0 {
			return vcardPhone(cs[0].GetVcard()), "contact"
		}
		return "", "contact"
	case m.PollCreationMessage != nil, m.PollCreationMessageV2 != nil, m.PollCreationMessageV3 != nil:
		return "", "poll"
	}
	return "", ""
}

// vcardPhone finds the first number in a vCard: WhatsApp writes
// "TEL;type=CELL;waid=6281234567890:+62 812-3456-7890".
func vcardPhone(vcard string) string {
	for _, line := range strings.Split(vcard, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(strings.ToUpper(line), "TEL") {
			continue
		}
		head, value, _ := strings.Cut(line, ":")
		for _, p := range strings.Split(head, ";") {
			if w, ok := strings.CutPrefix(strings.ToLower(p), "waid="); ok && digits(w) != "" {
				return "+" + digits(w)
			}
		}
		if d := digits(value); d != "" {
			if strings.HasPrefix(strings.TrimSpace(value), "+") {
				return "+" + d
			}
			return d
		}
	}
	return ""
}

// digits keeps the digits of s.
func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isGroupID(id string) bool { return strings.HasSuffix(id, "@"+types.GroupServer) }
