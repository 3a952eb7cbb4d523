package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// stateBucket holds the channel's small state in the store (storage.Tx Get/Put), so it survives
// restarts and a second instance behind a webhook would see it too:
//
//	offset                      next getUpdates offset
//	kb/<chat>                   the citizen's live keyboard: message id, step, choices
//	skb/<chat>/<msg>            a staff message's live buttons: the commands they send
//	post/<report>/<chat>        the staff message posted for a report: id and text, to edit
//	ask/<chat>/<msg>            a "type the reason" message: the report its replies refuse
//	detail/<user>               the staff chat a user last asked DETAIL in (for a 403)
//	rkb/<chat>                  a reply keyboard (share contact) is showing
//	stopped/<chat>              the user blocked the bot; cleared when they write again
//
// The store has no delete for this state; an empty value means "absent".
const stateBucket = "telegram"

// citizenKeyboard is the one live inline keyboard of a citizen's chat. A press is resolved
// against it, not against the callback data alone: the data only carries the step and the
// index of the choice, the answer text comes from here. Only the newest keyboard of a chat is
// live (it is the question the dialogue is waiting for); a press on any other, a replayed
// press, or a forged index finds nothing and changes nothing.
type citizenKeyboard struct {
	Msg     int            `json:"msg"`
	Step    string         `json:"step"`
	Choices []flows.Choice `json:"choices"`
}

type staffKeyboard struct {
	Report   string   `json:"report,omitempty"`
	Commands []string `json:"commands"`
}

// detailAsk is where and by whom DETAIL was last asked, to answer a failed private send.
type detailAsk struct {
	Chat int64  `json:"chat"`
	Name string `json:"name"`
}

type postedMessage struct {
	Msg  int    `json:"msg"`
	Text string `json:"text"` // the flows' text as posted and edited so far
	// Digest: the report was posted in a burst digest with others; its decision is posted as a
	// message of its own rather than written over the digest.
	Digest bool `json:"digest,omitempty"`
}

func kbKey(chat int64) string                  { return "kb/" + itoa(chat) }
func skbKey(chat int64, msg int) string        { return "skb/" + itoa(chat) + "/" + strconv.Itoa(msg) }
func postKey(report string, chat int64) string { return "post/" + report + "/" + itoa(chat) }
func askKey(chat int64, msg int) string        { return "ask/" + itoa(chat) + "/" + strconv.Itoa(msg) }
func detailKey(user int64) string              { return "detail/" + itoa(user) }
func rkbKey(chat int64) string                 { return "rkb/" + itoa(chat) }
func stoppedKey(chat int64) string             { return "stopped/" + itoa(chat) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// getJSON reads key into v; false when it is absent.
func getJSON(tx storage.Tx, key string, v any) (bool, error) {
	b, err := tx.Get(stateBucket, key)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && len(b) == 0) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(b, v)
}

func putJSON(tx storage.Tx, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(stateBucket, key, b)
}

func clearKey(tx storage.Tx, key string) error { return tx.Delete(stateBucket, key) }

func (c *Channel) load(ctx context.Context, key string, v any) (found bool, err error) {
	err = c.opt.DB.View(ctx, func(tx storage.Tx) error {
		found, err = getJSON(tx, key, v)
		return err
	})
	return found, err
}

func (c *Channel) store(ctx context.Context, key string, v any) error {
	return c.opt.DB.Update(ctx, func(tx storage.Tx) error { return putJSON(tx, key, v) })
}

func (c *Channel) clear(ctx context.Context, keys ...string) error {
	return c.opt.DB.Update(ctx, func(tx storage.Tx) error {
		for _, k := range keys {
			if err := clearKey(tx, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// flag reads a key that is only set or absent.
func (c *Channel) flag(ctx context.Context, key string) bool {
	var v json.RawMessage
	ok, _ := c.load(ctx, key, &v)
	return ok
}

// enqueueOnce queues the channel's own answer to the platform message id, recording id in the
// same transaction: a redelivered press queues nothing more.
func (c *Channel) enqueueOnce(ctx context.Context, id string, replies ...flows.Reply) error {
	msgs := make([]*storage.Outbound, 0, len(replies))
	for _, r := range replies {
		payload, err := json.Marshal(r)
		if err != nil {
			return err
		}
		msgs = append(msgs, &storage.Outbound{To: r.To, Payload: payload})
	}
	err := c.opt.DB.Update(ctx, func(tx storage.Tx) error {
		fresh, err := tx.MarkSeen(seenNamespace, id)
		if err != nil || !fresh {
			return err
		}
		return tx.Enqueue(msgs...)
	})
	if err == nil && c.opt.Wake != nil {
		c.opt.Wake()
	}
	return err
}

// enqueue queues the channel's own messages on the one outbound path, and wakes the sender.
func (c *Channel) enqueue(ctx context.Context, replies ...flows.Reply) error {
	msgs := make([]*storage.Outbound, 0, len(replies))
	for _, r := range replies {
		payload, err := json.Marshal(r)
		if err != nil {
			return err
		}
		msgs = append(msgs, &storage.Outbound{To: r.To, Payload: payload})
	}
	if err := c.opt.DB.Enqueue(ctx, msgs...); err != nil {
		return err
	}
	if c.opt.Wake != nil {
		c.opt.Wake()
	}
	return nil
}
