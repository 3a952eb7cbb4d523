package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg" // sendPhoto decodes what it is sent, as Telegram does
	_ "image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// fakeAPI is a Bot API server speaking Telegram's wire format, enough for the real client:
// getMe, getUpdates (offset semantics, long poll), sendMessage, editMessageText,
// editMessageReplyMarkup, answerCallbackQuery, sendDocument (multipart), setMyCommands,
// getChatMember, setWebhook, deleteWebhook. fail injects errors (429 with retry_after, 5xx,
// 403) before a method runs; delay slows a method down.
type fakeAPI struct {
	// inbound numbers the users' messages: like Telegram's message ids, unique per chat (here,
	// unique overall), so the engine's exactly-once record never mistakes two messages for one.
	inbound  atomic.Int64
	answered map[string]bool // callback query ids answered (under mu)

	t     *testing.T
	srv   *httptest.Server
	token string
	botID int64

	mu       sync.Mutex
	updateID int
	queue    []tgbotapi.Update
	notify   chan struct{}
	nextMsg  map[int64]int
	msgs     map[[2]int64]*fakeMsg // chat, message id → current state
	log      []*fakeMsg            // every sent or edited message, in order
	calls    []fakeCall
	members  map[[2]int64]string
	fail     func(method string, p url.Values) *fakeErr
	delay    func(method string) time.Duration
	offsets  []int // offset of every getUpdates call
	// hookURL and hookSecret are set by setWebhook: updates are then POSTed there, as a Bot
	// API server does, and getUpdates is refused.
	hookURL, hookSecret string
	// files are what users sent, by file_id: getFile and the file URL serve them.
	files map[string]fakeFile
}

// fakeFile is an uploaded file: its bytes and the size Telegram declares for it (the same,
// unless a test makes a file too big to hold in memory).
type fakeFile struct {
	Data     []byte
	Declared int
	Path     string
}

// Bot API limits: getFile refuses files over 20 MB.
const fakeMaxDownload = 20 << 20

type fakeErr struct {
	Code       int
	Desc       string
	RetryAfter int
}

type fakeCall struct {
	Method string
	Params url.Values
	At     time.Time
	Err    *fakeErr
}

type fakeMsg struct {
	Method   string // sendMessage, editMessageText, editMessageReplyMarkup, sendDocument
	Chat     int64
	ID       int
	Text     string
	Entities []tgbotapi.MessageEntity
	Markup   string // raw reply_markup JSON
	DocName  string
	DocData  []byte
	At       time.Time
}

