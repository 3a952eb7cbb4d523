// Package whatsapp is the WhatsApp channel: the bot is a linked device of the service's number,
// driven through go.mau.fi/whatsmeow. Direct chats are citizens; the configured staff groups
// are the staff workflow. whatsmeow's event handler only filters and enqueues; workers turn
// each message into a flows.Message and hand it to the dispatcher, keeping each chat's order.
// Sending is plain text (buttons do not render for normal accounts), paced, reply-only.
//
// # Acknowledgement
//
// whatsmeow sends the delivery receipt ("ack") for a message after the event handlers return,
// and answers any later redelivery of it with "already processed": an acked message is never
// seen again. The handler must not block on the flows (a slow step would stall the whole
// connection), so it records the message in the Inbox (one small write: a bbolt file, or with
// several instances a PostgreSQL row) and returns once the message is in a bounded in-memory
// queue; a message acked but not handled when the process dies is handled at the next start,
// or by the next leader. A message whose handling fails is not dropped silently:
// the sender is asked to send it again. When the queue is full the handler reports failure,
// whatsmeow sends no ack, and the server redelivers later. Messages seen twice (a lost ack, a
// replay after a crash) are deduplicated on (chat, message id) by the flows.
//
// # Failures stay inside the channel
//
// A logged-out, replaced or outdated session stops this channel only (Run returns a
// *DisconnectError); a temporary ban pauses it until the ban expires and then reconnects. In
// both cases the staff chats of the other channels are told, and replies stay queued.
package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// Name is the ChatAddr.Channel of WhatsApp chats.
const Name = "whatsapp"

// Client is the part of *whatsmeow.Client the channel uses; tests substitute a fake.
type Client interface {
	Connect() error
	Disconnect()
	IsConnected() bool
	AddEventHandlerWithSuccessStatus(handler whatsmeow.EventHandlerWithSuccessStatus) uint32
	RemoveEventHandler(id uint32) bool
	SendMessage(ctx context.Context, to types.JID, message *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
	BuildPollCreation(name string, optionNames []string, selectableOptionCount int) *waE2E.Message
	DecryptPollVote(ctx context.Context, vote *events.Message) (*waE2E.PollVoteMessage, error)
	MarkRead(ctx context.Context, ids []types.MessageID, timestamp time.Time, chat, sender types.JID, receiptTypeExtra ...types.ReceiptType) error
	Upload(ctx context.Context, plaintext []byte, appInfo whatsmeow.MediaType) (whatsmeow.UploadResponse, error)
	SendPresence(ctx context.Context, state types.Presence) error
	SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error
	GetUserInfo(ctx context.Context, jids []types.JID) (map[types.JID]types.UserInfo, error)
	Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error)
}

var _ Client = (*whatsmeow.Client)(nil)

// LIDResolver finds the phone number behind a LID (WhatsApp's privacy id, "…@lid").
// whatsmeow's store (Client.Store.LIDs) implements it and learns pairs from every message.
type LIDResolver interface {
	GetPNForLID(ctx context.Context, lid types.JID) (types.JID, error)
	GetLIDForPN(ctx context.Context, pn types.JID) (types.JID, error)
}

// ErrPermanentDisconnect is what Run returns (wrapped in a *DisconnectError) when WhatsApp ended
// the session for good: the channel stops, the rest of the process keeps running.
var ErrPermanentDisconnect = errors.New("whatsapp: disconnected permanently")

// DisconnectError says why the session ended and what the operator must do.
type DisconnectError struct {
	Reason string // whatsmeow's description, e.g. "stream replaced"
	Action string // what the operator must do
	// Replaced: another connection took the session ("stream replaced"). With a shared session
	// that is usually the moment of a failover, which the caller rides out (Options.SharedSession).
	Replaced bool
}

func (e *DisconnectError) Error() string {
	return fmt.Sprintf("whatsapp: disconnected permanently (%s): %s", e.Reason, e.Action)
}

// Is makes errors.Is(err, ErrPermanentDisconnect) true.
func (e *DisconnectError) Is(target error) bool { return target == ErrPermanentDisconnect }

