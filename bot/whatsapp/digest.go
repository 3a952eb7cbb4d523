package whatsapp

import (
	"context"
	"fmt"
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

var _ bot.Digester = (*Channel)(nil)

// maxDigest keeps a digest readable on a phone; a longer burst becomes several digests.
const maxDigest = 30

// SendDigest implements bot.Digester: a burst of new-report posts for a staff group as one
// numbered list, each line with the report's number to type in a command. No polls: one per
// report is what the digest saves.
func (c *Channel) SendDigest(ctx context.Context, to storage.ChatAddr, posts []flows.Reply) (int, bot.Bookkeeping, error) {
	if err := c.paused(); err != nil {
		return 0, nil, err
	}
	jid, err := types.ParseJID(to.ID)
	if err != nil || to.Channel != Name {
		return 0, nil, &bot.SendError{Err: fmt.Errorf("whatsapp: bad chat address %s:%s", to.Channel, maskNumbers(to.ID))}
	}
	n := min(len(posts), maxDigest)
	lines := []string{fmt.Sprintf(msgDigestHead, n), ""}
	for i, p := range posts[:n] {
		lines = append(lines, fmt.Sprintf("%d. %s", i+1, p.Brief))
	}
	lines = append(lines, "", msgDigestFoot)
	msg := &waE2E.Message{Conversation: proto.String(whatsappEmphasis(strings.Join(lines, "\n")))}
	c.typing(ctx, jid)
	if _, err := c.cli().SendMessage(ctx, jid, msg, whatsmeow.SendRequestExtra{ID: messageID(ctx, "")}); err != nil {
		return 0, nil, classify(fmt.Errorf("whatsapp: send: %w", err))
	}
	return n, nil, nil
}