func (m fakeMsg) keyboard() [][]tgbotapi.InlineKeyboardButton {
	var mk tgbotapi.InlineKeyboardMarkup
	_ = json.Unmarshal([]byte(m.Markup), &mk)
	return mk.InlineKeyboard
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{
		t: t, token: "123456:TEST-token", botID: 999,
		notify:  make(chan struct{}, 1),
		nextMsg: map[int64]int{},
		msgs:    map[[2]int64]*fakeMsg{},
		members: map[[2]int64]string{},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) url() string { return f.srv.URL }

func chatObj(id int64) *tgbotapi.Chat {
	typ := "private"
	if id < 0 {
		typ = "supergroup"
	}
	return &tgbotapi.Chat{ID: id, Type: typ}
}

func (f *fakeAPI) reply(w http.ResponseWriter, result any) {
	b, _ := json.Marshal(result)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": json.RawMessage(b)})
}

func (f *fakeAPI) refuse(w http.ResponseWriter, e *fakeErr) {
	body := map[string]any{"ok": false, "error_code": e.Code, "description": e.Desc}
	if e.RetryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": e.RetryAfter}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Code)
	_ = json.NewEncoder(w).Encode(body)
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		f.serveFile(w, r, rest)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(path, "/")
	if token != f.token {
		f.refuse(w, &fakeErr{Code: 401, Desc: "Unauthorized"})
		return
	}
	var file []byte
	var fileName string
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		if err := r.ParseMultipartForm(10 << 20); err != nil {
			f.refuse(w, &fakeErr{Code: 400, Desc: "Bad Request: " + err.Error()})
			return
		}
		fh, ok := r.MultipartForm.File["document"]
		if !ok {
			fh, ok = r.MultipartForm.File["photo"]
		}
		if ok && len(fh) > 0 {
			rd, _ := fh[0].Open()
			file, _ = io.ReadAll(rd)
			fileName = fh[0].Filename
			rd.Close()
		}
	} else if err := r.ParseForm(); err != nil {
		f.refuse(w, &fakeErr{Code: 400, Desc: "Bad Request"})
		return
	}
	p := r.Form
	f.mu.Lock()
	var e *fakeErr
	if f.fail != nil {
		e = f.fail(method, p)
	}
	var d time.Duration
	if f.delay != nil {
		d = f.delay(method)
	}
	f.calls = append(f.calls, fakeCall{Method: method, Params: p, At: time.Now(), Err: e})
	f.mu.Unlock()
	if d > 0 {
		time.Sleep(d)
	}
	if e != nil {
		f.refuse(w, e)
		return
	}
	chat, _ := strconv.ParseInt(p.Get("chat_id"), 10, 64)
	switch method {
	case "getMe":
		f.reply(w, tgbotapi.User{ID: f.botID, IsBot: true, FirstName: "Lapor Bansos", UserName: "laporbansos_bot"})
	case "getUpdates":
		f.mu.Lock()
		hooked := f.hookURL != ""
		f.mu.Unlock()
		if hooked {
			f.refuse(w, &fakeErr{Code: 409, Desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"})
			return
		}
		f.getUpdates(w, r, p)
	case "setWebhook", "deleteWebhook":
		f.mu.Lock()
		f.hookURL, f.hookSecret = p.Get("url"), p.Get("secret_token")
		f.mu.Unlock()
		f.reply(w, true)
	case "sendMessage":
		m := &fakeMsg{Method: method, Chat: chat, Text: p.Get("text"), Markup: p.Get("reply_markup")}
		_ = json.Unmarshal([]byte(p.Get("entities")), &m.Entities)
		f.reply(w, f.store(m))
	case "getFile":
		f.mu.Lock()
		ff, ok := f.files[p.Get("file_id")]
		f.mu.Unlock()
		switch {
		case !ok:
			f.refuse(w, &fakeErr{Code: 400, Desc: "Bad Request: invalid file_id"})
		case ff.Declared > fakeMaxDownload:
			f.refuse(w, &fakeErr{Code: 400, Desc: "Bad Request: file is too big"})
		default:
			f.reply(w, tgbotapi.File{FileID: p.Get("file_id"), FileUniqueID: "u" + p.Get("file_id"), FileSize: ff.Declared, FilePath: ff.Path})
		}
	case "sendDocument":
		m := &fakeMsg{Method: method, Chat: chat, Text: p.Get("caption"), DocName: fileName, DocData: file}
		f.reply(w, f.store(m))
	case "sendPhoto":
		// As Telegram: at most 10 MB, a picture it can decode, width + height ≤ 10000, a caption of
		// at most 1024 characters.
		cfg, _, err := image.DecodeConfig(bytes.NewReader(file))
		switch {
		case len(file) == 0:
			f.refuse(w, &fakeErr{Code: 400, Desc: "Bad Request: there is no photo in the request"})
			return
		case err != nil || len(file) > 10<<20:
			f.refuse(w, &fakeErr{Code: 400, Desc: "Bad Request: IMAGE_PROCESS_FAILED"})
			return
		case cfg.Width+cfg.Height > 10000:
			f.refuse(w, &fakeErr{Code: 400, Desc: "Bad Request: PHOTO_INVALID_DIMENSIONS"})
			return
		case utf8.RuneCountInString(p.Get("caption")) > 1024:
			f.refuse(w, &fakeErr{Code: 400, Desc: "Bad Request: message caption is too long"})
			return
		}
		m := &fakeMsg{Method: method, Chat: chat, Text: p.Get("caption"), DocName: fileName, DocData: file}
		f.reply(w, f.store(m))
	case "editMessageText", "editMessageReplyMarkup":
		id, _ := strconv.Atoi(p.Get("message_id"))
		f.mu.Lock()
		cur := f.msgs[[2]int64{chat, int64(id)}]
		if cur == nil {
			f.mu.Unlock()
			f.refuse(w, &fakeErr{Code: 400, Desc: "Bad Request: message to edit not found"})
			return
		}
		next := *cur
		next.Method, next.At = method, time.Now()
		next.Markup = p.Get("reply_markup")
		if method == "editMessageText" {
			next.Text = p.Get("text")
			next.Entities = nil
			_ = json.Unmarshal([]byte(p.Get("entities")), &next.Entities)
		}
		if next.Text == cur.Text && sameMarkup(next.Markup, cur.Markup) {
			f.mu.Unlock()
			f.refuse(w, &fakeErr{Code: 400, Desc: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"})
			return
		}
		f.msgs[[2]int64{chat, int64(id)}] = &next
		f.log = append(f.log, &next)
		f.mu.Unlock()
		f.reply(w, next.message(f.botID))
	case "getChatMember":
		user, _ := strconv.ParseInt(p.Get("user_id"), 10, 64)
		f.mu.Lock()
		status := f.members[[2]int64{chat, user}]
		f.mu.Unlock()
		if status == "" {
			status = "left"
		}
		f.reply(w, tgbotapi.ChatMember{User: &tgbotapi.User{ID: user}, Status: status})
	case "answerCallbackQuery":
		// Like Telegram, a query is answered once; a second answer (after a restart) is refused.
		f.mu.Lock()
		if f.answered == nil {
			f.answered = map[string]bool{}
		}
		again := f.answered[p.Get("callback_query_id")]
		f.answered[p.Get("callback_query_id")] = true
		f.mu.Unlock()
		if again {
			f.refuse(w, &fakeErr{Code: 400, Desc: "Bad Request: query is too old and response timeout expired or query ID is invalid"})
			return
		}
		f.reply(w, true)
	case "setMyCommands":
		f.reply(w, true)
	default:
		f.refuse(w, &fakeErr{Code: 404, Desc: "Not Found: method " + method})
	}
}

// serveFile answers https://api.telegram.org/file/bot<token>/<file_path>.
func (f *fakeAPI) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	token, filePath, _ := strings.Cut(rest, "/")
	if token != f.token || r.Method != http.MethodGet {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	var data []byte
	found := false
	for _, ff := range f.files {
		if ff.Path == filePath {
			data, found = ff.Data, true
		}
	}
	f.mu.Unlock()
	if !found {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// addFile registers an upload and returns its file_id.
func (f *fakeAPI) addFile(data []byte, declared int, ext string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.files == nil {
		f.files = map[string]fakeFile{}
	}
	id := "AgACAgUAAxkBAAI" + strconv.Itoa(len(f.files)+1)
	f.files[id] = fakeFile{Data: data, Declared: declared, Path: "photos/file_" + strconv.Itoa(len(f.files)) + "." + ext}
	return id
}

// photoOf sends a photo as a phone does: a thumbnail and the full size, each a file.
func (f *fakeAPI) photoOf(chat int64, data []byte, declared int) int {
	thumb := f.addFile(data[:min(len(data), 100)], min(len(data), 100), "jpg")
	full := f.addFile(data, declared, "jpg")
	return f.push(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: f.nextID(), From: user(chat), Chat: chatObj(chat), Photo: []tgbotapi.PhotoSize{
		{FileID: thumb, Width: 90, Height: 90, FileSize: min(len(data), 100)},
		{FileID: full, Width: 1280, Height: 960, FileSize: declared},
	}}})
}

// imageFile sends a picture "as a file" (uncompressed), how a 40 MB photo arrives.
func (f *fakeAPI) imageFile(chat int64, data []byte, declared int) int {
	id := f.addFile(data, declared, "jpg")
	return f.push(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: f.nextID(), From: user(chat), Chat: chatObj(chat),
		Document: &tgbotapi.Document{FileID: id, FileName: "IMG_2041.jpg", MimeType: "image/jpeg", FileSize: declared}}})
}

func (f *fakeAPI) sticker(chat int64) int {
	return f.push(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: f.nextID(), From: user(chat), Chat: chatObj(chat), Sticker: &tgbotapi.Sticker{FileID: "CAACAgIAAxk", Emoji: "👍"}}})
}

