package whatsapp

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/laporbansos/laporbansos/storage/postgres"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// BenchmarkInboxPut is the cost the event handler pays per message before the ack: one record
// written (and synced) and cleared after handling, in the bbolt file and in PostgreSQL.
func BenchmarkInboxPut(b *testing.B) {
	for _, bc := range []struct {
		name string
		open func(b *testing.B) Inbox
	}{
		{"file", func(b *testing.B) Inbox {
			ib, err := OpenInbox(filepath.Join(b.TempDir(), InboxFile))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { ib.Close() })
			return ib
		}},
		{"postgres", func(b *testing.B) Inbox {
			db := postgres.New(pgtest.NewDatabase(b))
			if err := db.Open(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db.WhatsAppInbox()
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			inbox := bc.open(b)
			chat := types.NewJID(citizenPN, types.DefaultUserServer)
			for i := 0; b.Loop(); i++ {
				in := incoming{chat: chat, msg: &events.Message{
					Info: types.MessageInfo{
						MessageSource: types.MessageSource{Chat: chat, Sender: chat},
						ID:            types.MessageID(fmt.Sprintf("3EB0%018d", i)), Timestamp: time.Unix(1_790_000_000, 0),
					},
					Message: textMessage("halo, saya mau lapor"),
				}}
				if err := inboxPut(inbox, in); err != nil {
					b.Fatal(err)
				}
				if err := inboxDone(inbox, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The client serve runs with: acks after the handler, decrypted-event buffer, re-requests from
// the phone; linking asks for little history.
func TestNewClientSettings(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	c, err := OpenStore(ctx, dir, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := NewClient(ctx, c, zerolog.Nop()); err != ErrNotPaired {
		t.Fatalf("unpaired store: %v", err)
	}
	d := newDevice(t, botPN, botLID)
	cli, err := NewClient(ctx, d.cli.Store.Container.(*sqlstore.Container), zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	if !cli.SynchronousAck || !cli.EnableDecryptedEventBuffer || !cli.AutomaticMessageRerequestFromPhone || !cli.EnableAutoReconnect {
		t.Errorf("client settings: sync ack %v, buffer %v, rerequest %v, reconnect %v",
			cli.SynchronousAck, cli.EnableDecryptedEventBuffer, cli.AutomaticMessageRerequestFromPhone, cli.EnableAutoReconnect)
	}
	limitHistorySync()
	hc := store.DeviceProps.GetHistorySyncConfig()
	if hc.GetFullSyncDaysLimit() != 1 || hc.GetRecentSyncDaysLimit() != 1 || hc.GetFullSyncSizeMbLimit() != 1 || store.DeviceProps.GetRequireFullSync() {
		t.Errorf("history sync config %v", hc)
	}
}
