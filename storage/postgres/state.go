package postgres

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/laporbansos/laporbansos/storage"
)

func chatKey(chat storage.ChatAddr) (string, error) {
	if chat.Channel == "" || chat.ID == "" {
		return "", fmt.Errorf("%w: incomplete chat address %q", storage.ErrInvalid, chat.Key())
	}
	return chat.Key(), nil
}

// parseChatKey reverses ChatAddr.Key: channel names hold no colon, chat ids may.
func parseChatKey(k string) storage.ChatAddr {
	ch, id, _ := strings.Cut(k, ":")
	return storage.ChatAddr{Channel: ch, ID: id}
}

func (tx *pgTx) Session(chat storage.ChatAddr) (*storage.Session, error) {
	k, err := chatKey(chat)
	if err != nil {
		return nil, err
	}
	var doc []byte
	err = tx.tx.QueryRow(tx.ctx, `SELECT doc FROM sessions WHERE chat = $1`, k).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: session", storage.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	var s storage.Session
	if err := json.Unmarshal(doc, &s); err != nil {
		return nil, fmt.Errorf("storage: decode session: %w", err)
	}
	return &s, nil
}

func (tx *pgTx) PutSession(chat storage.ChatAddr, s *storage.Session) error {
	k, err := chatKey(chat)
	if err != nil {
		return err
	}
	if s == nil {
		return fmt.Errorf("%w: nil session", storage.ErrInvalid)
	}
	s.UpdatedAt = tx.Now()
	doc, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("storage: encode session: %w", err)
	}
	_, err = tx.exec(`INSERT INTO sessions (chat, updated_at, doc) VALUES ($1, $2, $3)
		ON CONFLICT (chat) DO UPDATE SET updated_at = excluded.updated_at, doc = excluded.doc`, k, s.UpdatedAt, doc)
	return err
}

func (tx *pgTx) DeleteSession(chat storage.ChatAddr) error {
	k, err := chatKey(chat)
	if err != nil {
		return err
	}
	_, err = tx.exec(`DELETE FROM sessions WHERE chat = $1`, k)
	return err
}