// Options configure a Channel.
type Options struct {
	// Client is the connected-or-connectable whatsmeow client (see NewClient).
	Client Client
	// LIDs maps LIDs to phone numbers; when nil and Client is a *whatsmeow.Client, its store.
	LIDs LIDResolver
	// Store is the bot's bbolt store: dedupe markers and poll ids live there.
	Store flows.Store
	// StaffGroups are the staff group JIDs ("1203630…@g.us"); other groups are ignored.
	StaffGroups []string
	// StaffNumbers is the optional allow-list of staff phone numbers (digits, 62…). Empty:
	// every member of a staff group may decide.
	StaffNumbers []string
	// Polls also posts a Layak / Tidak layak poll with each new report in a staff group.
	Polls bool
	// Limits overrides the sending pace (tests); nil means DefaultLimits.
	Limits *bot.Limits
	// Workers is how many chats are handled at once (default 4); QueueSize how many messages
	// may wait per worker (default 256) before new ones are left unacknowledged.
	Workers, QueueSize int
	// Notify are the staff chats of the other channels, told when WhatsApp stops, is banned
	// or comes back; Wake tells the sender something was queued for them.
	Notify []storage.ChatAddr
	// SharedSession: several instances share the session and hand it over on failover, when
	// for a few seconds the old and the new leader may both connect. "Stream replaced" then
	// ends the run without telling staff (a false alarm at every failover); the caller decides
	// whether to connect again.
	SharedSession bool
	Wake          func()
	// Inbox records each message before it is acknowledged, so one acked but not yet handled
	// when the process dies is handled at the next Run (here or, with a shared inbox, on the
	// next leader). Nil: a crash in that window loses it.
	Inbox Inbox
	// Self and SelfLID are the service number's JIDs (default: the whatsmeow client's store).
	Self, SelfLID types.JID
	// RefreshVersion, when set, is tried on "client outdated" before giving up: it applies the
	// current WhatsApp Web version and says whether it changed (serve: UseLatestVersion).
	RefreshVersion func(ctx context.Context) (changed bool)
	// Now is the clock (default time.Now); Typing how long "mengetik…" shows before a reply
	// to a citizen (default 1s, negative: none).
	Now    func() time.Time
	Typing time.Duration
	Log    zerolog.Logger
}

// Channel is the WhatsApp channel: it receives through Run and sends through Send.
type Channel struct {
	lids    LIDResolver
	store   flows.Store
	groups  map[types.JID]bool
	numbers map[string]bool
	polls   bool
	limits  bot.Limits
	log     zerolog.Logger
	notify  []storage.ChatAddr
	shared  bool // Options.SharedSession
	// afterRunEvery is the pause between looks at an ended run's client; tests shorten it.
	afterRunEvery time.Duration
	wake          func()
	now           func() time.Time

	typingFor time.Duration

	staffMu   sync.RWMutex
	staffLIDs map[string]bool // LID users of the allowed staff numbers, learnt after connecting

	self, selfLID types.JID // the service number, to recognise its phone
	refresh       func(ctx context.Context) bool
	inbox         Inbox
	ownSelf       bool // self and selfLID follow the client (SetClient)
	ownLIDs       bool // and so does lids
	phoneMu       sync.Mutex
	phoneLast     time.Time // last time the phone's presence was written

	pauseMu     sync.Mutex
	pausedUntil time.Time // a temporary ban: sends wait, the channel reconnects after

	workers, queueSize int
	retryDelay         time.Duration // between attempts to hand a message on

	mu       sync.RWMutex // guards queues against the close in Run, and running
	queues   []chan incoming
	closed   bool
	running  bool
	handler  bot.Handler
	inflight atomic.Int64 // messages enqueued and not yet finished (tests wait on it)

	sess atomic.Pointer[session] // the running or last Run's; before the first, an idle one
}

