// Package wacloudtest is a fake of Meta's Graph API for the WhatsApp Cloud API, strict like the
// real one: it checks the token, the path and every field of a send against the documented
// limits (unknown fields refused), enforces the 24-hour window by failing a free-form message
// afterwards with a 131047 status callback, and builds signed webhook calls the way Meta does.
// Tests of bot/wacloud and of the channels together use it; it needs loopback only.
package wacloudtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Version is the Graph API version the fake serves under.
const Version = "v25.0"

// Error is a Graph API error answer.
type Error struct {
	HTTPStatus int
	Code       int
	Message    string
}

// Sent is one accepted POST to /messages.
type Sent struct {
	Body  string // raw JSON as received
	To    string
	Type  string // text, interactive, template; "read" for a mark-as-read
	WAMID string
	Msg   OutMessage
}

// Graph is the fake server.
type Graph struct {
	Token, PhoneNumberID, AppSecret string
	// Templates maps each approved template (language id) to its body parameter count.
	Templates map[string]int

	t   testing.TB
	srv *httptest.Server

	mu        sync.Mutex
	now       func() time.Time
	fail      func(m OutMessage) *Error
	sent      []Sent
	lastIn    map[string]time.Time // wa_id → last inbound
	inbound   map[string]bool      // wamids delivered to the bot
	statuses  []Status             // status callbacks waiting to be delivered
	seq       int
	media     map[string]media // media id → an upload from a user
	mediaGets int
}

// Status is one status callback.
type Status struct {
	ID, Status, RecipientID string
	Code                    int // error code of a failed status
}

// New starts a fake Graph API on loopback.
func New(t testing.TB) *Graph {
	g := &Graph{
		Token: "EAAG-test-token", PhoneNumberID: "106540352242922", AppSecret: "app-secret-for-tests",
		Templates: map[string]int{"kabar_laporan": 2},
		t:         t, now: time.Now, lastIn: map[string]time.Time{}, inbound: map[string]bool{},
	}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

// URL is the API base, version included, as LAPOR_WACLOUD_API_URL takes it.
func (g *Graph) URL() string { return g.srv.URL + "/" + Version }

// SetNow sets the fake's clock (the window is judged by it).
func (g *Graph) SetNow(now func() time.Time) { g.mu.Lock(); g.now = now; g.mu.Unlock() }

// FailWith makes the fake answer sends for which f returns an error with that error.
func (g *Graph) FailWith(f func(m OutMessage) *Error) { g.mu.Lock(); g.fail = f; g.mu.Unlock() }

// SentTo returns the accepted messages to wa_id (mark-as-read calls excluded), in order.
func (g *Graph) SentTo(waID string) []Sent {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Sent
	for _, s := range g.sent {
		if s.To == waID && s.Type != "read" {
			out = append(out, s)
		}
	}
	return out
}

// Reads returns the wamids marked read, in order.
func (g *Graph) Reads() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, s := range g.sent {
		if s.Type == "read" {
			out = append(out, s.Msg.MessageID)
		}
	}
	return out
}

