package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/laporbansos/laporbansos/storage/postgres"
)

// InboxFile is the channel's record of acknowledged messages not yet handled, in the data
// directory.
const InboxFile = "whatsapp-inbox.db"

var inboxBucket = []byte("inbox")

// Inbox is where an incoming message is recorded before whatsmeow acknowledges it: WhatsApp
// never delivers an acked message again, so one that was queued in memory when the process
// died is read back from here when the channel runs next. Records are kept by key
// ("chat/message id"): putting a key again replaces its record. Two implementations: FileInbox,
// a small bbolt file of the channel's own (one process), and postgres.WhatsAppInbox, a table
// every instance shares (several instances: the next leader handles what the last one acked).
type Inbox interface {
	Put(ctx context.Context, key string, record []byte) error
	Delete(ctx context.Context, key string) error
	// All returns every record in bytewise key order.
	All(ctx context.Context) ([][]byte, error)
}

var _ Inbox = (*postgres.WhatsAppInbox)(nil)

// inboxTimeout bounds one inbox write in the event handler; past it the message is left
// unacknowledged and WhatsApp delivers it again.
const inboxTimeout = 10 * time.Second

// FileInbox is the Inbox in a bbolt file of the channel's own, which keeps it off the bot's main
// store, whose transactions the flows hold.
type FileInbox struct{ db *bolt.DB }

var _ Inbox = (*FileInbox)(nil)

// OpenInbox opens (creating, mode 0600) the inbox file at path.
func OpenInbox(path string) (*FileInbox, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, fmt.Errorf("whatsapp: inbox %s: %w", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(inboxBucket)
		return err
	}); err != nil {
		db.Close()
		return nil, fmt.Errorf("whatsapp: inbox %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		db.Close()
		return nil, fmt.Errorf("whatsapp: inbox %s: %w", path, err)
	}
	return &FileInbox{db: db}, nil
}

// Put implements Inbox.
func (i *FileInbox) Put(_ context.Context, key string, record []byte) error {
	return i.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(inboxBucket).Put([]byte(key), record)
	})
}

// Delete implements Inbox.
func (i *FileInbox) Delete(_ context.Context, key string) error {
	return i.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(inboxBucket).Delete([]byte(key))
	})
}

// All implements Inbox.
func (i *FileInbox) All(context.Context) ([][]byte, error) {
	var out [][]byte
	err := i.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(inboxBucket).ForEach(func(_, v []byte) error {
			out = append(out, slices.Clone(v))
			return nil
		})
	})
	return out, err
}

// Close closes the file.
func (i *FileInbox) Close() error { return i.db.Close() }

// inboxRecord is an incoming message as stored: enough to handle it as if just received.
type inboxRecord struct {
	Chat    types.JID         `json:"chat"`
	Info    types.MessageInfo `json:"info"`
	Message []byte            `json:"message"` // waE2E.Message, protobuf
}

func inboxKey(chat types.JID, id types.MessageID) string {
	return chat.String() + "/" + string(id)
}

// inboxPut records a message before it is acknowledged.
func inboxPut(ib Inbox, in incoming) error {
	msg, err := proto.Marshal(in.msg.Message)
	if err != nil {
		return err
	}
	info := in.msg.Info
	info.VerifiedName = nil // not read, and its certificate does not round-trip through JSON
	v, err := json.Marshal(inboxRecord{Chat: in.chat, Info: info, Message: msg})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), inboxTimeout)
	defer cancel()
	return ib.Put(ctx, inboxKey(in.chat, info.ID), v)
}

// inboxDone forgets a message once it was handled (or its sender asked to send it again).
func inboxDone(ib Inbox, in incoming) error {
	ctx, cancel := context.WithTimeout(context.Background(), inboxTimeout)
	defer cancel()
	return ib.Delete(ctx, inboxKey(in.chat, in.msg.Info.ID))
}

// inboxPending returns the recorded messages, oldest first by their WhatsApp timestamp (ties in
// key order); records that cannot be read are skipped and reported in the error.
func inboxPending(ctx context.Context, ib Inbox) ([]incoming, error) {
	records, err := ib.All(ctx)
	if err != nil {
		return nil, &inboxReadError{err}
	}
	var out []incoming
	var bad error
	for _, v := range records {
		var r inboxRecord
		msg := &waE2E.Message{}
		if err := json.Unmarshal(v, &r); err != nil {
			bad = errors.Join(bad, err)
			continue
		}
		if err := proto.Unmarshal(r.Message, msg); err != nil {
			bad = errors.Join(bad, err)
			continue
		}
		out = append(out, incoming{msg: &events.Message{Info: r.Info, Message: msg}, chat: r.Chat})
	}
	sortIncoming(out)
	return out, bad
}

func sortIncoming(in []incoming) {
	slices.SortStableFunc(in, func(a, b incoming) int { return a.msg.Info.Timestamp.Compare(b.msg.Info.Timestamp) })
}

// inboxReadError is an inbox that could not be read at all (as opposed to records that did not
// decode): worth trying again.
type inboxReadError struct{ err error }

func (e *inboxReadError) Error() string { return "inbox unreadable: " + e.err.Error() }
func (e *inboxReadError) Unwrap() error { return e.err }