// session is one Run of the channel: the client it drives and how it ended. Each Run starts a
// fresh one, so the channel runs again after its Run returned: in serve with PostgreSQL, once
// in each of this instance's terms as leader, with the client built for that term.
type session struct {
	client   Client
	ran      bool            // a Run used it (guarded by Channel.mu)
	ctx      context.Context // the Run's, uncancelled: outlives whatsmeow's callbacks, for the work they start
	stopOnce sync.Once
	stopped  chan struct{}
	stopErr  error
	rejoin   chan time.Duration // Run reconnects after this delay (a ban's expiry)
	// ended is set when its Run returned: late news of it (a version refresh that failed after
	// the term ended) is no reason to tell staff WhatsApp stopped.
	ended atomic.Bool
}

func newSession(cli Client) *session {
	return &session{client: cli, ctx: context.Background(), stopped: make(chan struct{}), rejoin: make(chan time.Duration, 1)}
}

// cli is the current client (nil before SetClient when New had none).
func (c *Channel) cli() Client { return c.sess.Load().client }

var _ bot.Channel = (*Channel)(nil)

// DefaultLimits pace WhatsApp conservatively: being reported or sending fast to many chats
// gets a number banned, and a ban takes the channel down for hours or for good.
func DefaultLimits() bot.Limits {
	return bot.Limits{
		PerChat:      1500 * time.Millisecond,
		Global:       200 * time.Millisecond,
		PerGroup:     3 * time.Second,
		IsGroup:      func(a storage.ChatAddr) bool { return a.Channel == Name && isGroupID(a.ID) },
		FirstBackoff: 2 * time.Second,
		MaxBackoff:   5 * time.Minute,
	}
}

// New builds the channel. Invalid staff group JIDs are logged and skipped (config validates
// them first).
func New(o Options) *Channel {
	c := &Channel{
		lids:          o.LIDs,
		store:         o.Store,
		groups:        map[types.JID]bool{},
		numbers:       map[string]bool{},
		polls:         o.Polls,
		limits:        DefaultLimits(),
		log:           o.Log.With().Str("component", "whatsapp").Logger(),
		workers:       o.Workers,
		queueSize:     o.QueueSize,
		retryDelay:    500 * time.Millisecond,
		notify:        o.Notify,
		shared:        o.SharedSession,
		afterRunEvery: time.Second,
		wake:          o.Wake,
		now:           o.Now,
		typingFor:     o.Typing,
		staffLIDs:     map[string]bool{},
	}
	c.sess.Store(newSession(o.Client))
	if c.now == nil {
		c.now = time.Now
	}
	c.self, c.selfLID = o.Self, o.SelfLID
	c.refresh = o.RefreshVersion
	c.inbox = o.Inbox
	c.ownSelf, c.ownLIDs = c.self.IsEmpty(), o.LIDs == nil
	c.learnClient(o.Client)
	if c.typingFor == 0 {
		c.typingFor = time.Second
	}
	if o.Limits != nil {
		c.limits = *o.Limits
		if c.limits.IsGroup == nil {
			c.limits.IsGroup = DefaultLimits().IsGroup
		}
	}
	if c.workers <= 0 {
		c.workers = 4
	}
	if c.queueSize <= 0 {
		c.queueSize = 256
	}
	for _, g := range o.StaffGroups {
		jid, err := types.ParseJID(g)
		if err != nil || jid.Server != types.GroupServer {
			c.log.Error().Str("group", g).Msg("not a WhatsApp group JID (…@g.us); ignored")
			continue
		}
		c.groups[jid] = true
	}
	for _, n := range o.StaffNumbers {
		if d := digits(n); d != "" {
			c.numbers[d] = true
		}
	}
	return c
}

// Name implements bot.Channel.
func (c *Channel) Name() string { return Name }

// Limits implements bot.Channel.
func (c *Channel) Limits() bot.Limits { return c.limits }

