package whatsapp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"go.mau.fi/whatsmeow/util/cbcutil"
	"go.mau.fi/whatsmeow/util/hkdfutil"
	"google.golang.org/protobuf/proto"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
	"github.com/laporbansos/laporbansos/storage/postgres"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// fakeClient stands in for *whatsmeow.Client: it records what is sent and lets a test emit
// events through the handler the channel registered. Polls are real: they are built and votes
// decrypted by a real whatsmeow client of the bot's device (bot), which stores each poll's
// secret under the bot's LID as whatsmeow does when it sends to a LID-addressed group.
type fakeClient struct {
	bot        *device
	mu         sync.Mutex
	handler    whatsmeow.EventHandlerWithSuccessStatus
	connected  chan struct{}
	sent       []sentMessage
	reads      []types.MessageID
	uploads    int
	downloads  int
	media      map[string][]byte     // direct path → encrypted media, what Upload stored
	mediaTypes []whatsmeow.MediaType // what Upload was asked to store, in order
	nextID     int
	sendErr    error
	presence   []types.Presence
	typing     []types.JID
	lids       map[string]string // phone user → LID user, what GetUserInfo answers
	queried    int               // GetUserInfo calls
	connects   int
	online     bool          // between Connect and Disconnect, as whatsmeow's connection
	disconnect chan struct{} // closed at the first Disconnect
}

type sentMessage struct {
	To  types.JID
	Msg *waE2E.Message
	ID  types.MessageID
}

var _ Client = (*fakeClient)(nil)

func newFakeClient(bot *device) *fakeClient {
	return &fakeClient{connected: make(chan struct{}), disconnect: make(chan struct{}), bot: bot}
}

// device is a linked WhatsApp device with its own whatsmeow store and keys: the bot's, or a
// staff member's phone.
type device struct {
	cli     *whatsmeow.Client
	pn, lid types.JID
}

func newDevice(t *testing.T, pnUser, lidUser string) *device {
	t.Helper()
	ctx := context.Background()
	c, err := OpenStore(ctx, t.TempDir(), zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	dev := c.NewDevice()
	id := types.NewADJID(pnUser, 0, 1)
	l := types.JID{User: lidUser, Device: 1, Server: types.HiddenUserServer}
	dev.ID, dev.LID = &id, l
	dev.Account = &waAdv.ADVSignedDeviceIdentity{ // what pairing would have stored
		Details: []byte{}, AccountSignature: make([]byte, 64), AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64),
	}
	if err := c.PutDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	d := &device{cli: whatsmeow.NewClient(dev, nil), pn: id.ToNonAD(), lid: l.ToNonAD()}
	if err := dev.LIDs.PutLIDMapping(ctx, d.lid, d.pn); err != nil {
		t.Fatal(err)
	}
	return d
}

func (f *fakeClient) Connect() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.connects++
	f.online = true
	select {
	case <-f.connected:
	default:
		close(f.connected)
	}
	return nil
}

func (f *fakeClient) Disconnect() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.online = false
	select {
	case <-f.disconnect:
	default:
		close(f.disconnect)
	}
}

// state returns how many times Run connected the client and whether it is connected now.
func (f *fakeClient) state() (connects int, online bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connects, f.online
}

// IsConnected is true between Connect and Disconnect, as whatsmeow's.
func (f *fakeClient) IsConnected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.online
}

func (f *fakeClient) AddEventHandlerWithSuccessStatus(h whatsmeow.EventHandlerWithSuccessStatus) uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handler = h
	return 1
}

func (f *fakeClient) RemoveEventHandler(uint32) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handler = nil
	return true
}

func (f *fakeClient) SendMessage(_ context.Context, to types.JID, msg *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(extra) > 1 {
		return whatsmeow.SendResponse{}, errors.New("only one extra parameter may be provided to SendMessage")
	}
	if f.sendErr != nil {
		return whatsmeow.SendResponse{}, f.sendErr
	}
	f.nextID++
	id := types.MessageID(fmt.Sprintf("BOT%04d", f.nextID))
	if len(extra) == 1 && extra[0].ID != "" {
		id = extra[0].ID
	}
	if secret := msg.GetMessageContextInfo().GetMessageSecret(); secret != nil {
		if err := f.bot.cli.Store.MsgSecrets.PutMessageSecret(context.Background(), to, f.bot.lid, id, secret); err != nil {
			return whatsmeow.SendResponse{}, err
		}
	}
	f.sent = append(f.sent, sentMessage{To: to, Msg: msg, ID: id})
	return whatsmeow.SendResponse{ID: id, Timestamp: time.Now()}, nil
}