// OutMessage is the body of a send, decoded with unknown fields refused.
type OutMessage struct {
	MessagingProduct string `json:"messaging_product"`
	RecipientType    string `json:"recipient_type"`
	To               string `json:"to"`
	Recipient        string `json:"recipient"`
	Type             string `json:"type"`
	Text             *struct {
		Body       string `json:"body"`
		PreviewURL bool   `json:"preview_url"`
	} `json:"text"`
	Interactive *struct {
		Type string `json:"type"`
		Body struct {
			Text string `json:"text"`
		} `json:"body"`
		Action struct {
			Buttons []struct {
				Type  string `json:"type"`
				Reply struct {
					ID    string `json:"id"`
					Title string `json:"title"`
				} `json:"reply"`
			} `json:"buttons"`
			Button   string `json:"button"`
			Sections []struct {
				Title string `json:"title"`
				Rows  []struct {
					ID          string `json:"id"`
					Title       string `json:"title"`
					Description string `json:"description"`
				} `json:"rows"`
			} `json:"sections"`
		} `json:"action"`
	} `json:"interactive"`
	Template *struct {
		Name     string `json:"name"`
		Language struct {
			Code string `json:"code"`
		} `json:"language"`
		Components []struct {
			Type       string `json:"type"`
			Parameters []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"parameters"`
		} `json:"components"`
	} `json:"template"`
	Status          string `json:"status"`
	MessageID       string `json:"message_id"`
	TypingIndicator *struct {
		Type string `json:"type"`
	} `json:"typing_indicator"`
}

func (g *Graph) refuse(w http.ResponseWriter, e *Error) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.HTTPStatus)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"message": e.Message, "type": "OAuthException", "code": e.Code, "fbtrace_id": "Atest",
	}})
}

func invalid(format string, args ...any) *Error {
	return &Error{HTTPStatus: 400, Code: 100, Message: "(#100) Invalid parameter: " + fmt.Sprintf(format, args...)}
}

func (g *Graph) serve(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+g.Token {
		g.refuse(w, &Error{HTTPStatus: 401, Code: 190, Message: "Invalid OAuth access token - Cannot parse access token"})
		return
	}
	if r.Method == http.MethodGet {
		g.serveMedia(w, r)
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/"+Version+"/"+g.PhoneNumberID+"/messages" {
		g.refuse(w, &Error{HTTPStatus: 400, Code: 100, Message: "Unsupported post request: " + r.URL.Path})
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		g.refuse(w, invalid("Content-Type must be application/json"))
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var m OutMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		g.refuse(w, invalid("%v", err))
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if e := g.check(m); e != nil {
		g.refuse(w, e)
		return
	}
	if g.fail != nil {
		if e := g.fail(m); e != nil {
			g.refuse(w, e)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if m.Status == "read" {
		g.sent = append(g.sent, Sent{Body: string(raw), Type: "read", Msg: m})
		_, _ = io.WriteString(w, `{"success":true}`)
		return
	}
	g.seq++
	wamid := fmt.Sprintf("wamid.OUT%06d", g.seq)
	to := m.To
	if to == "" {
		to = m.Recipient
	}
	g.sent = append(g.sent, Sent{Body: string(raw), To: to, Type: m.Type, WAMID: wamid, Msg: m})
	// The window is Meta's to judge, after accepting: a late free-form message fails by status.
	if last, ok := g.lastIn[to]; m.Type != "template" && (!ok || g.now().Sub(last) >= 24*time.Hour) {
		g.statuses = append(g.statuses, Status{ID: wamid, Status: "failed", RecipientID: to, Code: 131047})
	} else {
		g.statuses = append(g.statuses, Status{ID: wamid, Status: "sent", RecipientID: to})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{
		"messaging_product": "whatsapp",
		"contacts":          []map[string]string{{"input": to, "wa_id": to}},
		"messages":          []map[string]string{{"id": wamid}},
	})
}

// check applies the documented limits.
func (g *Graph) check(m OutMessage) *Error {
	if m.MessagingProduct != "whatsapp" {
		return invalid("messaging_product must be whatsapp")
	}
	if m.Status != "" {
		if m.Status != "read" || !g.inbound[m.MessageID] {
			return invalid("message_id %q is not a received message", m.MessageID)
		}
		if m.TypingIndicator != nil && m.TypingIndicator.Type != "text" {
			return invalid("typing_indicator.type")
		}
		return nil
	}
	switch {
	case m.To != "" && m.Recipient != "":
		return invalid("to and recipient are exclusive")
	case m.Recipient != "":
		if !bsuid.MatchString(m.Recipient) {
			return invalid("recipient %q is not a business-scoped user id", m.Recipient)
		}
	case m.To == "" || strings.Trim(m.To, "0123456789") != "":
		return invalid("to %q", m.To)
	}
	if m.RecipientType != "" && m.RecipientType != "individual" {
		return invalid("recipient_type")
	}
	n := func(s string) int { return len([]rune(s)) }
	switch m.Type {
	case "text":
		if m.Text == nil || n(m.Text.Body) == 0 || n(m.Text.Body) > 4096 || m.Interactive != nil || m.Template != nil {
			return invalid("text.body must be 1 to 4096 characters")
		}
	case "interactive":
		in := m.Interactive
		if in == nil || m.Text != nil || m.Template != nil {
			return invalid("interactive object required")
		}
		if n(in.Body.Text) == 0 || n(in.Body.Text) > 1024 {
			return invalid("interactive.body.text must be 1 to 1024 characters")
		}
		ids, titles := map[string]bool{}, map[string]bool{}
		switch in.Type {
		case "button":
			bs := in.Action.Buttons
			if len(bs) < 1 || len(bs) > 3 || in.Action.Button != "" || len(in.Action.Sections) > 0 {
				return invalid("buttons: 1 to 3 reply buttons")
			}
			for _, b := range bs {
				if b.Type != "reply" || n(b.Reply.Title) == 0 || n(b.Reply.Title) > 20 || b.Reply.ID == "" || len(b.Reply.ID) > 256 || ids[b.Reply.ID] || titles[b.Reply.Title] {
					return invalid("button %q/%q: type reply, title 1-20 characters, id 1-256, both unique", b.Reply.Title, b.Reply.ID)
				}
				ids[b.Reply.ID], titles[b.Reply.Title] = true, true
			}
		case "list":
			if n(in.Action.Button) == 0 || n(in.Action.Button) > 20 || len(in.Action.Buttons) > 0 {
				return invalid("action.button must be 1 to 20 characters")
			}
			secs := in.Action.Sections
			if len(secs) < 1 || len(secs) > 10 {
				return invalid("1 to 10 sections")
			}
			rows := 0
			for _, s := range secs {
				if len(secs) > 1 && s.Title == "" || n(s.Title) > 24 {
					return invalid("section title")
				}
				for _, r := range s.Rows {
					rows++
					if n(r.Title) == 0 || n(r.Title) > 24 || r.ID == "" || len(r.ID) > 200 || ids[r.ID] || n(r.Description) > 72 {
						return invalid("row %q/%q: title 1-24 characters, id 1-200, unique", r.Title, r.ID)
					}
					ids[r.ID] = true
				}
			}
			if rows < 1 || rows > 10 {
				return invalid("a list holds 1 to 10 rows, not %d", rows)
			}
		default:
			return invalid("interactive.type %q", in.Type)
		}
	case "template":
		t := m.Template
		if t == nil || m.Text != nil || m.Interactive != nil {
			return invalid("template object required")
		}
		want, ok := g.Templates[t.Name]
		if !ok || t.Language.Code != "id" {
			return &Error{HTTPStatus: 404, Code: 132001, Message: "(#132001) Template name does not exist in the translation"}
		}
		got := 0
		for _, c := range t.Components {
			if c.Type != "body" {
				return invalid("component type %q", c.Type)
			}
			for _, p := range c.Parameters {
				got++
				if p.Type != "text" || p.Text == "" || strings.ContainsAny(p.Text, "\n\t") || strings.Contains(p.Text, "     ") {
					return &Error{HTTPStatus: 400, Code: 132018, Message: "(#132018) There was an issue with the parameters in your template"}
				}
			}
		}
		if got != want {
			return &Error{HTTPStatus: 400, Code: 132000, Message: fmt.Sprintf("(#132000) Number of parameters does not match the expected number of params: %d, want %d", got, want)}
		}
	default:
		return invalid("type %q", m.Type)
	}
	return nil
}

// bsuid is a business-scoped user id: country code, a dot, then letters and digits.
var bsuid = regexp.MustCompile(`^[A-Z]{2}\.[A-Za-z0-9.]+$`)

// Sign is the X-Hub-Signature-256 value Meta sends with body.
func (g *Graph) Sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(g.AppSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Message builds a webhook call carrying one message from wa_id (its "type" and the object of
// that type in fields), as Meta sends it, and records it for the window. It returns the body and
// the message's wamid.
func (g *Graph) Message(from, name string, at time.Time, fields map[string]any) ([]byte, string) {
	g.mu.Lock()
	g.seq++
	wamid := fmt.Sprintf("wamid.IN%06d", g.seq)
	g.inbound[wamid] = true
	if at.After(g.lastIn[from]) {
		g.lastIn[from] = at
	}
	g.mu.Unlock()
	msg := map[string]any{"from": from, "id": wamid, "timestamp": strconv.FormatInt(at.Unix(), 10)}
	for k, v := range fields {
		msg[k] = v
	}
	return g.envelope(map[string]any{
		"contacts": []any{map[string]any{"profile": map[string]any{"name": name}, "wa_id": from}},
		"messages": []any{msg},
	}), wamid
}

// Text is Message for a text.
func (g *Graph) Text(from string, at time.Time, body string) ([]byte, string) {
	return g.Message(from, "Warga", at, map[string]any{"type": "text", "text": map[string]any{"body": body}})
}

// Reply is Message for a press of a reply button (kind "button_reply") or a list row
// ("list_reply").
func (g *Graph) Reply(from string, at time.Time, kind, id, title string) ([]byte, string) {
	return g.Message(from, "Warga", at, map[string]any{"type": "interactive", "interactive": map[string]any{
		"type": kind, kind: map[string]any{"id": id, "title": title},
	}})
}

// TakeStatuses returns a webhook call with the status callbacks waiting, and forgets them;
// nil when there are none.
func (g *Graph) TakeStatuses(at time.Time) []byte {
	g.mu.Lock()
	st := g.statuses
	g.statuses = nil
	g.mu.Unlock()
	if len(st) == 0 {
		return nil
	}
	var list []any
	for _, s := range st {
		o := map[string]any{"id": s.ID, "status": s.Status, "recipient_id": s.RecipientID, "timestamp": strconv.FormatInt(at.Unix(), 10)}
		if s.Code != 0 {
			o["errors"] = []any{map[string]any{"code": s.Code, "title": "failed"}}
		}
		list = append(list, o)
	}
	return g.envelope(map[string]any{"statuses": list})
}

// StatusCall builds a webhook call with the given statuses.
func (g *Graph) StatusCall(at time.Time, st ...Status) []byte {
	g.mu.Lock()
	g.statuses = append(g.statuses, st...)
	g.mu.Unlock()
	return g.TakeStatuses(at)
}

func (g *Graph) envelope(value map[string]any) []byte {
	value["messaging_product"] = "whatsapp"
	value["metadata"] = map[string]any{"display_phone_number": "6281100000000", "phone_number_id": g.PhoneNumberID}
	b, _ := json.Marshal(map[string]any{
		"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": "102290129340398", "changes": []any{map[string]any{
			"field": "messages", "value": value,
		}}}},
	})
	return b
}

// Post delivers a webhook call to url, signed as Meta signs it, and returns the status code.
func (g *Graph) Post(url string, body []byte) int {
	g.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", g.Sign(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		g.t.Fatalf("webhook call: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// media is a file a user sent: Meta keeps it for the business to fetch (GET /<media id> for
// its URL, then GET that URL, both with the token).
type media struct {
	Data     []byte
	MimeType string
	Declared int64
}

// Media limits of the Cloud API: images up to 5 MB, documents up to 100 MB.
const (
	maxImage    = 5 << 20
	maxDocument = 100 << 20
)

// AddMedia stores a user's upload and returns its media id. declared is the file_size Meta
// reports (0: the real size). It refuses what Meta would never accept from a phone.
func (g *Graph) AddMedia(data []byte, mimeType string, declared int64) string {
	if declared == 0 {
		declared = int64(len(data))
	}
	limit := int64(maxImage)
	if !strings.HasPrefix(mimeType, "image/") {
		limit = maxDocument
	}
	if declared > limit {
		g.t.Fatalf("wacloudtest: a %s of %d bytes exceeds the Cloud API's %d", mimeType, declared, limit)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.media == nil {
		g.media = map[string]media{}
	}
	g.seq++
	id := fmt.Sprintf("1%015d", g.seq)
	g.media[id] = media{Data: data, MimeType: mimeType, Declared: declared}
	return id
}

// Image is Message for a photo already stored with AddMedia.
func (g *Graph) Image(from string, at time.Time, mediaID string) ([]byte, string) {
	g.mu.Lock()
	m := g.media[mediaID]
	g.mu.Unlock()
	sum := sha256.Sum256(m.Data)
	return g.Message(from, "Warga", at, map[string]any{"type": "image", "image": map[string]any{
		"id": mediaID, "mime_type": m.MimeType, "sha256": hex.EncodeToString(sum[:]),
	}})
}

// Location is Message for a shared location.
func (g *Graph) Location(from string, at time.Time, lat, lon float64) ([]byte, string) {
	return g.Message(from, "Warga", at, map[string]any{"type": "location", "location": map[string]any{
		"latitude": lat, "longitude": lon,
	}})
}

// MediaGets counts GETs of media files (not of their metadata).
func (g *Graph) MediaGets() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.mediaGets
}

// serveMedia answers GET /<version>/<media id> with the media's URL and size, and GET
// /media/<id> (the URL it gave) with the bytes.
func (g *Graph) serveMedia(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if id, ok := strings.CutPrefix(r.URL.Path, "/media/"); ok {
		m, found := g.media[id]
		if !found {
			http.NotFound(w, r)
			return
		}
		g.mediaGets++
		w.Header().Set("Content-Type", m.MimeType)
		_, _ = w.Write(m.Data)
		return
	}
	id, ok := strings.CutPrefix(r.URL.Path, "/"+Version+"/")
	m, found := g.media[id]
	if !ok || !found {
		g.refuse(w, &Error{HTTPStatus: 400, Code: 100, Message: "Unsupported get request. Object with ID '" + id + "' does not exist"})
		return
	}
	sum := sha256.Sum256(m.Data)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"messaging_product": "whatsapp", "url": g.srv.URL + "/media/" + id, "mime_type": m.MimeType,
		"sha256": hex.EncodeToString(sum[:]), "file_size": m.Declared, "id": id,
	})
}

// SetDeclared changes the file_size Meta reports for the newest media, past the Cloud API's
// own limit: for testing that the bot trusts the declared size to refuse before fetching.
func (g *Graph) SetDeclared(t testing.TB, size int64) {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	newest := ""
	for id := range g.media {
		if id > newest {
			newest = id
		}
	}
	m := g.media[newest]
	m.Declared = size
	g.media[newest] = m
}