// Run connects, hands every incoming message to h, and returns when ctx ends (nil) or when
// WhatsApp ends the session for good (a *DisconnectError, errors.Is ErrPermanentDisconnect).
// Temporary disconnections are retried by whatsmeow. Before returning, it disconnects, then
// handles the messages already received. Run may be called again once it returned (the next
// leadership term): each call starts afresh, with the client of SetClient or the last one.
func (c *Channel) Run(ctx context.Context, h bot.Handler) error {
	c.mu.Lock()
	if c.running {
		c.mu.Unlock()
		return errors.New("whatsapp: Run called while already running")
	}
	s := c.sess.Load()
	if s.client == nil {
		c.mu.Unlock()
		return errors.New("whatsapp: Run without a client (SetClient first)")
	}
	if s.ran {
		s = newSession(s.client)
	}
	s.ran = true
	// Work already accepted is finished even when ctx ends: it has been acknowledged.
	work := context.WithoutCancel(ctx)
	s.ctx = work
	c.sess.Store(s)
	c.running, c.closed = true, false
	c.handler = h
	c.queues = make([]chan incoming, c.workers)
	for i := range c.queues {
		c.queues[i] = make(chan incoming, c.queueSize)
	}
	c.mu.Unlock()

	var wg sync.WaitGroup
	for _, q := range c.queues {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for in := range q {
				c.process(work, in.msg, in.chat)
				if c.inbox != nil {
					if err := inboxDone(c.inbox, in); err != nil {
						c.log.Error().Err(err).Msg("inbox: handled message not cleared; it is handled once more at the next start (deduplicated)")
					}
				}
				c.inflight.Add(-1)
			}
		}()
	}

	c.replayInbox(work)
	id := s.client.AddEventHandlerWithSuccessStatus(func(evt any) bool { return c.onEvent(s, evt) })
	c.connect(ctx, s)

	var rejoin <-chan time.Time
	phoneCheck := time.NewTicker(time.Hour)
	defer phoneCheck.Stop()
	c.checkPhone(work)
wait:
	for {
		select {
		case <-phoneCheck.C:
			c.checkPhone(work)
		case <-ctx.Done():
			break wait
		case <-s.stopped:
			break wait
		case d := <-s.rejoin:
			rejoin = time.After(d)
		case <-rejoin:
			rejoin = nil
			c.log.Info().Msg("reconnecting to WhatsApp (ban over or client version refreshed)")
			c.connect(ctx, s)
		}
	}
	// Off WhatsApp at once, so that the next leader's connection does not fight this one.
	s.ended.Store(true)
	s.client.Disconnect()
	s.client.RemoveEventHandler(id)
	c.mu.Lock()
	c.closed = true
	for _, q := range c.queues {
		close(q)
	}
	c.mu.Unlock()
	wg.Wait()
	c.mu.Lock()
	c.running, c.handler = false, nil
	c.mu.Unlock()
	// whatsmeow's auto-reconnect, when already past its wait as Disconnect ran, connects again
	// after it: a client with no handler, beside the next leader's. A few looks afterwards end
	// such a connection (each run has a client of its own, so nothing live is cut).
	go func(cli Client, every time.Duration) {
		for range afterRunChecks {
			time.Sleep(every)
			if cli.IsConnected() {
				c.log.Warn().Msg("the ended run's WhatsApp client reconnected by itself; disconnecting it")
				cli.Disconnect()
			}
		}
	}(s.client, c.afterRunEvery)

	select {
	case <-s.stopped:
		return s.stopErr
	default:
		return nil
	}
}

// SetClient makes cli the client of the next Run, and, unless New was given Self, the
// service's JIDs and LID map those of cli's device: serve with PostgreSQL builds a fresh client
// from the shared session store for each term as leader (the number may have been relinked in
// between). It fails while Run runs.
func (c *Channel) SetClient(cli Client) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return errors.New("whatsapp: SetClient while running")
	}
	c.learnClient(cli)
	c.sess.Store(newSession(cli))
	return nil
}

// learnClient takes the service's JIDs and LID map from a whatsmeow client, those New was not
// given.
func (c *Channel) learnClient(cli Client) {
	wc, ok := cli.(*whatsmeow.Client)
	if !ok || wc == nil || wc.Store == nil {
		return
	}
	if c.ownSelf {
		c.self = ownJID(wc)
		c.selfLID = wc.Store.GetLID().ToNonAD()
	}
	if c.ownLIDs {
		c.lids = wc.Store.LIDs
	}
}