func (f *fakeClient) BuildPollCreation(name string, options []string, selectable int) *waE2E.Message {
	return f.bot.cli.BuildPollCreation(name, options, selectable)
}

func (f *fakeClient) DecryptPollVote(ctx context.Context, vote *events.Message) (*waE2E.PollVoteMessage, error) {
	return f.bot.cli.DecryptPollVote(ctx, vote)
}

func (f *fakeClient) MarkRead(_ context.Context, ids []types.MessageID, _ time.Time, _, _ types.JID, _ ...types.ReceiptType) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads = append(f.reads, ids...)
	return nil
}

// Upload encrypts media as WhatsApp does (media key → HKDF → AES-CBC + truncated HMAC) and
// keeps the ciphertext on the fake media server, where Download finds it.
func (f *fakeClient) Upload(_ context.Context, data []byte, appInfo whatsmeow.MediaType) (whatsmeow.UploadResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.uploads++
	f.mediaTypes = append(f.mediaTypes, appInfo)
	up, blob, err := encryptMedia(data, appInfo)
	if err != nil {
		return up, err
	}
	up.DirectPath = fmt.Sprintf("/v/t62.7118-24/%d", f.uploads)
	up.URL = "https://mmg.whatsapp.net" + up.DirectPath
	if f.media == nil {
		f.media = map[string][]byte{}
	}
	f.media[up.DirectPath] = blob
	return up, nil
}

// Download fetches and decrypts media like whatsmeow: the ciphertext hash, the HMAC and the
// plaintext hash are checked, with whatsmeow's own errors.
func (f *fakeClient) Download(_ context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error) {
	f.mu.Lock()
	blob, ok := f.media[msg.GetDirectPath()]
	f.downloads++
	f.mu.Unlock()
	if !ok {
		return nil, whatsmeow.ErrMediaDownloadFailedWith404
	}
	return decryptMedia(blob, msg, whatsmeow.MediaImage)
}

func encryptMedia(data []byte, appInfo whatsmeow.MediaType) (whatsmeow.UploadResponse, []byte, error) {
	var up whatsmeow.UploadResponse
	up.MediaKey = make([]byte, 32)
	if _, err := rand.Read(up.MediaKey); err != nil {
		return up, nil, err
	}
	keys := hkdfutil.SHA256(up.MediaKey, nil, []byte(appInfo), 112)
	iv, cipherKey, macKey := keys[:16], keys[16:48], keys[48:80]
	enc, err := cbcutil.Encrypt(cipherKey, iv, data)
	if err != nil {
		return up, nil, err
	}
	h := hmac.New(sha256.New, macKey)
	h.Write(iv)
	h.Write(enc)
	blob := append(enc, h.Sum(nil)[:10]...)
	plain, whole := sha256.Sum256(data), sha256.Sum256(blob)
	up.FileSHA256, up.FileEncSHA256, up.FileLength = plain[:], whole[:], uint64(len(data))
	return up, blob, nil
}

