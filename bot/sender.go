package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// Channel delivers messages to the chats of one platform.
type Channel interface {
	// Name is the ChatAddr.Channel this channel serves: "telegram", "whatsapp", "console".
	Name() string
	// Send delivers one message. A failure should be a *SendError so the sender knows whether
	// and when to retry; any other error is retried with backoff.
	Send(ctx context.Context, to storage.ChatAddr, r flows.Reply) error
	// Limits says how fast this platform may be written to.
	Limits() Limits
}

// Limits are a platform's sending limits, kept before the platform enforces them.
type Limits struct {
	PerChat      time.Duration // minimum gap between two messages to one chat
	Global       time.Duration // minimum gap between any two messages
	PerGroup     time.Duration // minimum gap between two messages to one group chat
	IsGroup      func(storage.ChatAddr) bool
	MaxBackoff   time.Duration // cap of the exponential backoff; default 5 minutes
	FirstBackoff time.Duration // first retry delay; default 1 second
}

// SendError classifies a failed send. The retry policy lives here, in the sender, not in every
// channel: channels only say what happened.
type SendError struct {
	Err        error
	RetryAfter time.Duration // the platform said when to try again (Telegram 429)
	Temporary  bool          // worth retrying with backoff (5xx, network)
	Stopped    bool          // the user blocked the bot or is gone: drop the chat's queue
}

func (e *SendError) Error() string { return e.Err.Error() }
func (e *SendError) Unwrap() error { return e.Err }

// Committer is a Channel with bookkeeping to write once the platform accepted a message (the
// posted message's id, its live buttons). SendCommit returns that bookkeeping instead of writing
// it, and the sender writes it in the same transaction as the queue's ack: between the
// platform's answer and "sent" there is one commit, the only window in which a crash repeats a
// message (no platform offers an idempotency key).
type Committer interface {
	// SendCommit is Send, returning for a delivered message what to record with its ack (nil
	// when nothing). A Committer's Send is not called by the sender.
	SendCommit(ctx context.Context, to storage.ChatAddr, r flows.Reply) (Bookkeeping, error)
}

// Bookkeeping records, in the ack's transaction, what a delivered message left behind.
type Bookkeeping func(tx storage.Tx) error

// Outbox is the durable queue the sender drains. storage.Store implements it.
type Outbox interface {
	Pending(ctx context.Context, limit int) ([]*storage.Outbound, error)
	UpdateOutbound(ctx context.Context, o *storage.Outbound) error
	// Update runs the ack with a channel's bookkeeping, and the drop of a stopped chat's queue
	// with the record of what the citizen missed, each in one transaction.
	Update(ctx context.Context, fn func(tx storage.Tx) error) error
}

var _ Outbox = storage.Store(nil)

// Sender is the one outbound path of the process: every reply, notification and reminder is
// queued in bbolt first and sent from here, so nothing is lost to a crash or an outage.
//
// Sends run concurrently, one at a time per chat: a chat's next message is only looked at after
// its previous one was acknowledged or rescheduled, so each chat's order is kept while a slow
// platform round trip to one chat does not hold up the others.
type Sender struct {
	Outbox   Outbox
	Channels map[string]Channel
	Now      func() time.Time
	Log      zerolog.Logger
	// Workers is how many chats are sent to at once; default 8.
	Workers int
	// Observe, when set, is told the outcome of every send attempt (metrics).
	Observe func(channel string, o SendOutcome)
	// DigestBacklog: a group whose waiting new-report posts would take longer than this to send
	// one by one gets them merged into one digest (channels that are Digesters); 0 means
	// DefaultDigestBacklog, negative never.
	DigestBacklog time.Duration
	// Instance names this sender's claims when the Outbox is shared by several processes
	// (storage.Claimer); default a random name per Sender.
	Instance string
	// ClaimLease is how long a claim on a message being sent lasts; 0 means DefaultClaimLease.
	// It is renewed every third of it while the send runs (a 10 MB upload on a slow line may
	// take minutes), up to maxClaimedSend.
	ClaimLease time.Duration

	once     sync.Once
	wake     chan struct{}
	wg       sync.WaitGroup // sends in flight
	mu       sync.Mutex
	lastTo   map[string]time.Time // per chat: last send; pruned, see prune
	lastAny  map[string]time.Time // per channel: last send
	noChan   map[string]bool      // channels we have warned about
	inflight map[string]bool      // chats with a send in progress
	running  int                  // len(inflight)
	// held are messages the platform accepted whose ack could not be written (disk full): sent,
	// unacked. Their chat sends nothing until the ack is written, and they are never resent by
	// this process; only a restart before the ack repeats them.
	held map[string]*heldAck
	// claimWait holds, per chat, when to try again a head that another process has claimed.
	claimWait map[string]time.Time
}

