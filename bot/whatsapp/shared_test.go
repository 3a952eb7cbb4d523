package whatsapp

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/laporbansos/laporbansos/storage/postgres"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// openPG opens one instance's store on the database at url, closed at cleanup.
func openPG(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db := postgres.New(url)
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// The session in PostgreSQL through whatsmeow's own sqlstore: instances opening it together
// create whatsmeow's schema once, beside the bot's tables, and a device linked through one
// instance's container is the first device of another's, keys, LID map and all, and a client
// can be built on it.
func TestSharedSessionStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	a, b := openPG(t, url), openPG(t, url)
	// Several instances starting at once: the schema upgrade runs under a lock.
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Go(func() {
			c, err := OpenSharedStore(ctx, a, zerolog.Nop())
			if err == nil {
				err = c.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("concurrent open: %v", err)
		}
	}
	ca, err := OpenSharedStore(ctx, a, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close()
	if _, err := NewClient(ctx, ca, zerolog.Nop()); !errors.Is(err, ErrNotPaired) {
		t.Fatalf("empty shared store: %v", err)
	}
	dev := ca.NewDevice()
	id := types.NewADJID(botPN, 0, 7)
	l := types.JID{User: botLID, Device: 7, Server: types.HiddenUserServer}
	dev.ID, dev.LID, dev.PushName, dev.Platform = &id, l, "Lapor Bansos", "chrome"
	dev.Account = &waAdv.ADVSignedDeviceIdentity{
		Details: []byte{1, 2, 3}, AccountSignature: make([]byte, 64), AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64),
	}
	if err := ca.PutDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	if err := dev.LIDs.PutLIDMapping(ctx, l.ToNonAD(), id.ToNonAD()); err != nil {
		t.Fatal(err)
	}
	if err := dev.Sessions.PutSession(ctx, "6281234567890.0", []byte("signal session")); err != nil {
		t.Fatal(err)
	}

	cb, err := OpenSharedStore(ctx, b, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	got, err := cb.GetFirstDevice(ctx)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case got.ID == nil || *got.ID != id:
		t.Fatalf("other instance's first device is %v, want %v", got.ID, id)
	case got.LID != l || got.PushName != "Lapor Bansos" || got.Platform != "chrome":
		t.Errorf("device fields: LID %v, push name %q, platform %q", got.LID, got.PushName, got.Platform)
	case got.RegistrationID != dev.RegistrationID:
		t.Errorf("registration id %d, want %d", got.RegistrationID, dev.RegistrationID)
	case *got.NoiseKey.Pub != *dev.NoiseKey.Pub || *got.IdentityKey.Priv != *dev.IdentityKey.Priv || got.SignedPreKey.KeyID != dev.SignedPreKey.KeyID:
		t.Error("keys differ between the instances")
	case !bytes.Equal(got.Account.GetDetails(), []byte{1, 2, 3}):
		t.Errorf("account %v", got.Account)
	}
	if pn, err := got.LIDs.GetPNForLID(ctx, l.ToNonAD()); err != nil || pn != id.ToNonAD() {
		t.Errorf("LID map: %v %v", pn, err)
	}
	if s, err := got.Sessions.GetSession(ctx, "6281234567890.0"); err != nil || string(s) != "signal session" {
		t.Errorf("signal session: %q %v", s, err)
	}
	cli, err := NewClient(ctx, cb, zerolog.Nop())
	if err != nil || cli.Store.ID.User != botPN {
		t.Fatalf("client on the shared session: %v", err)
	}
	// whatsmeow's tables are in the state's database, beside the bot's own.
	var tables []string
	rows, err := b.Pool().Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_name IN ('whatsmeow_device', 'whatsmeow_sessions', 'whatsmeow_version', 'reports', 'whatsapp_inbox') ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if strings.Join(tables, " ") != "reports whatsapp_inbox whatsmeow_device whatsmeow_sessions whatsmeow_version" {
		t.Errorf("tables %v", tables)
	}
}

// The shared session lock: one holder across instances (each its own database session), the
// others get ErrSessionBusy; it is free again on release, and when the holder's connection
// dies, which the holder is told.
func TestSharedSessionLock(t *testing.T) {
	sessionLockEvery = 50 * time.Millisecond
	t.Cleanup(func() { sessionLockEvery = 2 * time.Second })
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	a, b := openPG(t, url), openPG(t, url)
	releaseA, lostA, err := LockSharedSession(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	for name, db := range map[string]*postgres.DB{"other instance": b, "same instance, another command": a} {
		if _, _, err := LockSharedSession(ctx, db); !errors.Is(err, ErrSessionBusy) {
			t.Errorf("%s while held: %v, want ErrSessionBusy", name, err)
		}
	}
	releaseA()
	releaseA() // twice is harmless
	select {
	case <-lostA:
		t.Error("a released lock reported lost")
	default:
	}
	releaseB, lostB, err := LockSharedSession(ctx, b)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	defer releaseB()
	// b's process dies: the server ends its session and with it the lock.
	pgtest.KillLockHolders(t, url, 1)
	select {
	case <-lostB:
	case <-time.After(5 * time.Second):
		t.Fatal("the holder was not told its lock was lost")
	}
	releaseA, _, err = LockSharedSession(ctx, a)
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	releaseA()
}

// Both inboxes keep what the channel needs: a record per (chat, message id), the last put
// winning; pending oldest first by WhatsApp timestamp, ties in key order; done forgets. The
// PostgreSQL one is shared: what one instance recorded another reads.
func TestInboxImplementations(t *testing.T) {
	ctx := context.Background()
	citizen, other := pn(citizenPN), pn("6281299990000") // other's key sorts first
	at := time.Date(2026, 11, 29, 1, 0, 0, 0, time.UTC)
	msg := func(chat types.JID, id, text string, sec int) incoming {
		return incoming{chat: chat, msg: &events.Message{
			Info: types.MessageInfo{
				MessageSource: types.MessageSource{Chat: chat, Sender: chat},
				ID:            types.MessageID(id), PushName: "Warga", Timestamp: at.Add(time.Duration(sec) * time.Second),
			},
			Message: textMessage(text),
		}}
	}
	cases := []struct {
		name string
		open func(t *testing.T) (writer, reader Inbox)
	}{
		{"bbolt file", func(t *testing.T) (Inbox, Inbox) {
			path := filepath.Join(t.TempDir(), InboxFile)
			ib, err := OpenInbox(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { ib.Close() })
			return ib, ib
		}},
		{"postgresql, two instances", func(t *testing.T) (Inbox, Inbox) {
			url := pgtest.NewDatabase(t)
			return openPG(t, url).WhatsAppInbox(), openPG(t, url).WhatsAppInbox()
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, r := tc.open(t)
			for _, in := range []incoming{
				msg(citizen, "M3", "tiga", 3), msg(other, "B1", "lain", 1), msg(citizen, "M1", "halo", 1),
				msg(citizen, "M2", "satu", 2), msg(citizen, "M3", "tiga lagi", 3), // M3 again: replaced
				msg(citizen, "M9", "selesai", 9),
			} {
				if err := inboxPut(w, in); err != nil {
					t.Fatal(err)
				}
			}
			if err := inboxDone(w, msg(citizen, "M9", "", 9)); err != nil {
				t.Fatal(err)
			}
			if err := inboxDone(w, msg(citizen, "never", "", 0)); err != nil {
				t.Errorf("done of an unknown message: %v", err)
			}
			p, err := inboxPending(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, in := range p {
				got = append(got, in.chat.User+"/"+string(in.msg.Info.ID)+"="+in.msg.Message.GetConversation())
				if in.msg.Info.PushName != "Warga" || in.msg.Info.Timestamp.Before(at) || in.msg.Info.Chat != in.chat {
					t.Errorf("info not kept: %+v", in.msg.Info)
				}
			}
			// Tie at second 1: "6281299…/B1" before "6285…/M1", keys in byte order.
			want := other.User + "/B1=lain " + citizen.User + "/M1=halo " + citizen.User + "/M2=satu " + citizen.User + "/M3=tiga lagi"
			if strings.Join(got, " ") != want {
				t.Errorf("pending\n got %s\nwant %s", strings.Join(got, " "), want)
			}
		})
	}
}

// Messages the dead leader acknowledged and did not handle are in the shared inbox: the next
// leader's channel handles them when it runs, in order, and clears them.
func TestSharedInboxReplayedByNextLeader(t *testing.T) {
	url := pgtest.NewDatabase(t)
	dead, next := openPG(t, url), openPG(t, url)
	citizen := pn(citizenPN)
	at := time.Now().Add(-time.Minute).Truncate(time.Second)
	for i, text := range []string{"halo", "1"} {
		in := incoming{chat: citizen, msg: &events.Message{
			Info: types.MessageInfo{
				MessageSource: types.MessageSource{Chat: citizen, Sender: citizen},
				ID:            types.MessageID("3EB0DEAD" + string(rune('A'+i))), PushName: "Warga", Timestamp: at.Add(time.Duration(i) * time.Second),
			},
			Message: textMessage(text),
		}}
		// Recorded as the dead leader's onMessage did, before its ack.
		if err := inboxPut(dead.WhatsAppInbox(), in); err != nil {
			t.Fatal(err)
		}
	}
	inbox := next.WhatsAppInbox()
	h := newHarness(t, func(o *Options, _ *harness) { o.Inbox = inbox })
	h.settle()
	got := h.textsTo(citizen.String())
	if i, j := strings.Index(got, "1. Lapor"), strings.Index(got, "Diri sendiri"); i < 0 || j < i {
		t.Fatalf("the dead leader's messages not handled in order: %q", got)
	}
	if p, err := inboxPending(context.Background(), inbox); err != nil || len(p) != 0 {
		t.Fatalf("shared inbox not cleared: %d %v", len(p), err)
	}
}
