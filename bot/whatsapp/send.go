package whatsapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/socket"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// Send implements bot.Channel: the reply as one text message (choices numbered, staff
// commands as "Ketik: …" lines), a document as a file with the text as caption, and, for a new
// report in a staff group when polls are on, a Layak / Tidak layak poll after it.
func (c *Channel) Send(ctx context.Context, to storage.ChatAddr, r flows.Reply) error {
	if err := c.paused(); err != nil {
		return err
	}
	jid, err := types.ParseJID(to.ID)
	if err != nil || to.Channel != Name {
		return &bot.SendError{Err: fmt.Errorf("whatsapp: bad chat address %s:%s", to.Channel, maskNumbers(to.ID))}
	}
	text := render(r)
	msg := &waE2E.Message{Conversation: proto.String(text)}
	if r.Document != nil {
		if msg, err = c.document(ctx, r.Document, text); err != nil {
			return classify(fmt.Errorf("whatsapp: upload %s: %w", r.Document.Name, err))
		}
	}
	if r.Photo != nil && jid.Server == types.GroupServer {
		// Evidence goes to staff groups only; elsewhere the caption alone.
		img, err := c.image(ctx, r.Photo, text)
		if err != nil {
			return classify(fmt.Errorf("whatsapp: upload photo: %w", err))
		}
		if img != nil {
			msg = img
		}
	}
	c.typing(ctx, jid)
	extra := whatsmeow.SendRequestExtra{ID: messageID(ctx, "")}
	if _, err := c.cli().SendMessage(ctx, jid, msg, extra); err != nil {
		return classify(fmt.Errorf("whatsapp: send: %w", err))
	}
	if c.polls && r.Event == flows.EventStaffNew && jid.Server == types.GroupServer && hasAction(r, flows.Command(flows.CmdLayak, r.Report)) {
		c.poll(ctx, jid, r.Report)
	}
	return nil
}

// messageID is the WhatsApp id of the queued message being sent (part tells a poll from the
// text it follows): the same on every attempt, so a retry after a timeout whose message did
// arrive is recognised by the phones as the same message rather than shown twice. Outside
// the sender (no queued message) it is empty and whatsmeow picks a random one.
func messageID(ctx context.Context, part string) types.MessageID {
	o, ok := bot.OutboundOf(ctx)
	if !ok {
		return ""
	}
	h := sha256.Sum256(fmt.Appendf(nil, "laporbansos/%d/%d/%s", o.Seq, o.CreatedAt.UnixNano(), part))
	return whatsmeow.WebMessageIDPrefix + types.MessageID(strings.ToUpper(hex.EncodeToString(h[:9])))
}

// typing shows "mengetik…" briefly before a reply to a citizen, as a person would; best effort.
func (c *Channel) typing(ctx context.Context, to types.JID) {
	if c.typingFor <= 0 || to.Server == types.GroupServer {
		return
	}
	if err := c.cli().SendChatPresence(ctx, to, types.ChatPresenceComposing, types.ChatPresenceMediaText); err != nil {
		return
	}
	t := time.NewTimer(c.typingFor)
	select {
	case <-ctx.Done():
	case <-t.C:
	}
	t.Stop()
}

// render writes a reply as WhatsApp text. Buttons and lists do not render for normal
// accounts, so choices become a numbered list (the flows accept the number or the word), and
// staff actions become the command to type, unless the text already spells it out.
func render(r flows.Reply) string {
	var b strings.Builder
	text := whatsappEmphasis(r.Text)
	if r.AskContact {
		text = contactHint(text)
	}
	b.WriteString(text)
	if len(r.Choices) > 0 {
		b.WriteString("\n")
		for i, ch := range r.Choices {
			fmt.Fprintf(&b, "\n%d. %s", i+1, ch.Label)
		}
	}
	first := true
	for _, a := range r.Actions {
		if strings.Contains(r.Text, a.Data) {
			continue
		}
		if first {
			b.WriteString("\n")
			first = false
		}
		b.WriteString("\n" + msgTypeCommand + a.Data)
	}
	return b.String()
}

// whatsappEmphasis writes the flows' emphasis as WhatsApp's *bold*, unless the text holds a
// formatting character of its own (a masked name "S**i", a typed address): then emphasis is
// dropped, so WhatsApp can never pair one of our asterisks with one of the data's.
func whatsappEmphasis(s string) string {
	plain := flows.PlainText(s, "", "")
	if strings.ContainsAny(plain, "*_~`") {
		return plain
	}
	return flows.PlainText(s, "*", "*")
}

