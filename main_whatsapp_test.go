package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/bot/whatsapp"
	"github.com/laporbansos/laporbansos/config"
	"github.com/laporbansos/laporbansos/storage/postgres"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// botAPI answers the Bot API methods serve uses, in Telegram's wire format: one citizen
// message "/start" on the first getUpdates, then empty long polls; it records what the bot
// sends. Unknown methods get Telegram's 404.
type botAPI struct {
	mu      sync.Mutex
	served  bool
	sent    []map[string]string // sendMessage parameters
	methods []string
}

func (b *botAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	if !strings.HasPrefix(r.URL.Path, "/bot123:TEST/") {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"ok":false,"error_code":401,"description":"Unauthorized"}`))
		return
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
		r.ParseForm()
	}
	b.mu.Lock()
	b.methods = append(b.methods, method)
	b.mu.Unlock()
	ok := func(result any) {
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
	}
	switch method {
	case "getMe":
		ok(map[string]any{"id": 123, "is_bot": true, "first_name": "Lapor Bansos", "username": "LaporBansosBot"})
	case "deleteWebhook", "setMyCommands":
		ok(true)
	case "getUpdates":
		b.mu.Lock()
		first := !b.served
		b.served = true
		b.mu.Unlock()
		if !first {
			select {
			case <-r.Context().Done():
			case <-time.After(200 * time.Millisecond):
			}
			ok([]any{})
			return
		}
		ok([]any{map[string]any{"update_id": 1, "message": map[string]any{
			"message_id": 1, "date": time.Now().Unix(), "text": "/start",
			"from": map[string]any{"id": 777, "is_bot": false, "first_name": "Warga"},
			"chat": map[string]any{"id": 777, "type": "private", "first_name": "Warga"},
		}}})
	case "sendMessage":
		p := map[string]string{}
		for k := range r.Form {
			p[k] = r.Form.Get(k)
		}
		b.mu.Lock()
		b.sent = append(b.sent, p)
		n := len(b.sent)
		b.mu.Unlock()
		ok(map[string]any{"message_id": 100 + n, "date": time.Now().Unix(),
			"chat": map[string]any{"id": 777, "type": "private"}, "text": p["text"]})
	default:
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"ok":false,"error_code":404,"description":"Not Found"}`))
	}
}

func (b *botAPI) sentTo(chat string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, p := range b.sent {
		if p["chat_id"] == chat {
			out = append(out, p["text"])
		}
	}
	return out
}

// serve with a Telegram token and LAPOR_WHATSAPP=1 but no linked WhatsApp device serves
// Telegram fully, logs one line about WhatsApp, and tells the Telegram staff chat.
func TestServeWithoutWhatsAppSessionKeepsTelegram(t *testing.T) {
	api := &botAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{
		"LAPOR_DATA_DIR":              dir,
		"LAPOR_TELEGRAM_TOKEN":        "123:TEST",
		"LAPOR_TELEGRAM_API_URL":      srv.URL,
		"LAPOR_TELEGRAM_STAFF_CHATS":  "-1001",
		"LAPOR_WHATSAPP":              "1",
		"LAPOR_WHATSAPP_STAFF_GROUPS": "120363000000000001@g.us",
	}
	var stderr syncBuffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(k string) string { return env[k] }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, []string{"serve"}) }()

	deadline := time.Now().Add(10 * time.Second)
	for len(api.sentTo("777")) == 0 || !strings.Contains(strings.Join(api.sentTo("-1001"), "\n"), "whatsapp login") {
		select {
		case code := <-done:
			t.Fatalf("serve exited with %d:\n%s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no Telegram replies; citizen %q, staff %q\n%s", api.sentTo("777"), api.sentTo("-1001"), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exit %d:\n%s", code, stderr.String())
	}
	if !strings.Contains(api.sentTo("777")[0], "Lapor") {
		t.Errorf("citizen got %q", api.sentTo("777"))
	}
	if staff := strings.Join(api.sentTo("-1001"), "\n"); !strings.Contains(staff, "whatsapp login") {
		t.Errorf("staff chat told %q", staff)
	}
	// serve says it once; the sender's note that staff messages for WhatsApp stay queued (the
	// registry-not-loaded warning goes to every staff chat) is about the queue, not the start.
	var waLines []string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(strings.ToLower(l), "whatsapp") && !strings.Contains(l, `"component":"sender"`) {
			waLines = append(waLines, l)
		}
	}
	if len(waLines) != 1 || !strings.Contains(waLines[0], "laporbansos whatsapp login") {
		t.Errorf("want one clear log line about WhatsApp, got %d:\n%s", len(waLines), strings.Join(waLines, "\n"))
	}
}