func decryptMedia(blob []byte, msg whatsmeow.DownloadableMessage, appInfo whatsmeow.MediaType) ([]byte, error) {
	if sum := sha256.Sum256(blob); !bytes.Equal(sum[:], msg.GetFileEncSHA256()) {
		return nil, whatsmeow.ErrInvalidMediaEncSHA256
	}
	if len(blob) < 10 {
		return nil, whatsmeow.ErrTooShortFile
	}
	keys := hkdfutil.SHA256(msg.GetMediaKey(), nil, []byte(appInfo), 112)
	iv, cipherKey, macKey := keys[:16], keys[16:48], keys[48:80]
	enc, mac := blob[:len(blob)-10], blob[len(blob)-10:]
	h := hmac.New(sha256.New, macKey)
	h.Write(iv)
	h.Write(enc)
	if !hmac.Equal(h.Sum(nil)[:10], mac) {
		return nil, whatsmeow.ErrInvalidMediaHMAC
	}
	data, err := cbcutil.Decrypt(cipherKey, iv, enc)
	if err != nil {
		return nil, fmt.Errorf("failed to decrypt file: %w", err)
	}
	if sum := sha256.Sum256(data); !bytes.Equal(sum[:], msg.GetFileSHA256()) {
		return nil, whatsmeow.ErrInvalidMediaSHA256
	}
	return data, nil
}

func (f *fakeClient) SendPresence(_ context.Context, state types.Presence) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.presence = append(f.presence, state)
	return nil
}

func (f *fakeClient) SendChatPresence(_ context.Context, jid types.JID, state types.ChatPresence, _ types.ChatPresenceMedia) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if state == types.ChatPresenceComposing {
		f.typing = append(f.typing, jid)
	}
	return nil
}

// GetUserInfo answers like WhatsApp's usync query: the LID of each number it knows.
func (f *fakeClient) GetUserInfo(_ context.Context, jids []types.JID) (map[types.JID]types.UserInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queried++
	out := map[types.JID]types.UserInfo{}
	for _, j := range jids {
		if j.Server != types.DefaultUserServer {
			return nil, fmt.Errorf("usync: %s is not a phone number JID", j)
		}
		info := types.UserInfo{}
		if l, ok := f.lids[j.User]; ok {
			info.LID = types.NewJID(l, types.HiddenUserServer)
		}
		out[j] = info
	}
	return out, nil
}

// emit delivers an event as whatsmeow would and returns the handler's success status.
func (f *fakeClient) emit(evt any) bool {
	f.mu.Lock()
	h := f.handler
	f.mu.Unlock()
	if h == nil {
		panic("no event handler registered")
	}
	return h(evt)
}

// takeSent returns the messages sent since the last call.
func (f *fakeClient) takeSent() []sentMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.sent
	f.sent = nil
	return s
}

// fakeLIDs is whatsmeow's LID map.
type fakeLIDs map[string]string // LID user → phone user

func (l fakeLIDs) GetPNForLID(_ context.Context, lid types.JID) (types.JID, error) {
	if pn, ok := l[lid.User]; ok {
		return types.NewJID(pn, types.DefaultUserServer), nil
	}
	return types.JID{}, nil
}

func (l fakeLIDs) GetLIDForPN(_ context.Context, pn types.JID) (types.JID, error) {
	for lid, p := range l {
		if p == pn.User {
			return types.NewJID(lid, types.HiddenUserServer), nil
		}
	}
	return types.JID{}, nil
}

// recorder is another channel (the console here) that records what it is asked to send.
type recorder struct {
	mu   sync.Mutex
	sent []flows.Reply
}

func (r *recorder) Name() string       { return "console" }
func (r *recorder) Limits() bot.Limits { return bot.Limits{} }
func (r *recorder) Send(_ context.Context, to storage.ChatAddr, rep flows.Reply) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	rep.To = to
	r.sent = append(r.sent, rep)
	return nil
}

func (r *recorder) take() []flows.Reply {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.sent
	r.sent = nil
	return s
}

// The cast of the tests.
const (
	staffGroup   = "120363000000000001@g.us"
	botPN        = "6281000000000"
	botLID       = "100000000000000"
	otherGroup   = "120363000000000999@g.us"
	staffPN      = "6281111111111"
	staffLID     = "111111111111111"
	guestPN      = "6289999999999"
	citizenPN    = "6285222222222"
	citizenLID   = "222222222222222"
	citizenNIK   = "3510091203850001"
	recipientNIK = "3510094512800002"
)

var (
	consoleStaff   = storage.ChatAddr{Channel: "console", ID: "grup-staf"}
	consoleCitizen = storage.ChatAddr{Channel: "console", ID: "warga"}
	consolePrivate = storage.ChatAddr{Channel: "console", ID: "staf"}
)

