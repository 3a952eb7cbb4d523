package whatsapp

import (
	"context"
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
	select {
	case <-c.stopped:
		// Kept in the queue: it goes out once the number is linked again and the bot restarted.
		return &bot.SendError{Err: c.stopErr, RetryAfter: 10 * time.Minute}
	default:
	}
	jid, err := types.ParseJID(to.ID)
	if err != nil || to.Channel != Name {
		return &bot.SendError{Err: fmt.Errorf("whatsapp: bad chat address %q", to.Key())}
	}
	text := render(r)
	msg := &waE2E.Message{Conversation: proto.String(text)}
	if r.Document != nil {
		if msg, err = c.document(ctx, r.Document, text); err != nil {
			return classify(fmt.Errorf("whatsapp: upload %s: %w", r.Document.Name, err))
		}
	}
	if _, err := c.client.SendMessage(ctx, jid, msg); err != nil {
		return classify(fmt.Errorf("whatsapp: send: %w", err))
	}
	if c.polls && r.Event == flows.EventStaffNew && jid.Server == types.GroupServer && hasAction(r, "LAYAK "+r.Report) {
		c.poll(ctx, jid, r.Report)
	}
	return nil
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
	up, err := c.client.Upload(ctx, d.Data, whatsmeow.MediaDocument)
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
	msg := c.client.BuildPollCreation(fmt.Sprintf(msgPollQuestion, report), []string{pollEligible, pollIneligible}, 1)
	resp, err := c.client.SendMessage(ctx, group, msg)
	if err != nil {
		c.log.Warn().Err(err).Str("report", report).Msg("poll not sent; staff can still type the command")
		return
	}
	err = c.store.Update(ctx, func(tx *storage.Tx) error {
		return tx.Put(pollBucket, resp.ID, []byte(report))
	})
	if err != nil {
		c.log.Error().Err(err).Str("report", report).Msg("poll id not stored; votes on it will be ignored")
	}
}

// classify tells the sender whether a failed send is worth retrying: connection trouble and
// server-side errors are; anything else (a bad address, a refused message) is not.
func classify(err error) error {
	se := &bot.SendError{Err: err}
	var ne net.Error
	switch {
	case errors.Is(err, whatsmeow.ErrNotLoggedIn):
		// Logged out: keep the message until the number is linked again.
		se.RetryAfter = 10 * time.Minute
	case errors.Is(err, whatsmeow.ErrNotConnected),
		errors.Is(err, whatsmeow.ErrIQTimedOut),
		errors.Is(err, whatsmeow.ErrMessageTimedOut),
		errors.Is(err, socket.ErrSocketClosed),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.As(err, &ne):
		se.Temporary = true
	case errors.Is(err, whatsmeow.ErrServerReturnedError):
		code := serverCode(err.Error())
		se.Temporary = code == 429 || code >= 500
	}
	return se
}

// serverCode reads the code from whatsmeow's "server returned error 479".
func serverCode(msg string) int {
	_, after, ok := strings.Cut(msg, whatsmeow.ErrServerReturnedError.Error())
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
