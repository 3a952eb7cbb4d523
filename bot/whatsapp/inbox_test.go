package whatsapp

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
)

// BenchmarkInboxPut is the cost the event handler pays per message before the ack: one record
// written and synced, and cleared after handling.
func BenchmarkInboxPut(b *testing.B) {
	inbox, err := OpenInbox(filepath.Join(b.TempDir(), InboxFile))
	if err != nil {
		b.Fatal(err)
	}
	defer inbox.Close()
	chat := types.NewJID(citizenPN, types.DefaultUserServer)
	for i := 0; b.Loop(); i++ {
		in := incoming{chat: chat, msg: &events.Message{
			Info: types.MessageInfo{
				MessageSource: types.MessageSource{Chat: chat, Sender: chat},
				ID:            types.MessageID(fmt.Sprintf("3EB0%018d", i)), Timestamp: time.Unix(1_790_000_000, 0),
			},
			Message: textMessage("halo, saya mau lapor"),
		}}
		if err := inbox.put(in); err != nil {
			b.Fatal(err)
		}
		if err := inbox.done(in); err != nil {
			b.Fatal(err)
		}
	}
}
