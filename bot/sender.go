package bot

import (
	"context"
	"errors"
	"fmt"
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

// Outbox is the durable queue the sender drains. *storage.DB implements it.
type Outbox interface {
	Pending(ctx context.Context, limit int) ([]*storage.Outbound, error)
	AckOutbound(ctx context.Context, seq uint64) error
	UpdateOutbound(ctx context.Context, o *storage.Outbound) error
	DropOutbound(ctx context.Context, chat storage.ChatAddr) (int, error)
}

var _ Outbox = (*storage.DB)(nil)

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

	once     sync.Once
	wake     chan struct{}
	wg       sync.WaitGroup // sends in flight
	mu       sync.Mutex
	lastTo   map[string]time.Time // per chat: last send; pruned, see prune
	lastAny  map[string]time.Time // per channel: last send
	noChan   map[string]bool      // channels we have warned about
	inflight map[string]bool      // chats with a send in progress
	running  int                  // len(inflight)
}

// headWindow is how many chats one pass considers; scanLimit how many queued messages it may
// read to find them (addresses only) when the Outbox can filter (storage.DB can).
const (
	headWindow = 512
	scanLimit  = 16384
)

// headLister is the filtering read of the queue; *storage.DB implements it. Without it the
// sender reads a plain window of Pending(headWindow).
type headLister interface {
	PendingWhere(ctx context.Context, limit, maxScan int, keep func(storage.ChatAddr) bool) ([]*storage.Outbound, error)
}

var _ headLister = (*storage.DB)(nil)

func (s *Sender) init() {
	s.once.Do(func() {
		s.wake = make(chan struct{}, 1)
		s.lastTo = map[string]time.Time{}
		s.lastAny = map[string]time.Time{}
		s.noChan = map[string]bool{}
		s.inflight = map[string]bool{}
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
	heads, err := s.heads(ctx)
	if err != nil {
		return time.Time{}, err
	}
	now := s.Now()
	s.prune(now)
	var next time.Time
	due := func(t time.Time) {
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
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
		s.launch(ctx, o)
		due(now)
	}
	return next, nil
}

// heads returns the oldest queued message of each chat whose channel runs and that has no send
// in flight, in queue order.
func (s *Sender) heads(ctx context.Context) ([]*storage.Outbound, error) {
	s.mu.Lock()
	busy := make(map[string]bool, len(s.inflight))
	for k := range s.inflight {
		busy[k] = true
	}
	s.mu.Unlock()
	seen := map[string]bool{}
	keep := func(to storage.ChatAddr) bool {
		key := to.Key()
		if seen[key] {
			return false // only a chat's oldest message may go: order per chat is kept
		}
		seen[key] = true
		if s.Channels[to.Channel] == nil {
			s.warnNoChannel(to.Channel)
			return false
		}
		return !busy[key]
	}
	if hl, ok := s.Outbox.(headLister); ok {
		return hl.PendingWhere(ctx, headWindow, scanLimit, keep)
	}
	pending, err := s.Outbox.Pending(ctx, headWindow)
	if err != nil {
		return nil, err
	}
	var out []*storage.Outbound
	for _, o := range pending {
		if keep(o.To) {
			out = append(out, o)
		}
	}
	return out, nil
}

func (s *Sender) busy() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running >= s.Workers
}

func (s *Sender) launch(ctx context.Context, o *storage.Outbound) {
	key := o.To.Key()
	s.mu.Lock()
	s.inflight[key] = true
	s.running++
	s.mu.Unlock()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.deliver(ctx, o)
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
		s.ack(ctx, o)
		return
	}
	err = ch.Send(WithOutbound(ctx, Outbound{Seq: o.Seq, CreatedAt: o.CreatedAt}), o.To, r)
	// What was sent must be acked even when shutdown began meanwhile, or it goes out twice.
	ctx = context.WithoutCancel(ctx)
	if err == nil {
		s.observe(o.To.Channel, SendOK)
		s.ack(ctx, o)
		return
	}
	if errors.Is(err, context.Canceled) {
		return // cut short by shutdown: it stays queued and goes out after the restart
	}
	var se *SendError
	if !errors.As(err, &se) {
		se = &SendError{Err: err, Temporary: true}
	}
	s.observe(o.To.Channel, se.outcome())
	log := s.Log.With().Str("channel", o.To.Channel).Str("chat", maskChat(o.To)).Uint64("seq", o.Seq).Int("attempt", o.Attempts+1).Logger()
	switch {
	case se.Stopped:
		n, derr := s.Outbox.DropOutbound(ctx, o.To)
		log.Warn().Err(se.Err).Int("dropped", n).AnErr("drop_err", derr).Msg("chat stopped (blocked or gone); its queue dropped")
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
		s.ack(ctx, o)
	}
}

func (s *Sender) ack(ctx context.Context, o *storage.Outbound) {
	if err := s.Outbox.AckOutbound(ctx, o.Seq); err != nil {
		s.Log.Error().Err(err).Uint64("seq", o.Seq).Msg("could not remove sent message from queue")
	}
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
