package wacloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// Meta's limits on what one message may hold.
const (
	maxText        = 4096 // text body
	maxBody        = 1024 // interactive body
	maxButtons     = 3
	maxButtonTitle = 20
	maxButtonID    = 256
	maxRows        = 10
	maxRowTitle    = 24
	maxRowID       = 200
	maxRowDesc     = 72
	maxParam       = 1024 // a template body parameter, kept well under the template's limit
)

// Error codes Meta documents for the Cloud API, as the channel treats them.
const (
	codeBadToken      = 190
	codeOutsideWindow = 131047
	codeUndeliverable = 131026
	codePairRate      = 131056
)

// pairGap is how long a 131056 (pair rate limit) makes a chat wait.
const pairGap = 6 * time.Second

// throttled are the rate-limit codes: wait, then send again.
var throttled = map[int]bool{4: true, 80007: true, 130429: true, 131048: true, 131056: true}

// retryable status-callback codes besides throttling: Meta's own transient failures.
var retryable = map[int]bool{131000: true, 131016: true, 131053: true}

// outMessage is the body of POST /{phone-number-id}/messages.
type outMessage struct {
	MessagingProduct string       `json:"messaging_product"`
	RecipientType    string       `json:"recipient_type,omitempty"`
	To               string       `json:"to,omitempty"`
	Recipient        string       `json:"recipient,omitempty"` // a business-scoped user id instead of a number
	Type             string       `json:"type,omitempty"`
	Text             *outText     `json:"text,omitempty"`
	Interactive      *interactive `json:"interactive,omitempty"`
	Template         *template    `json:"template,omitempty"`
	// Mark-as-read with a typing indicator uses the same endpoint.
	Status          string           `json:"status,omitempty"`
	MessageID       string           `json:"message_id,omitempty"`
	TypingIndicator *typingIndicator `json:"typing_indicator,omitempty"`
}

type outText struct {
	Body       string `json:"body"`
	PreviewURL bool   `json:"preview_url"`
}

type interactive struct {
	Type string `json:"type"` // button or list
	Body struct {
		Text string `json:"text"`
	} `json:"body"`
	Action action `json:"action"`
}

type action struct {
	Buttons  []button  `json:"buttons,omitempty"`
	Button   string    `json:"button,omitempty"` // the list's opening button
	Sections []section `json:"sections,omitempty"`
}