// connect dials until it succeeds, ctx ends or the session is stopped. Once connected,
// whatsmeow reconnects by itself.
func (c *Channel) connect(ctx context.Context, s *session) {
	delay := time.Second
	for {
		err := s.client.Connect()
		if err == nil || errors.Is(err, whatsmeow.ErrAlreadyConnected) {
			return
		}
		c.log.Warn().Err(err).Dur("retry_in", delay).Msg("could not connect to WhatsApp; retrying")
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.stopped:
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(delay*2, 5*time.Minute)
	}
}

// onEvent is whatsmeow's event handler. It runs on whatsmeow's receive loop: it only filters
// and enqueues, and it never panics out. Returning false withholds the ack (queue full).
func (c *Channel) onEvent(s *session, evt any) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error().Interface("panic", p).Str("event", fmt.Sprintf("%T", evt)).Msg("whatsapp event handler panicked")
			ok = true
		}
	}()
	switch e := evt.(type) {
	case *events.Message:
		if e.Info.IsFromMe && c.fromPhone(e.Info.Sender) {
			c.phoneSeen(s.ctx)
		}
		return c.onMessage(s, e)
	case *events.Receipt:
		if c.fromPhone(e.Sender) {
			c.phoneSeen(s.ctx)
		}
	case *events.Connected:
		c.log.Info().Msg("connected to WhatsApp")
		go c.online(s)
	case *events.UndecryptableMessage:
		c.undecryptable(s, e)
	case *events.Disconnected:
		c.log.Warn().Msg("disconnected from WhatsApp; reconnecting")
	case *events.KeepAliveTimeout:
		c.log.Warn().Int("errors", e.ErrorCount).Msg("WhatsApp keepalive timed out")
	case *events.TemporaryBan:
		c.ban(s, e)
	case *events.ClientOutdated:
		if c.refresh == nil {
			c.stop(s, e)
			break
		}
		// WhatsApp may have moved on since start-up: retry once with its current version.
		go func() {
			if c.refresh(s.ctx) {
				c.log.Warn().Msg("WhatsApp said client outdated; reconnecting with its current version")
				select {
				case <-s.rejoin:
				default:
				}
				s.rejoin <- 0
				return
			}
			c.stop(s, e)
		}()
	case events.PermanentDisconnect:
		c.stop(s, e)
	}
	return true
}

// online runs after each connection: it tells WhatsApp the bot is available (without it no
// delivery receipts are sent and citizens see one grey tick), ends a ban pause, and learns the
// LIDs of the allowed staff numbers so staff are recognised in groups that hide numbers.
func (c *Channel) online(s *session) {
	ctx := s.ctx
	if err := s.client.SendPresence(ctx, types.PresenceAvailable); err != nil {
		c.log.Warn().Err(err).Msg("could not send available presence")
	}
	c.pauseMu.Lock()
	wasBanned := !c.pausedUntil.IsZero()
	c.pausedUntil = time.Time{}
	c.pauseMu.Unlock()
	if wasBanned {
		c.tellStaff(ctx, msgStaffBack)
	}
	c.resolveStaff(ctx, s.client)
}

// resolveStaff asks WhatsApp for the LID of each allowed staff number (whatsmeow also stores
// the pairs, so later lookups of the map find them).
func (c *Channel) resolveStaff(ctx context.Context, cli Client) {
	if len(c.numbers) == 0 {
		return
	}
	jids := make([]types.JID, 0, len(c.numbers))
	for n := range c.numbers {
		jids = append(jids, types.NewJID(n, types.DefaultUserServer))
	}
	info, err := cli.GetUserInfo(ctx, jids)
	if err != nil {
		c.log.Warn().Err(err).Msg("could not look up staff LIDs; staff in groups that hide numbers may be refused")
		return
	}
	c.staffMu.Lock()
	defer c.staffMu.Unlock()
	for _, ui := range info {
		if ui.LID.User != "" {
			c.staffLIDs[ui.LID.User] = true
		}
	}
}