func (f *fakeAPI) location(chat int64, lat, lon float64) int {
	return f.push(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: f.nextID(), From: user(chat), Chat: chatObj(chat), Location: &tgbotapi.Location{Latitude: lat, Longitude: lon}}})
}

func sameMarkup(a, b string) bool {
	empty := func(s string) bool { return s == "" || s == `{"inline_keyboard":[]}` || s == "null" }
	return a == b || (empty(a) && empty(b))
}

func (m *fakeMsg) message(bot int64) tgbotapi.Message {
	msg := tgbotapi.Message{MessageID: m.ID, Chat: chatObj(m.Chat), From: &tgbotapi.User{ID: bot, IsBot: true}, Date: int(m.At.Unix()), Text: m.Text, Entities: m.Entities}
	if m.DocName != "" {
		msg.Document = &tgbotapi.Document{FileID: "doc", FileName: m.DocName}
	}
	return msg
}

func (f *fakeAPI) store(m *fakeMsg) tgbotapi.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextMsg[m.Chat]++
	m.ID = f.nextMsg[m.Chat]
	m.At = time.Now()
	f.msgs[[2]int64{m.Chat, int64(m.ID)}] = m
	f.log = append(f.log, m)
	return m.message(f.botID)
}

func (f *fakeAPI) getUpdates(w http.ResponseWriter, r *http.Request, p url.Values) {
	offset, _ := strconv.Atoi(p.Get("offset"))
	timeout, _ := strconv.Atoi(p.Get("timeout"))
	deadline := time.Now().Add(time.Duration(timeout) * time.Second)
	f.mu.Lock()
	f.offsets = append(f.offsets, offset)
	f.mu.Unlock()
	for {
		f.mu.Lock()
		// Telegram forgets updates below the offset: they are confirmed.
		keep := f.queue[:0]
		for _, u := range f.queue {
			if u.UpdateID >= offset {
				keep = append(keep, u)
			}
		}
		f.queue = keep
		out := append([]tgbotapi.Update(nil), f.queue...)
		f.mu.Unlock()
		if len(out) > 0 || time.Now().After(deadline) {
			if len(out) > 100 {
				out = out[:100]
			}
			f.reply(w, out)
			return
		}
		select {
		case <-f.notify:
		case <-r.Context().Done():
			return
		case <-time.After(time.Until(deadline)):
		}
	}
}

