package bot

import (
	"context"
	"time"
)

type outboundKey struct{}

// Outbound identifies the queued message a Channel.Send is delivering: a channel that can
// give a message its own id (WhatsApp) derives it from this, so a retry after a lost answer is
// the same message, not a second one.
type Outbound struct {
	Seq       uint64
	CreatedAt time.Time
}

// WithOutbound tells Send which queued message it delivers.
func WithOutbound(ctx context.Context, o Outbound) context.Context {
	return context.WithValue(ctx, outboundKey{}, o)
}

// OutboundOf returns the queued message Send delivers; ok is false outside the sender.
func OutboundOf(ctx context.Context) (o Outbound, ok bool) {
	o, ok = ctx.Value(outboundKey{}).(Outbound)
	return o, ok
}