type button struct {
	Type  string `json:"type"`
	Reply struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"reply"`
}

type section struct {
	Title string `json:"title,omitempty"`
	Rows  []row  `json:"rows"`
}

type row struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
}

type template struct {
	Name     string `json:"name"`
	Language struct {
		Code string `json:"code"`
	} `json:"language"`
	Components []component `json:"components,omitempty"`
}

type component struct {
	Type       string  `json:"type"`
	Parameters []param `json:"parameters"`
}

type param struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type typingIndicator struct {
	Type string `json:"type"`
}

// sentRecord is kept under sent/<wamid> until the message's final status.
type sentRecord struct {
	To    storage.ChatAddr `json:"to"`
	Reply json.RawMessage  `json:"reply"`
}

// Send implements bot.Channel. Inside the 24-hour window the reply goes out as it is; outside,
// or when Meta says the window closed, as the template.
func (c *Channel) Send(ctx context.Context, to storage.ChatAddr, r flows.Reply) error {
	if err := c.Healthy(); err != nil {
		return &bot.SendError{Err: err, RetryAfter: 10 * time.Minute} // kept until a restart with a good token
	}
	if to.Channel != Name || to.ID == "" {
		return &bot.SendError{Err: fmt.Errorf("wacloud: bad chat address %q", to.Key())}
	}
	open, err := c.windowOpen(ctx, to.ID)
	if err != nil {
		return &bot.SendError{Err: err, Temporary: true}
	}
	if !open {
		return c.sendTemplate(ctx, to, r)
	}
	wamid, err := c.post(ctx, c.content(to.ID, r))
	var ae *apiError
	if errors.As(err, &ae) && ae.Code == codeOutsideWindow {
		if err := c.closeWindow(ctx, to.ID); err != nil {
			return &bot.SendError{Err: err, Temporary: true}
		}
		return c.sendTemplate(ctx, to, r)
	}
	if err != nil {
		return c.classify(err)
	}
	c.remember(ctx, wamid, to, r)
	return nil
}

// windowOpen says whether free-form messages may go to waID now: the citizen wrote within the
// window, and Meta has not said otherwise since.
func (c *Channel) windowOpen(ctx context.Context, waID string) (bool, error) {
	var last, closed time.Time
	err := c.opt.Store.View(ctx, func(tx storage.Tx) error {
		var err error
		if last, err = getTime(tx, inKey(waID)); err != nil {
			return err
		}
		closed, err = getTime(tx, tplKey(waID))
		return err
	})
	if err != nil || last.IsZero() {
		return false, err
	}
	if !closed.IsZero() {
		return false, nil // until the citizen writes again, which removes the mark
	}
	return c.opt.Now().Sub(last) < Window-windowMargin, nil
}

// closeWindow records that Meta refused a free-form message to waID as outside the window.
func (c *Channel) closeWindow(ctx context.Context, waID string) error {
	return c.opt.Store.Update(ctx, func(tx storage.Tx) error {
		return putTime(tx, tplKey(waID), c.opt.Now())
	})
}

// content renders a reply as Meta shows it best: 1–3 choices as reply buttons, 4–10 as a
// list, more (or ids or a body too long for them) as numbered text.
func (c *Channel) content(waID string, r flows.Reply) outMessage {
	m := addressed(waID)
	text := r.Text
	if r.AskContact {
		text = contactHint(text)
	}
	text = strings.TrimSpace(text + actionLines(r))
	n := len(r.Choices)
	if n > 0 && n <= maxRows && runes(text) <= maxBody && text != "" {
		if n <= maxButtons {
			if bs, ok := buttons(r); ok {
				m.Type = "interactive"
				m.Interactive = &interactive{Type: "button", Action: action{Buttons: bs}}
				m.Interactive.Body.Text = text
				return m
			}
		}
		if rows, ok := rowsOf(r); ok {
			m.Type = "interactive"
			m.Interactive = &interactive{Type: "list", Action: action{Button: msgListButton, Sections: []section{{Rows: rows}}}}
			m.Interactive.Body.Text = text
			return m
		}
	}
	m.Type = "text"
	m.Text = &outText{Body: cut(numbered(text, r.Choices), maxText)}
	return m
}

// addressed starts a message to a citizen: a wa_id (digits) goes in "to", a business-scoped user
// id ("ID.123…", a user with a username and a hidden number) in "recipient".
func addressed(id string) outMessage {
	m := outMessage{MessagingProduct: "whatsapp", RecipientType: "individual"}
	if strings.Trim(id, "0123456789") == "" {
		m.To = id
	} else {
		m.Recipient = id
	}
	return m
}

func buttons(r flows.Reply) ([]button, bool) {
	out := make([]button, 0, len(r.Choices))
	for _, ch := range r.Choices {
		id := choiceID(r.Step, ch.Data)
		if runes(ch.Label) > maxButtonTitle || len(id) > maxButtonID {
			return nil, false
		}
		var b button
		b.Type = "reply"
		b.Reply.ID, b.Reply.Title = id, ch.Label
		out = append(out, b)
	}
	return out, true
}

func rowsOf(r flows.Reply) ([]row, bool) {
	out := make([]row, 0, len(r.Choices))
	for _, ch := range r.Choices {
		id := choiceID(r.Step, ch.Data)
		if len(id) > maxRowID || runes(ch.Label) > maxRowDesc {
			return nil, false
		}
		rw := row{ID: id, Title: ch.Label}
		if runes(ch.Label) > maxRowTitle {
			// The title is cut; the description under it shows the whole label.
			rw.Title, rw.Description = cut(ch.Label, maxRowTitle), ch.Label
		}
		out = append(out, rw)
	}
	return out, true
}

// numbered appends choices as a numbered list; the flows accept the number or the word.
func numbered(text string, choices []flows.Choice) string {
	if len(choices) == 0 {
		return text
	}
	var b strings.Builder
	b.WriteString(text)
	b.WriteString("\n")
	for i, ch := range choices {
		fmt.Fprintf(&b, "\n%d. %s", i+1, ch.Label)
	}
	return b.String()
}

// contactHint replaces the flows' line about a "send my number" button, which the Cloud API
// has not, with how to share a contact card, which the phone question accepts.
func contactHint(text string) string {
	var keep []string
	for _, l := range strings.Split(text, "\n") {
		if !strings.Contains(l, contactButton) {
			keep = append(keep, l)
		}
	}
	return strings.Join(append(keep, msgContactHint), "\n")
}

// actionLines writes staff actions as the commands to type, unless the text spells them out.
func actionLines(r flows.Reply) string {
	var b strings.Builder
	for _, a := range r.Actions {
		if !strings.Contains(r.Text, a.Data) {
			b.WriteString("\n" + msgTypeCmd + a.Data)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "\n" + b.String()
}

// sendTemplate sends the configured template with the report number and the message text.
func (c *Channel) sendTemplate(ctx context.Context, to storage.ChatAddr, r flows.Reply) error {
	if c.opt.Template == "" {
		c.log.Warn().Str("chat", mask(to.ID)).Str("report", r.Report).Msg("message outside the 24-hour window dropped: LAPOR_WACLOUD_TEMPLATE is not set")
		return &bot.SendError{Err: errors.New("wacloud: outside the 24-hour window and no template configured")}
	}
	report := r.Report
	if report == "" {
		report = msgNoReport
	}
	t := &template{Name: c.opt.Template}
	t.Language.Code = "id"
	t.Components = []component{{Type: "body", Parameters: []param{
		{Type: "text", Text: report},
		{Type: "text", Text: templateText(r.Text)},
	}}}
	m := addressed(to.ID)
	m.Type, m.Template = "template", t
	wamid, err := c.post(ctx, m)
	if err != nil {
		return c.classify(err)
	}
	c.remember(ctx, wamid, to, r)
	return nil
}

// templateText flattens a message into one template parameter: Meta refuses new lines, tabs
// and more than four spaces in a row there.
func templateText(s string) string {
	s = strings.NewReplacer("*", "", "\t", " ").Replace(s)
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
	for i, p := range parts {
		parts[i] = strings.Join(strings.Fields(p), " ")
	}
	return cut(strings.Join(parts, " · "), maxParam)
}

// remember keeps what was sent under its wamid until the final status. A failure only costs
// the re-queue of this message should Meta fail it later, so it is logged, not returned (an
// error would send the message twice).
func (c *Channel) remember(ctx context.Context, wamid string, to storage.ChatAddr, r flows.Reply) {
	if wamid == "" {
		return
	}
	reply, _ := json.Marshal(r)
	rec, _ := json.Marshal(sentRecord{To: to, Reply: reply})
	err := c.opt.Store.Update(context.WithoutCancel(ctx), func(tx storage.Tx) error {
		return tx.Put(stateBucket, sentKey(wamid), rec)
	})
	if err != nil {
		c.log.Error().Err(err).Msg("message sent, but not recorded for its status")
	}
}

// markRead marks an incoming message read and shows the typing indicator while the reply is
// prepared. It is a courtesy: a failure is logged and nothing else.
func (c *Channel) markRead(ctx context.Context, wamid string) {
	if c.Healthy() != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := c.post(ctx, outMessage{MessagingProduct: "whatsapp", Status: "read", MessageID: wamid, TypingIndicator: &typingIndicator{Type: "text"}})
	var ae *apiError
	if errors.As(err, &ae) && ae.Code == codeBadToken {
		c.stop()
		return
	}
	if err != nil {
		c.log.Debug().Err(err).Msg("mark read failed")
	}
}

// apiError is the Graph API's error object.
type apiError struct {
	HTTPStatus int
	Code       int    `json:"code"`
	Subcode    int    `json:"error_subcode"`
	Message    string `json:"message"`
	Type       string `json:"type"`
	Data       struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("wacloud: graph api %d: code %d: %s", e.HTTPStatus, e.Code, e.Message)
}

// post sends one request to /{phone-number-id}/messages and returns the wamid Meta assigned.
func (c *Channel) post(ctx context.Context, m outMessage) (string, error) {
	body, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.opt.APIURL+"/"+c.opt.PhoneNumberID+"/messages", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+c.opt.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.opt.HTTP.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Error *apiError `json:"error"`
		}
		if json.Unmarshal(raw, &e) != nil || e.Error == nil {
			e.Error = &apiError{Message: strings.TrimSpace(string(raw[:min(len(raw), 200)]))}
		}
		e.Error.HTTPStatus = resp.StatusCode
		return "", e.Error
	}
	var ok struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(raw, &ok); err != nil {
		return "", fmt.Errorf("wacloud: unreadable answer: %w", err)
	}
	if len(ok.Messages) > 0 {
		return ok.Messages[0].ID, nil
	}
	return "", nil
}

// classify maps a failed request to the sender's policy, as Meta documents the codes.
func (c *Channel) classify(err error) error {
	se := &bot.SendError{Err: err}
	var ae *apiError
	if !errors.As(err, &ae) {
		if errors.Is(err, context.Canceled) {
			return err
		}
		se.Temporary = true // network trouble
		return se
	}
	switch {
	case ae.Code == codeBadToken || ae.HTTPStatus == http.StatusUnauthorized:
		c.stop()
		se.RetryAfter = 10 * time.Minute
	case ae.Code == codePairRate:
		se.RetryAfter = pairGap
	case throttled[ae.Code] || ae.HTTPStatus == http.StatusTooManyRequests:
		se.RetryAfter = time.Minute
	case ae.Code == codeUndeliverable:
		se.Stopped = true
	case ae.HTTPStatus >= 500:
		se.Temporary = true
	}
	return se
}

// status records a status callback and acts on a failure: a throttled or transient one
// re-queues the message, one outside the window re-queues it to go as the template, an
// undeliverable number stops the chat.
func (c *Channel) status(ctx context.Context, st inStatus) error {
	c.countStatus(st.Status)
	switch st.Status {
	case "delivered", "read", "failed":
	default:
		return nil
	}
	code := 0
	if len(st.Errors) > 0 {
		code = st.Errors[0].Code
	}
	var rec sentRecord
	requeued := false
	var chat storage.ChatAddr
	err := c.opt.Store.Update(ctx, func(tx storage.Tx) error {
		requeued = false
		v, err := tx.Get(stateBucket, sentKey(st.ID))
		if errors.Is(err, storage.ErrNotFound) {
			return nil // not ours, or already settled
		}
		if err != nil {
			return err
		}
		if err := tx.Delete(stateBucket, sentKey(st.ID)); err != nil {
			return err
		}
		if st.Status != "failed" || json.Unmarshal(v, &rec) != nil {
			return nil
		}
		chat = rec.To
		o := &storage.Outbound{To: rec.To, Payload: rec.Reply}
		switch {
		case code == codeOutsideWindow:
			if err := putTime(tx, tplKey(rec.To.ID), c.opt.Now()); err != nil {
				return err
			}
		case code == codePairRate:
			o.NotBefore = c.opt.Now().Add(pairGap)
		case throttled[code]:
			o.NotBefore = c.opt.Now().Add(time.Minute)
		case retryable[code]:
			o.NotBefore = c.opt.Now().Add(c.limits.FirstBackoff)
		default:
			return nil
		}
		requeued = true
		return tx.Enqueue(o)
	})
	if err != nil {
		return err
	}
	switch {
	case requeued:
		c.log.Warn().Int("code", code).Str("chat", mask(chat.ID)).Msg("message failed after sending; queued again")
		c.opt.Wake()
	case st.Status == "failed" && code == codeUndeliverable && chat.ID != "":
		n, err := c.opt.Store.DropOutbound(ctx, chat)
		c.log.Warn().Int("dropped", n).AnErr("drop_err", err).Str("chat", mask(chat.ID)).Msg("number cannot receive WhatsApp messages (131026); its queue dropped")
	case st.Status == "failed":
		c.log.Warn().Int("code", code).Str("chat", mask(st.RecipientID)).Msg("message failed after sending")
	}
	return nil
}

func runes(s string) int { return len([]rune(s)) }

// cut shortens s to at most n characters.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