// push queues an update; the caller sets everything but the id, which it returns.
func (f *fakeAPI) push(u tgbotapi.Update) int {
	f.mu.Lock()
	if u.UpdateID == 0 {
		f.updateID++
		u.UpdateID = f.updateID
	}
	hook, secret := f.hookURL, f.hookSecret
	if hook == "" {
		f.queue = append(f.queue, u)
	}
	f.mu.Unlock()
	if hook != "" {
		f.deliver(hook, secret, u)
		return u.UpdateID
	}
	select {
	case f.notify <- struct{}{}:
	default:
	}
	return u.UpdateID
}

func (f *fakeAPI) nextID() int { return int(1_000_000 + f.inbound.Add(1)) }

func user(id int64) *tgbotapi.User {
	return &tgbotapi.User{ID: id, FirstName: "User", LastName: strconv.FormatInt(id, 10)}
}

func (f *fakeAPI) text(chat, from int64, text string) int {
	return f.push(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: f.nextID(), From: user(from), Chat: chatObj(chat), Date: int(time.Now().Unix()), Text: text}})
}

func (f *fakeAPI) replyTo(chat, from int64, to int, text string) int {
	f.mu.Lock()
	orig := f.msgs[[2]int64{chat, int64(to)}].message(f.botID)
	f.mu.Unlock()
	return f.push(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: f.nextID(), From: user(from), Chat: chatObj(chat), Text: text, ReplyToMessage: &orig}})
}

func (f *fakeAPI) contact(chat int64, phone string) int {
	return f.push(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: f.nextID(), From: user(chat), Chat: chatObj(chat), Contact: &tgbotapi.Contact{PhoneNumber: phone, FirstName: "Saya", UserID: chat}}})
}

func (f *fakeAPI) photo(chat int64) int {
	return f.push(tgbotapi.Update{Message: &tgbotapi.Message{MessageID: f.nextID(), From: user(chat), Chat: chatObj(chat), Photo: []tgbotapi.PhotoSize{{FileID: "p"}}}})
}