// ban pauses the channel for a temporary ban: sends wait, staff are told, and Run reconnects
// once it expires. A ban without an expiry is handled like a permanent disconnection.
func (c *Channel) ban(s *session, e *events.TemporaryBan) {
	if e.Expire <= 0 {
		c.stop(s, e)
		return
	}
	until := c.now().Add(e.Expire)
	c.pauseMu.Lock()
	c.pausedUntil = until
	c.pauseMu.Unlock()
	c.log.Error().Int("code", int(e.Code)).Dur("expire", e.Expire).
		Msg("WhatsApp temporarily banned the number; the channel pauses and reconnects when the ban expires, the rest of the bot keeps running")
	c.tellStaff(s.ctx, fmt.Sprintf(msgStaffBanned, until.In(wib).Format("02-01-2006 15:04")))
	select {
	case <-s.rejoin:
	default:
	}
	s.rejoin <- e.Expire
}

// paused returns the error Send gives while the channel cannot send: a *bot.SendError whose
// RetryAfter keeps the message queued.
func (c *Channel) paused() error {
	s := c.sess.Load()
	if s.client == nil {
		// Not yet led here: the leader's sender sends, and this instance's only once it leads.
		return &bot.SendError{Err: fmt.Errorf("whatsapp: %w", whatsmeow.ErrNotConnected), Temporary: true}
	}
	select {
	case <-s.stopped:
		// Kept in the queue: it goes out once the number is linked again and the bot restarted.
		return &bot.SendError{Err: s.stopErr, RetryAfter: 10 * time.Minute}
	default:
	}
	c.pauseMu.Lock()
	until := c.pausedUntil
	c.pauseMu.Unlock()
	if wait := until.Sub(c.now()); !until.IsZero() {
		return &bot.SendError{Err: errors.New("whatsapp: paused by a temporary ban"), RetryAfter: max(wait, time.Minute)}
	}
	return nil
}

// undecryptable answers a message WhatsApp delivered but the bot could not read: whatsmeow has
// asked the phone to send it again; the citizen is asked too, in case that fails.
func (c *Channel) undecryptable(s *session, e *events.UndecryptableMessage) {
	c.log.Warn().Str("chat", maskJID(e.Info.Chat)).Bool("unavailable", e.IsUnavailable).Msg("message could not be decrypted")
	if e.Info.IsFromMe || e.Info.Chat.Server == types.GroupServer || e.DecryptFailMode == events.DecryptFailHide {
		return
	}
	if e.Info.Chat.Server != types.DefaultUserServer && e.Info.Chat.Server != types.HiddenUserServer {
		return
	}
	c.reply(s.ctx, storage.ChatAddr{Channel: Name, ID: e.Info.Chat.ToNonAD().String()}, msgSendAgain)
}

// tellStaff queues text for the staff chats of the other channels.
func (c *Channel) tellStaff(ctx context.Context, text string) {
	for _, to := range c.notify {
		c.reply(ctx, to, text)
	}
}

// reply queues one text message through the durable queue, as the flows do.
func (c *Channel) reply(ctx context.Context, to storage.ChatAddr, text string) {
	if err := Enqueue(ctx, c.store, to, text); err != nil {
		c.log.Error().Err(err).Str("to", to.Channel).Msg("could not queue a message")
		return
	}
	if c.wake != nil {
		c.wake()
	}
}

// Enqueue puts a plain text message for to in the bot's send queue.
func Enqueue(ctx context.Context, store flows.Store, to storage.ChatAddr, text string) error {
	payload, err := json.Marshal(flows.Reply{To: to, Text: text})
	if err != nil {
		return err
	}
	return store.Update(ctx, func(tx storage.Tx) error {
		return tx.Enqueue(&storage.Outbound{To: to, Payload: payload})
	})
}

