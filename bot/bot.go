// Package bot joins the channels to the flows: the dispatcher hands each incoming message to
// the flows one chat at a time, and the sender drains the durable outbound queue through the
// channels, keeping each chat's order, pacing to the platforms' limits and retrying failures.
// Channel-specific code lives in bot/telegram, bot/whatsapp and bot/console.
package bot

import (
	"context"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/flows"
)

// Handler is what a channel calls for each incoming message. It returns once the message's
// effects, and the replies, are durably stored: only then may a channel acknowledge it.
type Handler interface {
	Handle(ctx context.Context, m flows.Message) error
}

// Dispatcher serialises each chat's messages (two quick taps of one chat must not race on its
// session) while different chats run in parallel.
type Dispatcher struct {
	Engine *flows.Engine
	Sender *Sender // woken after each message so replies go out at once; may be nil
	Log    zerolog.Logger
	// Observe, when set, is told of every message handled (metrics): see outage.go.
	Observe func(channel string, took time.Duration, err error)

	mu      sync.Mutex
	chats   map[string]*chatLock
	outages outageNotices
}

type chatLock struct {
	sync.Mutex
	users int
}

var _ Handler = (*Dispatcher)(nil)

// OutcomeHandler is a Handler that also says what a message did (flows.Outcome): a channel
// answers a button press from it instead of reading the report before and after.
type OutcomeHandler interface {
	Handler
	HandleOutcome(ctx context.Context, m flows.Message) (flows.Outcome, error)
}

var _ OutcomeHandler = (*Dispatcher)(nil)

// Handle runs one message through the flows.
func (d *Dispatcher) Handle(ctx context.Context, m flows.Message) error {
	_, err := d.HandleOutcome(ctx, m)
	return err
}

// HandleOutcome is Handle, telling what happened.
func (d *Dispatcher) HandleOutcome(ctx context.Context, m flows.Message) (flows.Outcome, error) {
	key := m.Chat.Key()
	d.mu.Lock()
	if d.chats == nil {
		d.chats = map[string]*chatLock{}
	}
	l := d.chats[key]
	if l == nil {
		l = &chatLock{}
		d.chats[key] = l
	}
	l.users++
	d.mu.Unlock()

	l.Lock()
	start := time.Now()
	o, err := d.Engine.HandleOutcome(ctx, m)
	took := time.Since(start)
	if err != nil {
		d.storeDown(ctx, m, err)
	}
	l.Unlock()
	if d.Observe != nil {
		d.Observe(m.Chat.Channel, took, err)
	}

	d.mu.Lock()
	if l.users--; l.users == 0 {
		delete(d.chats, key)
	}
	d.mu.Unlock()
	if err != nil {
		d.Log.Error().Err(err).Str("channel", m.Chat.Channel).Msg("message not processed")
		return o, err
	}
	if d.Sender != nil {
		d.Sender.Wake()
	}
	return o, nil
}