// DefaultClaimLease is how long a shared queue's message stays claimed by the sender sending
// it. A leader that dies mid-send holds up only that chat, for at most this long.
const DefaultClaimLease = time.Minute

// claimRetry is how soon a chat whose head another process claimed is looked at again.
const claimRetry = time.Second

// maxClaimedSend bounds one send from a shared queue: a send hung longer than this is cut off
// and retried, rather than holding its chat's claim for ever.
const maxClaimedSend = 10 * time.Minute

// heldAck is a delivered message waiting for its ack (and bookkeeping) to be written.
type heldAck struct {
	o        *storage.Outbound
	rest     []*storage.Outbound // a digest's further entries, acked with o
	book     Bookkeeping
	attempts int
	at       time.Time // next try
}

// headWindow is how many chats one pass considers; scanLimit how many queued messages it may
// read to find them (addresses only) when the Outbox can filter (storage.Store can).
const (
	headWindow = 512
	scanLimit  = 16384
)

// headLister is the filtering read of the queue; storage.Store implements it. Without it the
// sender reads a plain window of Pending(headWindow).
type headLister interface {
	PendingWhere(ctx context.Context, limit, maxScan int, keep func(storage.ChatAddr) bool) ([]*storage.Outbound, error)
}

var _ headLister = storage.Store(nil)

func (s *Sender) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		s.lastTo = map[string]time.Time{}
		s.lastAny = map[string]time.Time{}
		s.noChan = map[string]bool{}
		s.inflight = map[string]bool{}
		s.held = map[string]*heldAck{}
		s.claimWait = map[string]time.Time{}
		if s.Instance == "" {
			b := make([]byte, 8)
			_, _ = rand.Read(b)
			s.Instance = hex.EncodeToString(b)
		}
		if s.ClaimLease <= 0 {
			s.ClaimLease = DefaultClaimLease
		}
		if s.Workers <= 0 {
			s.Workers = 8
		}
		if s.Now == nil {
			s.Now = time.Now
		}
	})
}