// stop ends the channel after a permanent disconnection, with advice for the operator.
func (c *Channel) stop(s *session, e events.PermanentDisconnect) {
	s.stopOnce.Do(func() {
		action := "check the log above, then restart the bot"
		switch ev := e.(type) {
		case *events.LoggedOut:
			action = "the linked device was removed (from the phone or by WhatsApp); link again with: laporbansos whatsapp login"
		case *events.StreamReplaced:
			action = "another process is using this WhatsApp session; run only one bot instance with LAPOR_WHATSAPP=1 (and stop it before whatsapp login/logout/groups)"
		case *events.TemporaryBan:
			action = fmt.Sprintf("WhatsApp temporarily banned the number (code %d", int(ev.Code))
			if ev.Expire > 0 {
				action += fmt.Sprintf(", for %s", ev.Expire)
			}
			action += "); wait for it to expire before restarting, and send less: reply only, no bulk messages"
		case *events.ClientOutdated:
			action = "WhatsApp rejects this client version; update go.mau.fi/whatsmeow, rebuild and restart"
		}
		_, replaced := e.(*events.StreamReplaced)
		s.stopErr = &DisconnectError{Reason: e.PermanentDisconnectDescription(), Action: action, Replaced: replaced}
		if s.ended.Load() {
			c.log.Info().Str("reason", e.PermanentDisconnectDescription()).Msg("an ended WhatsApp run reported a disconnect; nothing to tell")
		} else if replaced && c.shared {
			c.log.Warn().Msg("WhatsApp session taken by another connection (another instance during a failover?); this run ends")
		} else {
			c.log.Error().Str("reason", e.PermanentDisconnectDescription()).Str("action", action).
				Msg("WhatsApp session ended; the WhatsApp channel stops, the rest of the bot keeps running")
			c.tellStaff(s.ctx, fmt.Sprintf(msgStaffStopped, staffAdvice(e)))
		}
		close(s.stopped)
	})
}