// callback presses data on message msg of chat, as user from.
func (f *fakeAPI) callback(chat, from int64, msg int, data string) (updateID int, queryID string) {
	f.mu.Lock()
	m := f.msgs[[2]int64{chat, int64(msg)}]
	var orig tgbotapi.Message
	if m != nil {
		orig = m.message(f.botID)
	} else {
		orig = tgbotapi.Message{MessageID: msg, Chat: chatObj(chat)}
	}
	f.updateID++
	id := f.updateID
	f.mu.Unlock()
	queryID = fmt.Sprintf("q%d", id)
	return f.push(tgbotapi.Update{UpdateID: id, CallbackQuery: &tgbotapi.CallbackQuery{ID: queryID, From: user(from), Message: &orig, ChatInstance: "x", Data: data}}), queryID
}

// press finds the newest message of chat with a button labelled label and presses it.
func (f *fakeAPI) press(chat, from int64, label string) (msg int, queryID string) {
	f.t.Helper()
	return f.pressT(f.t, chat, from, label)
}

func (f *fakeAPI) pressT(t testing.TB, chat, from int64, label string) (msg int, queryID string) {
	t.Helper()
	m, data := f.button(chat, func(l string) bool { return l == label })
	if m == nil {
		t.Fatalf("no button %q in chat %d; last messages: %s", label, chat, f.dump(chat, 3))
	}
	_, q := f.callback(chat, from, m.ID, data)
	return m.ID, q
}

// button returns the newest message of chat that shows a button whose label matches.
func (f *fakeAPI) button(chat int64, match func(string) bool) (*fakeMsg, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for id := f.nextMsg[chat]; id > 0; id-- {
		m := f.msgs[[2]int64{chat, int64(id)}]
		if m == nil {
			continue
		}
		for _, row := range m.keyboard() {
			for _, b := range row {
				if match(b.Text) && b.CallbackData != nil {
					return m, *b.CallbackData
				}
			}
		}
	}
	return nil, ""
}

func (f *fakeAPI) dump(chat int64, n int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for i := len(f.log) - 1; i >= 0 && len(out) < n; i-- {
		if f.log[i].Chat == chat {
			out = append(out, fmt.Sprintf("[%s #%d] %q %s", f.log[i].Method, f.log[i].ID, f.log[i].Text, f.log[i].Markup))
		}
	}
	return strings.Join(out, "\n")
}

// sent returns the messages sent or edited in chat, in order.
func (f *fakeAPI) sent(chat int64) []*fakeMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*fakeMsg
	for _, m := range f.log {
		if m.Chat == chat {
			out = append(out, m)
		}
	}
	return out
}

func (f *fakeAPI) current(chat int64, msg int) fakeMsg {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m := f.msgs[[2]int64{chat, int64(msg)}]; m != nil {
		return *m
	}
	return fakeMsg{}
}

func (f *fakeAPI) callsOf(method string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// answerOf waits for the answerCallbackQuery of queryID.
func (f *fakeAPI) answerOf(queryID string) url.Values {
	f.t.Helper()
	var got url.Values
	waitFor(f.t, 5*time.Second, "answer to "+queryID, func() bool {
		for _, c := range f.callsOf("answerCallbackQuery") {
			if c.Params.Get("callback_query_id") == queryID {
				got = c.Params
				return true
			}
		}
		return false
	})
	return got
}

// waitText waits until a message sent or edited in chat after the first skip ones contains
// want, and returns it.
func (f *fakeAPI) waitText(chat int64, skip int, want string) *fakeMsg {
	f.t.Helper()
	return f.waitTextT(f.t, chat, skip, want)
}

func (f *fakeAPI) waitTextT(t testing.TB, chat int64, skip int, want string) *fakeMsg {
	t.Helper()
	var found *fakeMsg
	waitFor(t, 10*time.Second, fmt.Sprintf("message with %q in chat %d", want, chat), func() bool {
		ms := f.sent(chat)
		for i := skip; i < len(ms); i++ {
			if strings.Contains(ms[i].Text, want) {
				found = ms[i]
				return true
			}
		}
		return false
	})
	if found == nil {
		t.Fatalf("last messages in %d:\n%s", chat, f.dump(chat, 5))
	}
	return found
}

func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			t.Errorf("timed out waiting for %s", what)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}