// A whatsapp command refuses to run beside a serve that holds the session.
func TestWhatsAppCommandRefusedWhileSessionLocked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	release, err := whatsapp.LockSession(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	code, _, errOut := runMain(t, map[string]string{"LAPOR_DATA_DIR": dir}, "", "whatsapp", "logout")
	if code == 0 || !strings.Contains(errOut, "in use by another laporbansos process") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, whatsapp.StoreFile)); err == nil {
		t.Error("the session store was opened while locked")
	}
}

// With PostgreSQL the whatsapp commands use the shared session and its lock: refused while
// another process (the leader, another command) holds it, and, once it is free, working on the
// session in the database (here: none linked) rather than on a file in the data directory.
func TestWhatsAppCommandOnSharedSession(t *testing.T) {
	url := pgtest.NewDatabase(t)
	dir := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"LAPOR_DATA_DIR": dir, "LAPOR_DATABASE_URL": url}
	db := postgres.New(url)
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	release, _, err := whatsapp.LockSharedSession(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"login", "logout", "groups"} {
		code, _, errOut := runMain(t, env, "", "whatsapp", cmd)
		if code == 0 || !strings.Contains(errOut, "in use by another laporbansos process") {
			t.Errorf("%s while the session is held: exit %d: %s", cmd, code, errOut)
		}
	}
	release()
	for _, cmd := range []string{"logout", "groups"} {
		code, _, errOut := runMain(t, env, "", "whatsapp", cmd)
		if code == 0 || !strings.Contains(errOut, "no linked device") {
			t.Errorf("%s on the empty shared session: exit %d: %s", cmd, code, errOut)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, whatsapp.StoreFile)); err == nil {
		t.Error("a session file was created with the session in PostgreSQL")
	}
}

// waFakeClient stands in for whatsmeow's client of one term: it connects and disconnects as
// whatsmeow's does, holds the channel's event handler, and refuses to send when not connected
// with whatsmeow's own error.
type waFakeClient struct {
	mu        sync.Mutex
	online    bool
	connects  int
	handler   whatsmeow.EventHandlerWithSuccessStatus
	connected chan struct{} // closed at the first Connect
}

var _ whatsapp.Client = (*waFakeClient)(nil)

func newWAFakeClient() *waFakeClient { return &waFakeClient{connected: make(chan struct{})} }

func (f *waFakeClient) Connect() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.online {
		return whatsmeow.ErrAlreadyConnected
	}
	f.online = true
	f.connects++
	if f.connects == 1 {
		close(f.connected)
	}
	return nil
}

func (f *waFakeClient) Disconnect() {
	f.mu.Lock()
	f.online = false
	f.mu.Unlock()
}

func (f *waFakeClient) IsConnected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.online
}

func (f *waFakeClient) AddEventHandlerWithSuccessStatus(h whatsmeow.EventHandlerWithSuccessStatus) uint32 {
	f.mu.Lock()
	f.handler = h
	f.mu.Unlock()
	return 1
}

func (f *waFakeClient) RemoveEventHandler(uint32) bool {
	f.mu.Lock()
	f.handler = nil
	f.mu.Unlock()
	return true
}

func (f *waFakeClient) notConnected() error {
	if f.IsConnected() {
		return nil
	}
	return whatsmeow.ErrNotConnected
}

func (f *waFakeClient) SendMessage(context.Context, types.JID, *waE2E.Message, ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	if err := f.notConnected(); err != nil {
		return whatsmeow.SendResponse{}, err
	}
	return whatsmeow.SendResponse{Timestamp: time.Now()}, nil
}

func (f *waFakeClient) BuildPollCreation(name string, options []string, n int) *waE2E.Message {
	return &waE2E.Message{}
}

func (f *waFakeClient) DecryptPollVote(context.Context, *events.Message) (*waE2E.PollVoteMessage, error) {
	return nil, whatsmeow.ErrNotConnected
}

func (f *waFakeClient) MarkRead(context.Context, []types.MessageID, time.Time, types.JID, types.JID, ...types.ReceiptType) error {
	return f.notConnected()
}

func (f *waFakeClient) Upload(context.Context, []byte, whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	return whatsmeow.UploadResponse{}, whatsmeow.ErrNotConnected
}

func (f *waFakeClient) SendPresence(context.Context, types.Presence) error { return f.notConnected() }

func (f *waFakeClient) SendChatPresence(context.Context, types.JID, types.ChatPresence, types.ChatPresenceMedia) error {
	return f.notConnected()
}

func (f *waFakeClient) GetUserInfo(context.Context, []types.JID) (map[types.JID]types.UserInfo, error) {
	return nil, whatsmeow.ErrNotConnected
}

func (f *waFakeClient) Download(context.Context, whatsmeow.DownloadableMessage) ([]byte, error) {
	return nil, whatsmeow.ErrNotConnected
}