// onMessage drops what the bot never answers and enqueues the rest on its chat's worker.
func (c *Channel) onMessage(s *session, e *events.Message) bool {
	if e == nil || e.Message == nil || e.Info.IsFromMe {
		return true
	}
	chat := e.Info.Chat
	switch chat.Server {
	case types.DefaultUserServer, types.HiddenUserServer:
		if !hasContent(e.Message) {
			return true
		}
	case types.GroupServer:
		if !c.groups[chat.ToNonAD()] {
			return true // not a staff group: the bot stays out of it
		}
		if !hasContent(e.Message) && e.Message.GetPollUpdateMessage() == nil {
			return true
		}
	default:
		return true // broadcast lists, status@broadcast, newsletters, bots
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.closed || c.queues == nil || c.sess.Load() != s {
		return false // a client of an ended Run
	}
	key := c.chatOf(context.Background(), e.Info)
	in := incoming{msg: e, chat: key}
	q := c.queues[shard(key.String(), len(c.queues))]
	if len(q) == cap(q) {
		c.log.Warn().Msg("incoming queue full; message left unacknowledged for redelivery")
		return false
	}
	// Recorded before the ack: WhatsApp will not deliver it again.
	if c.inbox != nil {
		if err := inboxPut(c.inbox, in); err != nil {
			c.log.Error().Err(err).Msg("inbox: message not recorded; left unacknowledged for redelivery")
			return false
		}
	}
	c.inflight.Add(1)
	select {
	case q <- in:
		return true
	default:
		// Only whatsmeow's one event goroutine fills the queues, so this is not reached; if it
		// were, the message stays in the inbox and is handled at the next start.
		c.inflight.Add(-1)
		return c.inbox != nil
	}
}

// afterRunChecks looks, Channel.afterRunEvery apart (a second), at an ended run's client (see
// the end of Run).
const afterRunChecks = 5

// inboxRetryFirst and inboxRetryLast bound the waits between reads of an unreadable inbox at
// the start of a run: 1, 2, 4, 8 and 16 s.
var inboxRetryFirst, inboxRetryLast = time.Second, 16 * time.Second

// replayInbox queues the messages acknowledged but not handled before the last stop (of this
// process, or with a shared inbox of the last leader); a message whose step did commit is
// recognised by its id and not answered twice.
func (c *Channel) replayInbox(ctx context.Context) {
	if c.inbox == nil {
		return
	}
	pending, err := inboxPending(ctx, c.inbox)
	// An inbox that cannot be read at all (the database just failed over) is tried again for
	// about half a minute: what it holds was acknowledged to WhatsApp, which never sends it
	// again, and the next chance to read it would be this instance's next term.
	for wait := inboxRetryFirst; ; wait *= 2 {
		var re *inboxReadError
		if !errors.As(err, &re) || wait > inboxRetryLast {
			break
		}
		c.log.Warn().Err(err).Dur("retry_in", wait).Msg("inbox: unreadable; trying again before connecting")
		time.Sleep(wait)
		pending, err = inboxPending(ctx, c.inbox)
	}
	if err != nil {
		c.log.Error().Err(err).Msg("inbox: some recorded messages could not be read")
	}
	if len(pending) > 0 {
		c.log.Warn().Int("messages", len(pending)).Msg("inbox: handling messages received before the last stop")
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, in := range pending {
		c.inflight.Add(1)
		c.queues[shard(in.chat.String(), len(c.queues))] <- in
	}
}

// incoming is a message on its way to a worker, with the chat it belongs to.
type incoming struct {
	msg  *events.Message
	chat types.JID
}

// chatOf is the chat a message belongs to, the one key used for the worker, the dispatcher and
// the dialogue: a group's JID, and for a direct chat the citizen's LID whenever it is known (the
// message's own address, its alternative, or whatsmeow's LID map), else the phone number. WhatsApp
// addresses people by LID more and more; keyed by LID, a dialogue does not restart when the
// number becomes known or is hidden again.
func (c *Channel) chatOf(ctx context.Context, info types.MessageInfo) types.JID {
	if info.Chat.Server == types.GroupServer {
		return info.Chat.ToNonAD()
	}
	var phone types.JID
	for _, j := range []types.JID{info.Chat, info.Sender, info.SenderAlt} {
		switch {
		case j.User == "":
		case j.Server == types.HiddenUserServer:
			return j.ToNonAD()
		case j.Server == types.DefaultUserServer && phone.IsEmpty():
			phone = j.ToNonAD()
		}
	}
	if !phone.IsEmpty() && c.lids != nil {
		l, err := c.lids.GetLIDForPN(ctx, phone)
		if err == nil && l.User != "" {
			return l.ToNonAD()
		}
	}
	if phone.IsEmpty() {
		return info.Chat.ToNonAD()
	}
	return phone
}

func shard(key string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(n))
}

// process handles one message on a worker: translate and hand on. The message id travels in
// flows.Message.ID, which the engine records in the same transaction as the step, so a message
// WhatsApp delivers again is handled exactly once. Failures are logged here.
func (c *Channel) process(ctx context.Context, e *events.Message, chat types.JID) {
	m, ok := c.translate(ctx, e, chat)
	if !ok {
		return
	}
	m.ID = Name + ":" + chat.String() + "/" + e.Info.ID
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = c.handler.Handle(ctx, m); err == nil {
			break
		}
		time.Sleep(time.Duration(attempt+1) * c.retryDelay)
	}
	if err != nil {
		// WhatsApp will not deliver it again: ask the sender instead of dropping it silently.
		c.log.Error().Err(err).Str("chat", maskJID(e.Info.Chat)).Msg("message could not be handled; sender asked to send it again")
		c.reply(ctx, m.Chat, msgSendAgain)
		return
	}
	// Blue ticks tell the citizen the bot has it; best effort.
	if err := c.cli().MarkRead(ctx, []types.MessageID{e.Info.ID}, c.now(), e.Info.Chat, e.Info.Sender); err != nil {
		c.log.Debug().Err(err).Msg("mark read failed")
	}
}

const (
	pollBucket = "whatsapp_polls" // poll message id → report id
)

// idle reports whether every accepted message has been handled (tests wait on it).
func (c *Channel) idle() bool { return c.inflight.Load() == 0 }

// State is the channel's state for /healthz and /metrics: "stopped" after a permanent
// disconnect (logged out, replaced, outdated), "banned" during a temporary ban, "standby"
// while Run is not running (another instance leads), else "connected" or "disconnected".
func (c *Channel) State() string {
	s := c.sess.Load()
	select {
	case <-s.stopped:
		return "stopped"
	default:
	}
	c.mu.RLock()
	running := c.running
	c.mu.RUnlock()
	c.pauseMu.Lock()
	banned := !c.pausedUntil.IsZero()
	c.pauseMu.Unlock()
	switch {
	case banned:
		return "banned"
	case !running:
		return "standby"
	case s.client.IsConnected():
		return "connected"
	}
	return "disconnected"
}