// contactHint swaps the flows' line about a "send my number" button, which WhatsApp does not
// have, for how to share a contact card, which the phone question accepts.
func contactHint(text string) string {
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.Contains(l, "Kirim nomor saya") {
			lines[i] = msgContactHint
		}
	}
	return strings.Join(lines, "\n")
}

func hasAction(r flows.Reply, data string) bool {
	for _, a := range r.Actions {
		if a.Data == data {
			return true
		}
	}
	return false
}

// document uploads a file (the CSV export) and builds the message that carries it.
func (c *Channel) document(ctx context.Context, d *flows.Document, caption string) (*waE2E.Message, error) {
	if d.Image {
		return c.imageMessage(ctx, d.Data, "image/png", caption)
	}
	up, err := c.cli().Upload(ctx, d.Data, whatsmeow.MediaDocument)
	if err != nil {
		return nil, err
	}
	mime := "application/octet-stream"
	if strings.HasSuffix(strings.ToLower(d.Name), ".csv") {
		mime = "text/csv"
	}
	return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
		URL:           proto.String(up.URL),
		DirectPath:    proto.String(up.DirectPath),
		MediaKey:      up.MediaKey,
		FileEncSHA256: up.FileEncSHA256,
		FileSHA256:    up.FileSHA256,
		FileLength:    proto.Uint64(up.FileLength),
		Mimetype:      proto.String(mime),
		FileName:      proto.String(d.Name),
		Title:         proto.String(d.Name),
		Caption:       proto.String(caption),
	}}, nil
}

// poll posts the Layak / Tidak layak poll for a report and remembers which report it is about.
// It is an extra: the text with the commands is already out, so a failure is only logged (an
// error would make the sender send the text again).
func (c *Channel) poll(ctx context.Context, group types.JID, report string) {
	msg := c.cli().BuildPollCreation(fmt.Sprintf(msgPollQuestion, report), []string{pollEligible, pollIneligible}, 1)
	resp, err := c.cli().SendMessage(ctx, group, msg, whatsmeow.SendRequestExtra{ID: messageID(ctx, "poll")})
	if err != nil {
		c.log.Warn().Err(err).Str("report", report).Msg("poll not sent; staff can still type the command")
		return
	}
	err = c.store.Update(ctx, func(tx storage.Tx) error {
		return tx.Put(pollBucket, resp.ID, []byte(report))
	})
	if err != nil {
		c.log.Error().Err(err).Str("report", report).Msg("poll id not stored; votes on it will be ignored")
	}
}

// classify tells the sender whether a failed send is worth retrying, from whatsmeow's own
// error values: a dropped connection, a timeout, rate limits and server-side failures (IQ 429
// and 5xx, send error 429/5xx, media upload 5xx) and 463 (the privacy token was missing;
// whatsmeow fetches it on the next attempt) are temporary. Being logged out keeps the message
// for after the relink. Anything else (a bad address, a refused message) is permanent.
func classify(err error) error {
	se := &bot.SendError{Err: maskedError{err}}
	var (
		ne   net.Error
		disc *whatsmeow.DisconnectedError
		iq   *whatsmeow.IQError
	)
	switch {
	case errors.Is(err, whatsmeow.ErrNotLoggedIn):
		se.RetryAfter = 10 * time.Minute
	case errors.Is(err, whatsmeow.ErrNotConnected),
		errors.As(err, &disc),
		errors.Is(err, whatsmeow.ErrIQTimedOut),
		errors.Is(err, whatsmeow.ErrMessageTimedOut),
		errors.Is(err, socket.ErrSocketClosed),
		errors.Is(err, socket.ErrDialFailed),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &ne):
		se.Temporary = true
	case errors.As(err, &iq):
		se.Temporary = iq.Code == 429 || iq.Code >= 500
	case errors.Is(err, whatsmeow.ErrServerReturnedError):
		code := serverCode(err.Error(), whatsmeow.ErrServerReturnedError.Error())
		se.Temporary = code == 429 || code == 463 || code >= 500
	default:
		// Upload failures carry only the HTTP status in their text.
		if code := serverCode(err.Error(), "upload failed with status code"); code == 429 || code >= 500 {
			se.Temporary = true
		}
	}
	return se
}

// serverCode reads the number after prefix in msg ("server returned error 479").
func serverCode(msg, prefix string) int {
	_, after, ok := strings.Cut(msg, prefix)
	if !ok {
		return 0
	}
	fields := strings.Fields(after)
	if len(fields) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(strings.Trim(fields[0], ":,"))
	return n
}