// serve's WhatsApp duty with PostgreSQL, through m.once: the leader takes the session lock for
// its term and runs the channel the sender holds with a fresh client; when the term is lost it
// disconnects and frees the session, and when it leads again it runs the same channel again
// with another fresh client.
func TestSharedWhatsAppTermsRunAgain(t *testing.T) {
	leadEvery = 250 * time.Millisecond // no slow ping ends a term on a loaded machine
	t.Cleanup(func() { leadEvery = 2 * time.Second })
	var (
		mu      sync.Mutex
		clients []*waFakeClient
	)
	newWhatsAppClient = func(ctx context.Context, c *sqlstore.Container, log zerolog.Logger) (whatsapp.Client, error) {
		if _, err := whatsapp.NewClient(ctx, c, log); err != nil { // the real check of the shared session
			return nil, err
		}
		f := newWAFakeClient()
		mu.Lock()
		clients = append(clients, f)
		mu.Unlock()
		return f, nil
	}
	useWhatsAppVersion = func(context.Context, zerolog.Logger) {}
	t.Cleanup(func() {
		newWhatsAppClient = func(ctx context.Context, c *sqlstore.Container, log zerolog.Logger) (whatsapp.Client, error) {
			return whatsapp.NewClient(ctx, c, log)
		}
		useWhatsAppVersion = func(ctx context.Context, log zerolog.Logger) { whatsapp.UseLatestVersion(ctx, nil, log) }
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url := pgtest.NewDatabase(t)
	db := postgres.New(url)
	if err := db.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The number, linked once in the shared session.
	linker, err := whatsapp.OpenSharedStore(ctx, db, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	dev := linker.NewDevice()
	id := types.NewADJID("6281000000000", 0, 3)
	dev.ID = &id
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{}, AccountSignature: make([]byte, 64), AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	if err := linker.PutDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	linker.Close()

	var stderr syncBuffer
	m := &Main{Stderr: &stderr}
	m.log = zerolog.New(&stderr).Level(zerolog.WarnLevel)
	m.cfg = config.Config{}
	a := &app{db: db}
	a.sender = &bot.Sender{Outbox: db, Channels: map[string]bot.Channel{}, Log: m.log}
	a.disp = &bot.Dispatcher{Sender: a.sender, Log: m.log}
	wa, runTerm, release, err := m.startWhatsApp(ctx, t.TempDir(), a, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	a.sender.Channels[whatsapp.Name] = wa
	done := make(chan error, 1)
	go func() { done <- m.once(ctx, a, whatsapp.Name, runTerm)() }()

	client := func(n int) *waFakeClient {
		t.Helper()
		waitLong(t, fmt.Sprintf("client %d connected", n), func() bool {
			mu.Lock()
			defer mu.Unlock()
			return len(clients) >= n && clients[n-1].IsConnected()
		})
		mu.Lock()
		defer mu.Unlock()
		return clients[n-1]
	}
	locks := func() (n int) {
		if err := db.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	first := client(1)
	if n := locks(); n != 2 {
		t.Errorf("%d advisory locks held during the term, want 2 (leader and session)", n)
	}
	if got := wa.State(); got != "connected" {
		t.Errorf("the channel in the sender's map says %q", got)
	}
	// The term is lost: the leader lock's database session ends, the process lives on.
	h64 := fnv.New64a()
	h64.Write([]byte("laporbansos:leader")) // storage/postgres lockKey
	key := h64.Sum64()
	var killed int
	if err := db.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND classid::bigint = $1 AND objid::bigint = $2`,
		int64(key>>32), int64(key&0xffffffff)).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminated %d leader lock holders: %v", killed, err)
	}
	second := client(2)
	if first.IsConnected() {
		t.Error("the first term's client is still connected")
	}
	first.mu.Lock()
	stale := first.handler
	first.mu.Unlock()
	if stale != nil {
		t.Error("the first term's client still feeds the channel")
	}
	if got := wa.State(); got != "connected" || a.sender.Channels[whatsapp.Name] != wa {
		t.Errorf("after regaining the lead the channel says %q", got)
	}
	if n := locks(); n != 2 {
		t.Errorf("%d advisory locks held in the second term, want 2", n)
	}
	second.mu.Lock()
	h := second.handler
	second.mu.Unlock()
	if h == nil {
		t.Fatal("the second term's client has no handler")
	}
	// A failover's overlap: the old leader's client connects after this one and WhatsApp says
	// "stream replaced". The term goes on: the channel connects again with a fresh client.
	retry := waReplacedRetry
	waReplacedRetry = 50 * time.Millisecond
	t.Cleanup(func() { waReplacedRetry = retry })
	h(&events.StreamReplaced{})
	third := client(3)
	if second.IsConnected() || !third.IsConnected() || wa.State() != "connected" {
		t.Errorf("after stream replaced: second connected %v, third %v, channel %q", second.IsConnected(), third.IsConnected(), wa.State())
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("duty: %v", err)
	}
	if strings.Contains(stderr.String(), "Run called") || strings.Contains(stderr.String(), "duty stopped") {
		t.Errorf("log:\n%s", stderr.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
