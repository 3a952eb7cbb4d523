package bot

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/laporbansos/laporbansos/flows"
)

// SendOutcome is what became of one send attempt, for metrics.
type SendOutcome string

const (
	SendOK          SendOutcome = "sent"
	SendRetried     SendOutcome = "retried"      // temporary failure, tried again later
	SendRateLimited SendOutcome = "rate_limited" // the platform said "too many requests"; retried
	SendFailed      SendOutcome = "failed"       // refused for good or the chat is gone; dropped
)

func (e *SendError) outcome() SendOutcome {
	switch {
	case e.Stopped:
		return SendFailed
	case e.RetryAfter > 0:
		return SendRateLimited
	case e.Temporary:
		return SendRetried
	}
	return SendFailed
}

func (s *Sender) observe(channel string, o SendOutcome) {
	if s.Observe != nil {
		s.Observe(channel, o)
	}
}

// outageNoticeGap is the least time between two outage notices to one chat: a platform that
// redelivers the message, or a citizen who retries at once, is not answered every time.
const outageNoticeGap = time.Minute

// outageNotices remembers when each chat was last told of an outage. It is memory only: after
// a restart a chat may be told once more, which is harmless.
type outageNotices struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// storeDown answers a message the store could not take (disk full, file unwritable): the
// citizen is told to try again in a few minutes, sent straight through the channel because
// nothing can be queued, best effort. Nothing is written, so nothing stored can be damaged,
// and the next message that finds the store writable again is handled normally.
func (d *Dispatcher) storeDown(ctx context.Context, m flows.Message, err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || d.Sender == nil {
		return
	}
	ch := d.Sender.Channels[m.Chat.Channel]
	if ch == nil {
		return
	}
	n := &d.outages
	now := time.Now()
	if d.Engine != nil && d.Engine.Now != nil {
		now = d.Engine.Now()
	}
	key := m.Chat.Key()
	n.mu.Lock()
	if n.last == nil {
		n.last = map[string]time.Time{}
	}
	if last, ok := n.last[key]; ok && now.Sub(last) < outageNoticeGap {
		n.mu.Unlock()
		return
	}
	n.last[key] = now
	for k, t := range n.last {
		if now.Sub(t) >= outageNoticeGap {
			delete(n.last, k)
		}
	}
	n.mu.Unlock()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if serr := ch.Send(sctx, m.Chat, flows.Reply{To: m.Chat, Text: MsgSystemDown}); serr != nil {
		d.Log.Warn().Err(serr).Str("channel", m.Chat.Channel).Msg("outage notice not sent")
	}
}