// Wake tells the sender there is something new in the queue.
func (s *Sender) Wake() {
	s.init()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx is done. On return the sends in hand have finished (a send cut short by
// the cancellation stays queued and goes out after a restart).
func (s *Sender) Run(ctx context.Context) error {
	s.init()
	defer s.wg.Wait()
	s.dropDamaged(ctx)
	for {
		next, err := s.pass(ctx)
		if err != nil && ctx.Err() == nil {
			s.Log.Error().Err(err).Msg("send pass failed")
			next = s.Now().Add(time.Second)
		}
		wait := time.Until(next)
		if next.IsZero() || wait > time.Minute {
			wait = time.Minute
		}
		if wait < 0 {
			wait = 0
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// dropDamaged removes queued messages that cannot be decoded (they cannot be sent, and the
// queue's lists would report them on every pass).
func (s *Sender) dropDamaged(ctx context.Context) {
	var bad []uint64
	err := s.Outbox.Update(ctx, func(tx storage.Tx) (err error) {
		bad, err = tx.DropDamagedOutbound()
		return err
	})
	switch {
	case err != nil:
		s.Log.Error().Err(err).Msg("could not look for damaged queued messages")
	case len(bad) > 0:
		s.Log.Error().Interface("seqs", bad).Msg("damaged queued messages dropped")
	}
}

// Flush sends everything that can be sent now, ignoring pacing delays shorter than maxWait,
// and returns when nothing more is due. The console and tests use it to send synchronously,
// and serve uses it at shutdown, with a deadline in ctx.
func (s *Sender) Flush(ctx context.Context, maxWait time.Duration) error {
	s.init()
	for {
		next, err := s.pass(ctx)
		s.wg.Wait()
		if err != nil {
			return err
		}
		if s.launchedAny(next) {
			continue
		}
		if next.IsZero() {
			return nil
		}
		wait := next.Sub(s.Now())
		if wait > maxWait {
			return nil
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
	}
}

// launchedAny reports whether a pass that returned next started sends (it then returns a time
// that is not in the future, so the caller looks again).
func (s *Sender) launchedAny(next time.Time) bool {
	return !next.IsZero() && !next.After(s.Now())
}

// pass starts a send for the head message of every chat that may be written to now, and
// returns when to look again: now when it started sends, the time the next message becomes
// due, or zero when nothing is queued (a finished send wakes the sender anyway).
func (s *Sender) pass(ctx context.Context) (time.Time, error) {
	now := s.Now()
	var next time.Time
	due := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	if at := s.retryHeld(ctx, now); !at.IsZero() {
		due(at)
	}
	heads, queued, err := s.heads(ctx)
	if err != nil {
		return time.Time{}, err
	}
	if at := s.nextClaimRetry(now); !at.IsZero() {
		due(at)
	}
	s.prune(now)
	for _, o := range heads {
		if ctx.Err() != nil {
			break
		}
		ch := s.Channels[o.To.Channel]
		if o.NotBefore.After(now) {
			due(o.NotBefore)
			continue
		}
		if s.busy() {
			break // a finished send wakes the sender
		}
		if at := s.slot(ch, o.To, now); at.After(now) {
			due(at)
			continue
		}
		if burst := s.burst(ch, o, queued[o.To.Key()]); len(burst) > 1 {
			s.launchDigest(ctx, burst)
		} else {
			s.launch(ctx, o)
		}
		due(now)
	}
	return next, nil
}

// heads returns the oldest queued message of each chat whose channel runs and that has no send
// in flight, in queue order, and the messages read per chat (queue order) for a burst digest.
func (s *Sender) heads(ctx context.Context) ([]*storage.Outbound, map[string][]*storage.Outbound, error) {
	s.mu.Lock()
	busy := make(map[string]bool, len(s.inflight)+len(s.held))
	for k := range s.inflight {
		busy[k] = true
	}
	for k := range s.held {
		busy[k] = true
	}
	now := s.Now()
	for k, at := range s.claimWait {
		if at.After(now) {
			busy[k] = true
		} else {
			delete(s.claimWait, k)
		}
	}
	s.mu.Unlock()
	seen := map[string]int{}
	keep := func(to storage.ChatAddr) bool {
		key := to.Key()
		n := seen[key]
		seen[key] = n + 1
		if n == 0 && s.Channels[to.Channel] == nil {
			s.warnNoChannel(to.Channel)
		}
		if s.Channels[to.Channel] == nil || busy[key] {
			return false
		}
		// A group chat's head may be overtaken (see pick), so a few more of its messages are
		// read; any other chat sends its oldest message only.
		l := s.Channels[to.Channel].Limits()
		return n == 0 || (n < lookahead && l.IsGroup != nil && l.IsGroup(to))
	}
	var candidates []*storage.Outbound
	if hl, ok := s.Outbox.(headLister); ok {
		var err error
		if candidates, err = hl.PendingWhere(ctx, headWindow, scanLimit, keep); err != nil {
			return nil, nil, err
		}
	} else {
		pending, err := s.Outbox.Pending(ctx, headWindow)
		if err != nil {
			return nil, nil, err
		}
		for _, o := range pending {
			if keep(o.To) {
				candidates = append(candidates, o)
			}
		}
	}
	queued := map[string][]*storage.Outbound{}
	for _, o := range candidates {
		queued[o.To.Key()] = append(queued[o.To.Key()], o)
	}
	return pick(candidates), queued, nil
}

// lookahead is how many queued messages of one group chat pick looks at.
const lookahead = 32

// pick chooses each chat's next message from its candidates, in queue order. It is the oldest,
// except that in a staff chat a decision edit, a confirmation or an answer to a typed command
// goes before new-report posts queued earlier: staff see their own decisions at once instead of
// behind minutes of new posts. It never overtakes the post of the same report (the edit needs
// it) nor anything else, so each report's post and its edits keep their order.
func pick(candidates []*storage.Outbound) []*storage.Outbound {
	byChat := map[string][]*storage.Outbound{}
	var order []string
	for _, o := range candidates {
		k := o.To.Key()
		if byChat[k] == nil {
			order = append(order, k)
		}
		byChat[k] = append(byChat[k], o)
	}
	out := make([]*storage.Outbound, 0, len(order))
	for _, k := range order {
		out = append(out, priorityHead(byChat[k]))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

func priorityHead(msgs []*storage.Outbound) *storage.Outbound {
	if len(msgs) == 1 {
		return msgs[0]
	}
	posts := map[string]bool{} // reports whose new post is queued ahead
	for _, o := range msgs {
		r, err := flows.DecodeReply(o.Payload)
		if err != nil {
			return msgs[0]
		}
		if r.Event != flows.EventStaffNew {
			if r.Report != "" && posts[r.Report] {
				return msgs[0]
			}
			return o
		}
		posts[r.Report] = true
	}
	return msgs[0]
}

func (s *Sender) busy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running >= s.Workers
}

func (s *Sender) launch(ctx context.Context, o *storage.Outbound) {
	s.start(ctx, o.To.Key(), []*storage.Outbound{o}, func(ctx context.Context) { s.deliver(ctx, o) })
}

// start runs send for chat key on a worker of its own, the chat marked busy meanwhile; msgs
// are the queued messages send may send (claimed first when the queue is shared).
func (s *Sender) start(ctx context.Context, key string, msgs []*storage.Outbound, send func(ctx context.Context)) {
	s.mu.Lock()
	s.inflight[key] = true
	s.running++
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if sctx, release, ok := s.claim(ctx, key, msgs); ok {
			send(sctx)
			release()
		}
		// Only after the message was acked or rescheduled may the chat's next one be read.
		s.mu.Lock()
		// The chat's gap counts from the end of this send, not its start: the platform sees the
		// message arrive some time after it left, and the next one must not arrive closer.
		if now := s.Now(); now.After(s.lastTo[key]) {
			s.lastTo[key] = now
		}
		delete(s.inflight, key)
		s.running--
		s.mu.Unlock()
		s.Wake()
	}()
}

// claim takes msgs for this sender when the queue is shared (storage.Claimer); without one it
// has nothing to do. It returns the context to send in, bounded well inside the lease, and the
// release to call after the send. When another process holds the messages the chat is left
// alone for claimRetry, and ok is false.
func (s *Sender) claim(ctx context.Context, key string, msgs []*storage.Outbound) (sctx context.Context, release func(), ok bool) {
	c, shared := s.Outbox.(storage.Claimer)
	if !shared {
		return ctx, func() {}, true
	}
	seqs := make([]uint64, len(msgs))
	for i, o := range msgs {
		seqs[i] = o.Seq
	}
	got, err := c.ClaimOutbound(ctx, s.Instance, s.ClaimLease, msgs...)
	if err != nil || !got {
		if err != nil && ctx.Err() == nil {
			s.Log.Error().Err(err).Uint64("seq", seqs[0]).Msg("could not claim a queued message; trying again shortly")
		}
		s.mu.Lock()
		s.claimWait[key] = s.Now().Add(claimRetry)
		s.mu.Unlock()
		return nil, nil, false
	}
	sctx, cancel := context.WithTimeout(ctx, maxClaimedSend)
	done := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		// The claim is renewed while the send runs, so a long upload does not lose it.
		defer close(renewed)
		t := time.NewTicker(s.ClaimLease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if ok, err := c.ClaimOutbound(context.WithoutCancel(ctx), s.Instance, s.ClaimLease, msgs...); err != nil || !ok {
					s.Log.Warn().Err(err).Uint64("seq", seqs[0]).Msg("could not renew the claim on a message being sent")
				}
			}
		}
	}()
	return sctx, func() {
		close(done)
		<-renewed
		cancel()
		s.mu.Lock()
		_, held := s.held[key]
		s.mu.Unlock()
		if ctx.Err() == nil || held {
			// Acked or rescheduled (both end the claim), or delivered with its ack still to
			// write: that one keeps its claim until its lease ends, so no other sender sends it
			// again meanwhile.
			return
		}
		// Cut short by the end of this sender's run (shutdown, or its term as leader ended):
		// what it did not send goes to the next sender now rather than after the lease.
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer rcancel()
		if err := c.ReleaseOutbound(rctx, s.Instance, seqs...); err != nil {
			s.Log.Warn().Err(err).Msg("could not release claimed messages; they wait for their lease to end")
		}
	}, true
}

// nextClaimRetry returns when the earliest chat left to another process is looked at again.
func (s *Sender) nextClaimRetry(now time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var next time.Time
	for _, at := range s.claimWait {
		if at.After(now) && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

// slot reserves the next send time for chat under the channel's limits; it returns a time in
// the future when the chat (or the channel) must wait, and books the slot when it is now.
func (s *Sender) slot(ch Channel, to storage.ChatAddr, now time.Time) time.Time {
	l := ch.Limits()
	s.mu.Lock()
	defer s.mu.Unlock()
	at := now
	gap := l.PerChat
	if l.IsGroup != nil && l.IsGroup(to) && l.PerGroup > gap {
		gap = l.PerGroup
	}
	if last, ok := s.lastTo[to.Key()]; ok && last.Add(gap).After(at) {
		at = last.Add(gap)
	}
	if last, ok := s.lastAny[to.Channel]; ok && last.Add(l.Global).After(at) {
		at = last.Add(l.Global)
	}
	if at.After(now) {
		return at
	}
	s.lastTo[to.Key()] = now
	s.lastAny[to.Channel] = now
	return now
}

// prune forgets the last send of chats that no pacing rule still applies to, so lastTo stays
// as small as the set of recently active chats.
func (s *Sender) prune(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.lastTo) < 1024 {
		return
	}
	var longest time.Duration
	for _, ch := range s.Channels {
		l := ch.Limits()
		longest = max(longest, l.PerChat, l.PerGroup)
	}
	for k, t := range s.lastTo {
		if now.Sub(t) > longest {
			delete(s.lastTo, k)
		}
	}
}

func (s *Sender) deliver(ctx context.Context, o *storage.Outbound) {
	ch := s.Channels[o.To.Channel]
	r, err := flows.DecodeReply(o.Payload)
	if err != nil {
		s.Log.Error().Err(err).Uint64("seq", o.Seq).Msg("undecodable queued message dropped")
		s.commit(ctx, o, nil)
		return
	}
	var book Bookkeeping
	// The queue entry rides along so a channel can derive a stable message id from it.
	sctx := WithOutbound(ctx, Outbound{Seq: o.Seq, CreatedAt: o.CreatedAt})
	if c, ok := ch.(Committer); ok {
		book, err = c.SendCommit(sctx, o.To, r)
	} else {
		err = ch.Send(sctx, o.To, r)
	}
	// What was sent must be acked even when shutdown began meanwhile, or it goes out twice.
	ctx = context.WithoutCancel(ctx)
	if err == nil {
		s.observe(o.To.Channel, SendOK)
		s.commit(ctx, o, book)
		return
	}
	if errors.Is(err, context.Canceled) {
		return // cut short by shutdown: it stays queued and goes out after the restart
	}
	s.failed(ctx, ch, o, r, err)
}

// failed applies the retry policy to a send the platform did not accept. It is the one place
// that decides between waiting, retrying, dropping the chat's queue and dropping the message.
func (s *Sender) failed(ctx context.Context, ch Channel, o *storage.Outbound, r flows.Reply, err error) {
	var se *SendError
	if !errors.As(err, &se) {
		se = &SendError{Err: err, Temporary: true}
	}
	s.observe(o.To.Channel, se.outcome())
	log := s.Log.With().Str("channel", o.To.Channel).Str("chat", maskChat(o.To)).Uint64("seq", o.Seq).Int("attempt", o.Attempts+1).Logger()
	switch {
	case se.Stopped:
		n, missed, derr := s.dropStopped(ctx, o.To)
		log.Warn().Err(se.Err).Int("dropped", n).Int("missed_reports", missed).AnErr("drop_err", derr).Msg("chat stopped (blocked or gone); its queue dropped")
	case se.RetryAfter > 0 || se.Temporary:
		l := ch.Limits()
		delay := se.RetryAfter
		if delay <= 0 {
			delay = backoff(o.Attempts, l.FirstBackoff, l.MaxBackoff)
		}
		o.Attempts++
		o.NotBefore = s.Now().Add(delay)
		if uerr := s.Outbox.UpdateOutbound(ctx, o); uerr != nil {
			log.Error().Err(uerr).Msg("could not reschedule message")
		}
		log.Warn().Err(se.Err).Dur("retry_in", delay).Msg("send failed; will retry")
	default:
		log.Error().Err(se.Err).Msg("send refused permanently; message dropped")
		s.commit(ctx, o, nil)
	}
}

// dropStopped drops the queue of a chat that blocked the bot and, in the same transaction,
// remembers the reports whose news the citizen missed, to tell them when they write again.
func (s *Sender) dropStopped(ctx context.Context, to storage.ChatAddr) (dropped, missed int, err error) {
	err = s.Outbox.Update(ctx, func(tx storage.Tx) error {
		pending, err := tx.Pending(0)
		if err != nil {
			return err
		}
		var replies []flows.Reply
		for _, o := range pending {
			if o.To != to {
				continue
			}
			if r, err := flows.DecodeReply(o.Payload); err == nil {
				replies = append(replies, r)
			}
		}
		if missed, err = flows.RememberMissed(tx, to, replies); err != nil {
			return err
		}
		dropped, err = tx.DropOutbound(to)
		return err
	})
	return dropped, missed, err
}

// commit writes a delivered message's ack and bookkeeping in one transaction. When that fails
// (disk full), the message is held as sent, unacked: its chat waits and the commit is retried,
// rather than the message being sent again.
func (s *Sender) commit(ctx context.Context, o *storage.Outbound, book Bookkeeping, rest ...*storage.Outbound) {
	if err := s.writeAck(ctx, o, book, rest...); err != nil {
		s.Log.Error().Err(err).Uint64("seq", o.Seq).Msg("message sent, but its ack could not be written; holding it until it can")
		s.mu.Lock()
		s.held[o.To.Key()] = &heldAck{o: o, rest: rest, book: book, attempts: 1, at: s.Now().Add(backoff(0, 0, heldMaxBackoff))}
		s.mu.Unlock()
	}
}

// heldMaxBackoff caps the wait between tries of a held ack.
const heldMaxBackoff = 30 * time.Second

func (s *Sender) writeAck(ctx context.Context, o *storage.Outbound, book Bookkeeping, rest ...*storage.Outbound) error {
	return s.Outbox.Update(ctx, func(tx storage.Tx) error {
		if book != nil {
			if err := book(tx); err != nil {
				return err
			}
		}
		for _, r := range rest {
			if err := tx.AckOutbound(r.Seq); err != nil {
				return err
			}
		}
		return tx.AckOutbound(o.Seq)
	})
}

// retryHeld tries the due held acks again; it returns when the next one is due (zero: none).
func (s *Sender) retryHeld(ctx context.Context, now time.Time) time.Time {
	s.mu.Lock()
	var due []*heldAck
	for _, h := range s.held {
		if !h.at.After(now) {
			due = append(due, h)
		}
	}
	s.mu.Unlock()
	for _, h := range due {
		err := s.writeAck(context.WithoutCancel(ctx), h.o, h.book, h.rest...)
		s.mu.Lock()
		if err == nil {
			delete(s.held, h.o.To.Key())
		} else {
			h.at = now.Add(backoff(h.attempts, 0, heldMaxBackoff))
			h.attempts++
		}
		s.mu.Unlock()
		if err == nil {
			s.Log.Info().Uint64("seq", h.o.Seq).Msg("held ack written")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var next time.Time
	for _, h := range s.held {
		if next.IsZero() || h.at.Before(next) {
			next = h.at
		}
	}
	return next
}

func (s *Sender) warnNoChannel(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.noChan[name] {
		s.noChan[name] = true
		s.Log.Warn().Str("channel", name).Msg("messages queued for a channel that is not running; kept until it runs")
	}
}

// backoff doubles from first up to max: 1s, 2s, 4s, … 5m.
func backoff(attempts int, first, max time.Duration) time.Duration {
	if first <= 0 {
		first = time.Second
	}
	if max <= 0 {
		max = 5 * time.Minute
	}
	d := first
	for i := 0; i < attempts && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d
}

// maskChat keeps a chat id out of logs in full: a WhatsApp id is a phone number.
func maskChat(a storage.ChatAddr) string {
	id := a.ID
	if len(id) <= 6 {
		return id
	}
	return fmt.Sprintf("%s…%s", id[:3], id[len(id)-3:])
}
