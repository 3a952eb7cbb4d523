package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/laporbansos/laporbansos/storage"
)

// missedBucket holds, per chat, the reports whose news a citizen missed because they had
// blocked the bot when it was sent. Telegram and WhatsApp refuse such a message for good, so
// the sender drops it; this record is what survives, until the citizen writes again.
const missedBucket = "flows_missed"

// RememberMissed records the reports named by dropped replies to chat (decision notices and
// other news about a report), in the transaction that drops them. It returns how many reports
// the chat now has news pending for.
func RememberMissed(tx storage.Tx, chat storage.ChatAddr, dropped []Reply) (int, error) {
	ids, err := missed(tx, chat)
	if err != nil {
		return 0, err
	}
	n := len(ids)
	for _, r := range dropped {
		// Only a citizen's own news: staff posts and details are not the citizen's.
		if r.Report != "" && r.Event == "" && !slices.Contains(ids, r.Report) {
			ids = append(ids, r.Report)
		}
	}
	if len(ids) == n {
		return n, nil
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return 0, err
	}
	return len(ids), tx.Put(missedBucket, chat.Key(), b)
}

func missed(tx storage.Tx, chat storage.ChatAddr) ([]string, error) {
	b, err := tx.Get(missedBucket, chat.Key())
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	if err := json.Unmarshal(b, &ids); err != nil {
		return nil, fmt.Errorf("flows: missed news of %s: %w", chat.Channel, err)
	}
	return ids, nil
}

// returning runs a citizen's step and, when the citizen missed news while the bot was
// blocked, puts the current status of those reports and of their other open reports first, in
// the step's own transaction: the news is given once, with the answer to what they wrote.
func (e *Engine) returning(tx storage.Tx, m Message, step func() ([]Reply, error)) ([]Reply, error) {
	ids, err := missed(tx, m.Chat)
	if err != nil {
		return nil, err
	}
	out, err := step()
	if err != nil || len(ids) == 0 {
		return out, err
	}
	// The chat's own open reports too: they may have moved since, without a notice to lose.
	err = tx.ForEachReport(func(r *storage.Report) error {
		if r.From == m.Chat && !r.Status.Final() && !slices.Contains(ids, r.ID) {
			ids = append(ids, r.ID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var news []Reply
	for _, id := range ids {
		r, err := tx.Report(id)
		if errors.Is(err, storage.ErrNotFound) {
			continue // deleted after the retention period
		}
		if err != nil {
			return nil, err
		}
		news = append(news, Reply{To: m.Chat, Text: fmt.Sprintf(msgReturningNews, r.ID, statusLabel[string(r.Status)], stamp(storage.EnteredAt(r))), Report: r.ID})
	}
	if err := tx.Delete(missedBucket, m.Chat.Key()); err != nil {
		return nil, err
	}
	return append(news, out...), nil
}
