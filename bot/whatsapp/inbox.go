package whatsapp

import (
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
)

// InboxFile is the channel's record of acknowledged messages not yet handled, in the data
// directory.
const InboxFile = "whatsapp-inbox.db"

var inboxBucket = []byte("inbox")

// Inbox is where an incoming message is recorded before whatsmeow acknowledges it: WhatsApp
// never delivers an acked message again, so one that was queued in memory when the process
// died is read back from here at the next start. A small bbolt file of the channel's own
// keeps this off the bot's main store, whose transactions the flows hold.
type Inbox struct{ db *bolt.DB }

// OpenInbox opens (creating, mode 0600) the inbox file at path.
func OpenInbox(path string) (*Inbox, error) {
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
	return &Inbox{db: db}, nil
}

// Close closes the file.
func (i *Inbox) Close() error { return i.db.Close() }

// inboxRecord is an incoming message as stored: enough to handle it as if just received.
type inboxRecord struct {
	Chat    types.JID         `json:"chat"`
	Info    types.MessageInfo `json:"info"`
	Message []byte            `json:"message"` // waE2E.Message, protobuf
}

func inboxKey(chat types.JID, id types.MessageID) []byte {
	return []byte(chat.String() + "/" + string(id))
}

// put records a message before it is acknowledged.
func (i *Inbox) put(in incoming) error {
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
	return i.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(inboxBucket).Put(inboxKey(in.chat, info.ID), v)
	})
}

// done forgets a message once it was handled (or its sender asked to send it again).
func (i *Inbox) done(in incoming) error {
	return i.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(inboxBucket).Delete(inboxKey(in.chat, in.msg.Info.ID))
	})
}

// pending returns the recorded messages, oldest first by their WhatsApp timestamp.
func (i *Inbox) pending() ([]incoming, error) {
	var out []incoming
	var bad error
	err := i.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(inboxBucket).ForEach(func(k, v []byte) error {
			var r inboxRecord
			msg := &waE2E.Message{}
			if err := json.Unmarshal(v, &r); err != nil {
				bad = errors.Join(bad, err)
				return nil
			}
			if err := proto.Unmarshal(r.Message, msg); err != nil {
				bad = errors.Join(bad, err)
				return nil
			}
			out = append(out, incoming{msg: &events.Message{Info: r.Info, Message: msg}, chat: r.Chat})
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	sortIncoming(out)
	return out, bad
}

func sortIncoming(in []incoming) {
	slices.SortStableFunc(in, func(a, b incoming) int { return a.msg.Info.Timestamp.Compare(b.msg.Info.Timestamp) })
}
