package wacloud

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// MaxBody is the largest webhook body read; Meta's are a few kilobytes.
const MaxBody = 1 << 20

// WebhookPath is where the shared listener mounts Handler.
const WebhookPath = "/wacloud/webhook"

// Handler serves Meta's webhook: GET for the subscription check, POST for messages and
// statuses.
func (c *Channel) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			c.verify(w, r)
		case http.MethodPost:
			c.receive(w, r)
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	})
}

// verify answers Meta's subscription check: the challenge echoed when the verify token
// matches, 403 otherwise.
func (c *Channel) verify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("hub.verify_token")
	if q.Get("hub.mode") != "subscribe" || subtle.ConstantTimeCompare([]byte(token), []byte(c.opt.VerifyToken)) != 1 {
		c.log.Warn().Str("remote", r.RemoteAddr).Msg("webhook verification with a wrong token refused")
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, q.Get("hub.challenge"))
}

// receive checks the signature over the raw body before parsing anything, then handles every
// message and status in it. Any failure to commit answers 500: Meta delivers the call again,
// and the wamid makes the messages already handled harmless.
func (c *Channel) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.log.Warn().Str("remote", r.RemoteAddr).Msg("webhook body over 1 MiB refused")
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	if !c.signed(r.Header.Get("X-Hub-Signature-256"), body) {
		c.log.Warn().Str("remote", r.RemoteAddr).Msg("webhook call with a missing or wrong signature refused")
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	if p.Object != "whatsapp_business_account" {
		w.WriteHeader(http.StatusOK) // signed, so Meta's; just not WhatsApp's
		return
	}
	for _, e := range p.Entry {
		for _, ch := range e.Changes {
			if ch.Field != "messages" || ch.Value.Metadata.PhoneNumberID != c.opt.PhoneNumberID {
				continue
			}
			if err := c.change(r.Context(), ch.Value); err != nil {
				c.log.Error().Err(err).Msg("webhook call not handled; Meta will deliver it again")
				http.Error(w, "try again", http.StatusInternalServerError)
				return
			}
		}
	}
	w.WriteHeader(http.StatusOK)
}

// signed checks X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256 of the raw body under
// the app secret, compared in constant time.
func (c *Channel) signed(header string, body []byte) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	mac := hmac.New(sha256.New, []byte(c.opt.AppSecret))
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// The webhook payload, as far as the channel reads it.
type payload struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string `json:"field"`
			Value value  `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type value struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []struct {
		Profile struct {
			Name string `json:"name"`
		} `json:"profile"`
		WaID   string `json:"wa_id"`
		UserID string `json:"user_id"`
	} `json:"contacts"`
	Messages []inMessage `json:"messages"`
	Statuses []inStatus  `json:"statuses"`
}

type inMessage struct {
	ID   string `json:"id"`
	From string `json:"from"`
	// FromUserID is the business-scoped user id: the only sender id of a user with a WhatsApp
	// username who hides their number.
	FromUserID string `json:"from_user_id"`
	GroupID    string `json:"group_id"`
	Timestamp  string `json:"timestamp"`
	Type       string `json:"type"`
	Text       struct {
		Body string `json:"body"`
	} `json:"text"`
	Interactive struct {
		Type        string `json:"type"`
		ButtonReply struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"list_reply"`
	} `json:"interactive"`
	Button struct {
		Text string `json:"text"` // a template's quick-reply button
	} `json:"button"`
	Image    *inImage    `json:"image"`
	Location *inLocation `json:"location"`
	Contacts []struct {
		Phones []struct {
			Phone string `json:"phone"`
			WaID  string `json:"wa_id"`
		} `json:"phones"`
	} `json:"contacts"`
}

type inStatus struct {
	ID          string    `json:"id"`
	Status      string    `json:"status"`
	RecipientID string    `json:"recipient_id"`
	Timestamp   string    `json:"timestamp"`
	Errors      []apiCode `json:"errors"`
}

type apiCode struct {
	Code  int    `json:"code"`
	Title string `json:"title"`
}

