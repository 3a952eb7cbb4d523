package bot

import (
	"context"
	"errors"
	"time"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// Digester is a Channel that can merge a burst of new-report posts for one staff group into one
// message (on Telegram one row of buttons per report; on WhatsApp a numbered list). A group's
// send budget is small (Telegram: 20 messages a minute), so forty reports filed at once would
// otherwise reach staff only after two minutes.
type Digester interface {
	// SendDigest sends posts (oldest first, all new-report posts to chat to) as one message. It
	// includes as many as fit the platform's limits — a prefix of posts, at least the first —
	// and returns how many, with what to record for them in the ack's transaction (each
	// report's posted message). A failure is classified as Send's is.
	SendDigest(ctx context.Context, to storage.ChatAddr, posts []flows.Reply) (n int, book Bookkeeping, err error)
}

// DefaultDigestBacklog is how far behind a group may fall before its waiting new-report posts
// are merged: with Telegram's 3 s per group, four waiting posts.
const DefaultDigestBacklog = 10 * time.Second

// burst returns the run of new-report posts at the head of a group chat's queue (head first) when
// the chat's budget cannot keep up with it; otherwise nil, and head is sent on its own.
func (s *Sender) burst(ch Channel, head *storage.Outbound, queued []*storage.Outbound) []*storage.Outbound {
	if _, ok := ch.(Digester); !ok {
		return nil
	}
	l := ch.Limits()
	if l.IsGroup == nil || !l.IsGroup(head.To) || l.PerGroup <= 0 {
		return nil
	}
	backlog := s.DigestBacklog
	if backlog == 0 {
		backlog = DefaultDigestBacklog
	}
	if backlog < 0 {
		return nil
	}
	need := max(2, int((backlog+l.PerGroup-1)/l.PerGroup))
	var run []*storage.Outbound
	started := false
	for _, o := range queued {
		if o.Seq == head.Seq {
			started = true
		}
		if !started {
			continue // a decision picked ahead of older posts is never head here; posts before it wait
		}
		r, err := flows.DecodeReply(o.Payload)
		if err != nil || r.Event != flows.EventStaffNew || r.Brief == "" || r.Report == "" {
			break
		}
		run = append(run, o)
	}
	if len(run) < need {
		return nil
	}
	return run
}

func (s *Sender) launchDigest(ctx context.Context, run []*storage.Outbound) {
	s.start(ctx, run[0].To.Key(), run, func(ctx context.Context) { s.deliverDigest(ctx, run) })
}

// deliverDigest sends a run of posts as one message and acks those it included, with their
// bookkeeping, in one transaction: the same one-commit-after-the-send as a single message.
func (s *Sender) deliverDigest(ctx context.Context, run []*storage.Outbound) {
	head := run[0]
	ch := s.Channels[head.To.Channel]
	posts := make([]flows.Reply, 0, len(run))
	for _, o := range run {
		r, err := flows.DecodeReply(o.Payload)
		if err != nil {
			break // burst decoded them all; a change since is sent on its own later
		}
		posts = append(posts, r)
	}
	if len(posts) < 2 {
		s.deliver(ctx, head)
		return
	}
	sctx := WithOutbound(ctx, Outbound{Seq: head.Seq, CreatedAt: head.CreatedAt})
	n, book, err := ch.(Digester).SendDigest(sctx, head.To, posts)
	ctx = context.WithoutCancel(ctx)
	if err == nil {
		n = min(max(n, 1), len(posts))
		s.observe(head.To.Channel, SendOK)
		s.Log.Info().Str("channel", head.To.Channel).Int("reports", n).Msg("new-report posts merged into one digest")
		s.commit(ctx, head, book, run[1:n]...)
		return
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	// The head carries the retry: the rest of the run waits behind it in the chat's order.
	s.failed(ctx, ch, head, posts[0], err)
}