// harness is the real bot (bbolt store, registry, flows, dispatcher, sender) with the
// WhatsApp channel on a fake client and a recording console channel beside it.
type harness struct {
	t       *testing.T
	ctx     context.Context
	db      storage.Store
	inbox   Inbox
	engine  *flows.Engine
	sender  *bot.Sender
	disp    *bot.Dispatcher
	wa      *Channel
	fake    *fakeClient
	console *recorder
	runErr  chan error
	nextID  int
	wrap    func(bot.Handler) bot.Handler // around the dispatcher, to inject failures
	endRun  context.CancelFunc            // ends Run as the end of a term does

	all    []sentMessage  // everything the fake sent
	cursor map[string]int // per chat: how many of its messages a test has looked at
}

type harnessOpt func(*Options, *harness)

func newHarness(t *testing.T, opts ...harnessOpt) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	// LAPOR_TEST_BACKEND=postgres: the store and the inbox in PostgreSQL, as serve with
	// LAPOR_DATABASE_URL; else the bbolt files.
	var (
		db      storage.Store
		inbox   Inbox
		closeDB func() error
	)
	if pgtest.Backend() == "postgres" {
		pg := postgres.New(pgtest.NewDatabase(t))
		if err := pg.Open(ctx); err != nil {
			t.Fatal(err)
		}
		db, inbox, closeDB = pg, pg.WhatsAppInbox(), pg.Close
	} else {
		bdb := bolt.NewDB(filepath.Join(dir, "laporbansos.db"))
		if err := bdb.Open(); err != nil {
			t.Fatal(err)
		}
		fi, err := OpenInbox(filepath.Join(dir, InboxFile))
		if err != nil {
			t.Fatal(err)
		}
		db, inbox = bdb, fi
		closeDB = func() error { fi.Close(); return bdb.Close() }
	}
	reg, area := testRegistry(ctx, t, dir)
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
	h := &harness{t: t, ctx: ctx, db: db, inbox: inbox, fake: newFakeClient(newDevice(t, botPN, botLID)), console: &recorder{}, runErr: make(chan error, 1), cursor: map[string]int{}}
	h.engine = &flows.Engine{
		Store: db, Registry: reg, Area: area,
		StaffChats:  []storage.ChatAddr{{Channel: Name, ID: staffGroup}, consoleStaff},
		Log:         log,
		Agency:      "Dinas Sosial Kabupaten Banyuwangi",
		Retention:   "5 tahun",
		VerifySLA:   3 * time.Hour,
		DeliverySLA: 12 * time.Hour,
		SessionTTL:  time.Hour,
		CheckLimit:  10,
	}
	o := Options{
		Inbox:        inbox,
		Client:       h.fake,
		LIDs:         fakeLIDs{staffLID: staffPN},
		Store:        db,
		StaffGroups:  []string{staffGroup},
		StaffNumbers: []string{staffPN},
		Polls:        true,
		Limits:       &bot.Limits{},
		Log:          log,
		Typing:       -1,
		Notify:       []storage.ChatAddr{consoleStaff},
		Wake:         func() { h.sender.Wake() },
	}
	for _, fn := range opts {
		fn(&o, h)
	}
	h.wa = New(o)
	h.wa.retryDelay = time.Millisecond
	h.wa.afterRunEvery = 20 * time.Millisecond
	h.sender = &bot.Sender{Outbox: db, Channels: map[string]bot.Channel{Name: h.wa, "console": h.console}, Log: log}
	h.disp = &bot.Dispatcher{Engine: h.engine, Log: log}
	var handler bot.Handler = h.disp
	if h.wrap != nil {
		handler = h.wrap(handler)
	}
	h.endRun = cancel
	go func() { h.runErr <- h.wa.Run(ctx, handler) }()
	select {
	case <-h.fake.connected:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not connect")
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-h.runErr:
		case <-time.After(5 * time.Second):
			t.Error("Run did not return after cancel")
		}
		closeDB()
		reg.Close()
	})
	return h
}

