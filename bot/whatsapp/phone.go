package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/laporbansos/laporbansos/storage"
)

// WhatsApp unlinks companion devices after about 14 days without the primary phone online;
// the staff are warned after phoneWarnAfter so someone can open WhatsApp on it in time.
const (
	phoneUnlinkAfter = 14 * 24 * time.Hour
	phoneWarnAfter   = 10 * 24 * time.Hour
	stateBucket      = "whatsapp_state"
	phoneSeenKey     = "phone_seen"
	phoneWarnedKey   = "phone_warned"
)

// ownJID returns the service number (the linked device's account), or empty.
func ownJID(cl Client) types.JID {
	if wc, ok := cl.(*whatsmeow.Client); ok && wc != nil && wc.Store != nil {
		return wc.Store.GetJID().ToNonAD()
	}
	return types.JID{}
}

// fromPhone says whether an event came from the service's primary phone (device 0 of its
// own number, or its LID).
func (c *Channel) fromPhone(sender types.JID) bool {
	if sender.Device != 0 || c.self.User == "" {
		return false
	}
	return sender.User == c.self.User || (c.selfLID.User != "" && sender.User == c.selfLID.User)
}

// phoneSeen records that the primary phone was online (at most once an hour to disk).
func (c *Channel) phoneSeen(ctx context.Context) {
	now := c.now()
	c.phoneMu.Lock()
	if now.Sub(c.phoneLast) < time.Hour {
		c.phoneMu.Unlock()
		return
	}
	c.phoneLast = now
	c.phoneMu.Unlock()
	err := c.store.Update(ctx, func(tx storage.Tx) error {
		if err := tx.Put(stateBucket, phoneSeenKey, []byte(now.UTC().Format(time.RFC3339))); err != nil {
			return err
		}
		return tx.Put(stateBucket, phoneWarnedKey, nil)
	})
	if err != nil {
		c.log.Warn().Err(err).Msg("could not record the phone's last-seen time")
	}
}

// checkPhone warns operators and staff once when the primary phone has been offline for
// phoneWarnAfter. Without a record (first start) the clock starts now.
func (c *Channel) checkPhone(ctx context.Context) {
	now := c.now()
	var seen time.Time
	var warned bool
	err := c.store.Update(ctx, func(tx storage.Tx) error {
		v, err := tx.Get(stateBucket, phoneSeenKey)
		if errors.Is(err, storage.ErrNotFound) {
			return tx.Put(stateBucket, phoneSeenKey, []byte(now.UTC().Format(time.RFC3339)))
		}
		if err != nil {
			return err
		}
		if seen, err = time.Parse(time.RFC3339, string(v)); err != nil {
			return err
		}
		w, err := tx.Get(stateBucket, phoneWarnedKey)
		warned = err == nil && len(w) > 0
		if now.Sub(seen) < phoneWarnAfter || warned {
			return nil
		}
		return tx.Put(stateBucket, phoneWarnedKey, []byte("1"))
	})
	if err != nil {
		c.log.Warn().Err(err).Msg("could not check the phone's last-seen time")
		return
	}
	if seen.IsZero() || warned || now.Sub(seen) < phoneWarnAfter {
		return
	}
	deadline := seen.Add(phoneUnlinkAfter)
	c.log.Warn().Time("phone_last_seen", seen).Time("unlink_around", deadline).
		Msg("the service phone has not been online for 10 days; WhatsApp unlinks the bot after about 14: open WhatsApp on it")
	text := fmt.Sprintf(msgStaffPhoneAbsent, seen.In(wib).Format("02-01-2006"), deadline.In(wib).Format("02-01-2006"))
	c.tellStaff(ctx, text)
	for g := range c.groups {
		c.reply(ctx, storage.ChatAddr{Channel: Name, ID: g.String()}, text)
	}
}