// change handles one change's messages, then its statuses.
func (c *Channel) change(ctx context.Context, v value) error {
	names := map[string]string{}
	for _, ct := range v.Contacts {
		if ct.WaID != "" {
			names[ct.WaID] = ct.Profile.Name
		}
		if ct.UserID != "" {
			names[ct.UserID] = ct.Profile.Name
		}
	}
	for _, im := range v.Messages {
		if im.From == "" {
			im.From = im.FromUserID
		}
		if im.GroupID != "" || im.From == "" || im.ID == "" {
			continue // staff do not work in Cloud API groups; a message without sender has no reply address
		}
		m, ok := translate(im, names[im.From])
		if !ok {
			continue
		}
		c.evidence(ctx, im, &m)
		if err := c.seen(ctx, im); err != nil {
			return err
		}
		c.markRead(ctx, im.ID)
		if err := c.opt.Handler.Handle(ctx, m); err != nil {
			return err
		}
	}
	for _, st := range v.Statuses {
		if err := c.status(ctx, st); err != nil {
			return err
		}
	}
	return nil
}

// seen records when the citizen last wrote (Meta's timestamp: its clock decides the window),
// keeping the latest when calls arrive out of order.
func (c *Channel) seen(ctx context.Context, im inMessage) error {
	at := c.opt.Now()
	if n, err := strconv.ParseInt(im.Timestamp, 10, 64); err == nil && n > 0 {
		if n >= 1e12 {
			n /= 1000 // milliseconds, as Meta sometimes sends
		}
		at = time.Unix(n, 0)
	}
	return c.opt.Store.Update(ctx, func(tx storage.Tx) error {
		last, err := getTime(tx, inKey(im.From))
		if err != nil || !at.After(last) {
			return err
		}
		// A new message opens the window again, whatever Meta said of the old one.
		if err := tx.Delete(stateBucket, tplKey(im.From)); err != nil {
			return err
		}
		return putTime(tx, inKey(im.From), at)
	})
}

// Button and list row ids carry the question's step and the answer: "c|<step>|<data>". The
// flows check the step against the session, and the data is what typing the answer would say,
// so a forged id can do nothing a typed message could not.
const choicePrefix = "c|"

func choiceID(step, data string) string { return choicePrefix + step + "|" + data }

// translate turns a Cloud API message into what the flows read; ok is false for what the bot
// does not answer (reactions, system notices).
func translate(im inMessage, name string) (flows.Message, bool) {
	chat := Addr(im.From)
	m := flows.Message{Chat: chat, From: storage.Actor{Channel: Name, ID: im.From, Name: name}, Private: chat, ID: Name + ":" + im.ID}
	switch im.Type {
	case "text":
		m.Text = im.Text.Body
	case "interactive":
		var id, title string
		switch im.Interactive.Type {
		case "button_reply":
			id, title = im.Interactive.ButtonReply.ID, im.Interactive.ButtonReply.Title
		case "list_reply":
			id, title = im.Interactive.ListReply.ID, im.Interactive.ListReply.Title
		default:
			m.NonText = "other"
			return m, true
		}
		if rest, ok := strings.CutPrefix(id, choicePrefix); ok {
			if step, data, ok := strings.Cut(rest, "|"); ok {
				m.Step, m.Text = step, data
				return m, true
			}
		}
		m.Text = title // not one of ours: read as if typed
	case "button":
		m.Text = im.Button.Text
	case "image":
		m.NonText = "photo"
	case "location":
		m.NonText = "location"
	case "sticker":
		m.NonText = "sticker"
	case "audio", "voice":
		m.NonText = "voice"
	case "video":
		m.NonText = "video"
	case "document":
		m.NonText = "document"
	case "contacts":
		// A shared contact card answers the phone question with its number.
		m.NonText = "contact"
		for _, ct := range im.Contacts {
			for _, ph := range ct.Phones {
				switch {
				case ph.WaID != "":
					m.Text = "+" + ph.WaID
				case ph.Phone != "":
					m.Text = ph.Phone
				}
				if m.Text != "" {
					return m, true
				}
			}
		}
	case "reaction", "system", "ephemeral", "request_welcome":
		return m, false
	default:
		m.NonText = "other"
	}
	return m, true
}