// settle waits until every emitted message was handled, then sends the queued replies.
func (h *harness) settle() {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !h.wa.idle() {
		if time.Now().After(deadline) {
			h.t.Fatal("messages not handled within 5s")
		}
		time.Sleep(time.Millisecond)
	}
	if err := h.sender.Flush(h.ctx, 0); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) id() types.MessageID {
	h.nextID++
	return types.MessageID(fmt.Sprintf("3EB0%08d", h.nextID))
}

func pn(user string) types.JID  { return types.NewJID(user, types.DefaultUserServer) }
func lid(user string) types.JID { return types.NewJID(user, types.HiddenUserServer) }
func group(id string) types.JID {
	j, err := types.ParseJID(id)
	if err != nil {
		panic(err)
	}
	return j
}

func textMessage(text string) *waE2E.Message { return &waE2E.Message{Conversation: proto.String(text)} }

// direct builds a citizen's message in a direct chat from sender (Chat = sender).
func (h *harness) direct(sender, alt types.JID, msg *waE2E.Message) *events.Message {
	return &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: sender.ToNonAD(), Sender: sender, SenderAlt: alt},
			ID:            h.id(), PushName: "Warga", Timestamp: time.Now(),
		},
		Message: msg,
	}
}

// inGroup builds a message in a group.
func (h *harness) inGroup(chat string, sender, alt types.JID, msg *waE2E.Message) *events.Message {
	return &events.Message{
		Info: types.MessageInfo{
			MessageSource: types.MessageSource{Chat: group(chat), Sender: sender, SenderAlt: alt, IsGroup: true},
			ID:            h.id(), PushName: "Bu Petugas", Timestamp: time.Now(),
		},
		Message: msg,
	}
}

// say sends text in a citizen's direct chat and returns the texts the bot sent back there.
func (h *harness) say(sender types.JID, text string) string {
	h.t.Helper()
	if !h.fake.emit(h.direct(sender, types.JID{}, textMessage(text))) {
		h.t.Fatal("message refused")
	}
	h.settle()
	return h.textsTo(sender.ToNonAD().String())
}

// staff sends text in a group and returns what the bot sent to that group.
func (h *harness) staff(chat string, sender, alt types.JID, text string) string {
	h.t.Helper()
	h.fake.emit(h.inGroup(chat, sender, alt, textMessage(text)))
	h.settle()
	return h.textsTo(chat)
}

// textsTo returns the texts sent to chat since the last look at chat.
func (h *harness) textsTo(chat string) string {
	h.all = append(h.all, h.fake.takeSent()...)
	var out []string
	n := 0
	for _, s := range h.all {
		if s.To.String() != chat {
			continue
		}
		if n >= h.cursor[chat] {
			out = append(out, messageText(s.Msg))
		}
		n++
	}
	h.cursor[chat] = n
	return strings.Join(out, "\n---\n")
}

func messageText(m *waE2E.Message) string {
	switch {
	case m.Conversation != nil:
		return m.GetConversation()
	case m.DocumentMessage != nil:
		return "[document " + m.GetDocumentMessage().GetFileName() + "] " + m.GetDocumentMessage().GetCaption()
	case m.ImageMessage != nil:
		return "[image " + m.GetImageMessage().GetMimetype() + "] " + m.GetImageMessage().GetCaption()
	case m.PollCreationMessage != nil:
		return "[poll] " + m.GetPollCreationMessage().GetName()
	case m.ImageMessage != nil:
		return "[image] " + m.GetImageMessage().GetCaption()
	}
	return "[?]"
}

// testRegistry opens a registry in dir holding the one recipient the tests know, and the
// regency's area.
func testRegistry(ctx context.Context, t *testing.T, dir string) (*registry.Registry, flows.Area) {
	t.Helper()
	reg := &registry.Registry{Dir: dir}
	if err := reg.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	csv := "nik;nama;program;periode;status\n" + recipientNIK + ";Sri Wahyuni;PKH;2025-T4;Sudah Salur\n"
	if _, err := reg.ImportReader(ctx, strings.NewReader(csv), "test", registry.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	area, err := flows.NewArea("35.10", nil)
	if err != nil {
		t.Fatal(err)
	}
	return reg, area
}