func (tx *pgTx) ForEachSession(fn func(chat storage.ChatAddr, s *storage.Session) error) error {
	rows, err := tx.tx.Query(tx.ctx, `SELECT chat, doc FROM sessions ORDER BY chat`)
	if err != nil {
		return err
	}
	type row struct {
		chat storage.ChatAddr
		s    *storage.Session
	}
	var all []row
	for rows.Next() {
		var k string
		var doc []byte
		if err := rows.Scan(&k, &doc); err != nil {
			rows.Close()
			return err
		}
		var s storage.Session
		if err := json.Unmarshal(doc, &s); err != nil {
			rows.Close()
			return fmt.Errorf("storage: decode session: %w", err)
		}
		all = append(all, row{parseChatKey(k), &s})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range all {
		if err := fn(r.chat, r.s); err != nil {
			return err
		}
	}
	return nil
}

func (tx *pgTx) Get(bucket, key string) ([]byte, error) {
	var v []byte
	err := tx.tx.QueryRow(tx.ctx, `SELECT value FROM state WHERE bucket = $1 AND key = $2`, bucket, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s/%s", storage.ErrNotFound, bucket, key)
	}
	return v, err
}

func (tx *pgTx) Put(bucket, key string, v []byte) error {
	if v == nil {
		v = []byte{}
	}
	_, err := tx.exec(`INSERT INTO state (bucket, key, value) VALUES ($1, $2, $3)
		ON CONFLICT (bucket, key) DO UPDATE SET value = excluded.value`, bucket, key, v)
	return err
}

func (tx *pgTx) Delete(bucket, key string) error {
	_, err := tx.exec(`DELETE FROM state WHERE bucket = $1 AND key = $2`, bucket, key)
	return err
}

// ForEachState walks bucket in bytewise key order, as bbolt does.
func (tx *pgTx) ForEachState(bucket string, fn func(key string, v []byte) error) error {
	rows, err := tx.tx.Query(tx.ctx, `SELECT key, value FROM state WHERE bucket = $1 ORDER BY key COLLATE "C"`, bucket)
	if err != nil {
		return err
	}
	type kv struct {
		k string
		v []byte
	}
	var all []kv
	for rows.Next() {
		var e kv
		if err := rows.Scan(&e.k, &e.v); err != nil {
			rows.Close()
			return err
		}
		all = append(all, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, e := range all {
		if err := fn(e.k, e.v); err != nil {
			return err
		}
	}
	return nil
}

func (tx *pgTx) MarkSeen(namespace, id string) (fresh bool, err error) {
	if id == "" {
		return false, fmt.Errorf("%w: empty id", storage.ErrInvalid)
	}
	tag, err := tx.exec(`INSERT INTO seen (ns, id, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, namespace, id, tx.Now())
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

func (tx *pgTx) PruneSeen(namespace string, olderThan time.Time) (int, error) {
	tag, err := tx.exec(`DELETE FROM seen WHERE ns = $1 AND at < $2`, namespace, olderThan)
	if err != nil {
		return 0, err
	}
	return int(tag.RowsAffected()), nil
}

// The lookup budget keeps storage/bolt's layout in the state table (bucket "lookup_budget"),
// so both backends spend and refuse alike; see storage/bolt/budget.go for why it looks so.
const budgetBucket = "lookup_budget"

func (tx *pgTx) SpendLookup(chat storage.ChatAddr, lim storage.LookupLimits) (storage.LookupGrant, error) {
	ck, err := chatKey(chat)
	if err != nil {
		return storage.LookupGrant{}, err
	}
	now := tx.Now()
	chatK := "chat/" + ck
	var times []int64
	if v, err := tx.Get(budgetBucket, chatK); err == nil {
		if err := json.Unmarshal(v, &times); err != nil {
			return storage.LookupGrant{}, fmt.Errorf("storage: decode lookup budget: %w", err)
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return storage.LookupGrant{}, err
	}
	dayAgo, hourAgo := now.Add(-24*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	kept := times[:0]
	for _, t := range times {
		if t > dayAgo {
			kept = append(kept, t)
		}
	}
	times = kept
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	var inHour []int64
	for i, t := range times {
		if t > hourAgo {
			inHour = times[i:]
			break
		}
	}
	if lim.ChatDay > 0 && len(times) >= lim.ChatDay {
		return storage.LookupGrant{Scope: storage.ScopeChatDay, Limit: lim.ChatDay, RetryAt: time.Unix(times[len(times)-lim.ChatDay], 0).Add(24 * time.Hour)}, nil
	}
	if lim.ChatHour > 0 && len(inHour) >= lim.ChatHour {
		return storage.LookupGrant{Scope: storage.ScopeChatHour, Limit: lim.ChatHour, RetryAt: time.Unix(inHour[len(inHour)-lim.ChatHour], 0).Add(time.Hour)}, nil
	}
	hour := now.UTC().Truncate(time.Hour)
	if lim.GlobalHour > 0 {
		// The global counter is one row every step would write: inside the step's SERIALIZABLE
		// transaction, 64 chats at once would mostly abort each other. It is counted on its own,
		// atomically, so a step that is then rolled back or re-run may spend one global lookup
		// more than bbolt would: the global limit is a flood guard, not an account.
		var count int64
		err := tx.db.side.QueryRow(tx.ctx, `INSERT INTO lookup_global (hour, n) VALUES ($1, 1)
			ON CONFLICT (hour) DO UPDATE SET n = lookup_global.n + 1 WHERE lookup_global.n < $2
			RETURNING n`, hour, lim.GlobalHour).Scan(&count)
		if errors.Is(err, pgx.ErrNoRows) {
			return storage.LookupGrant{Scope: storage.ScopeGlobal, Limit: lim.GlobalHour, RetryAt: hour.Add(time.Hour)}, nil
		}
		if err != nil {
			return storage.LookupGrant{}, err
		}
		if count == 1 {
			if _, err := tx.db.side.Exec(tx.ctx, `DELETE FROM lookup_global WHERE hour < $1`, hour); err != nil {
				return storage.LookupGrant{}, err
			}
		}
	}
	times = append(times, now.Unix())
	v, err := json.Marshal(times)
	if err != nil {
		return storage.LookupGrant{}, err
	}
	return storage.LookupGrant{Allowed: true}, tx.Put(budgetBucket, chatK, v)
}

func (tx *pgTx) NoteRecipientLookup(chat storage.ChatAddr, nik string, window time.Duration, threshold int) (count int, alert bool, err error) {
	ck, err := chatKey(chat)
	if err != nil {
		return 0, false, err
	}
	k := "recip/" + ck
	prev, err := tx.Get(budgetBucket, k)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return 0, false, err
	}
	v, count, alert, err := storage.NoteRecipientSeen(prev, nik, tx.Now(), window, threshold)
	if err != nil {
		return 0, false, err
	}
	return count, alert, tx.Put(budgetBucket, k, v)
}
