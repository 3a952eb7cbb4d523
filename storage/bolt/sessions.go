package bolt

import (
	"encoding/json"
	"fmt"
	"strings"
)

func chatKey(chat ChatAddr) ([]byte, error) {
	if chat.Channel == "" || chat.ID == "" {
		return nil, fmt.Errorf("%w: incomplete chat address %q", ErrInvalid, chat.Key())
	}
	return []byte(chat.Key()), nil
}

// Session returns the stored dialogue of chat, or ErrNotFound when the chat has none (a new
// chat, or one whose dialogue ended).
func (tx *boltTx) Session(chat ChatAddr) (*Session, error) {
	k, err := chatKey(chat)
	if err != nil {
		return nil, err
	}
	v := tx.bucket(bucketSessions).Get(k)
	if v == nil {
		return nil, fmt.Errorf("%w: session %s", ErrNotFound, chat.Channel)
	}
	var s Session
	if err := json.Unmarshal(v, &s); err != nil {
		return nil, fmt.Errorf("storage: decode session: %w", err)
	}
	return &s, nil
}

// PutSession stores chat's dialogue and stamps s.UpdatedAt with tx.Now(): the idle timeout counts
// from the last step that was saved.
func (tx *boltTx) PutSession(chat ChatAddr, s *Session) error {
	k, err := chatKey(chat)
	if err != nil {
		return err
	}
	if s == nil {
		return fmt.Errorf("%w: nil session", ErrInvalid)
	}
	s.UpdatedAt = tx.Now()
	v, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("storage: encode session: %w", err)
	}
	return tx.bucket(bucketSessions).Put(k, v)
}

// DeleteSession forgets chat's dialogue; deleting one that is not there is not an error.
func (tx *boltTx) DeleteSession(chat ChatAddr) error {
	k, err := chatKey(chat)
	if err != nil {
		return err
	}
	return tx.bucket(bucketSessions).Delete(k)
}

// ForEachSession calls fn for every stored dialogue, for example to find idle ones to expire.
// fn runs inside the transaction; collect and change sessions after it returns.
func (tx *boltTx) ForEachSession(fn func(chat ChatAddr, s *Session) error) error {
	return tx.bucket(bucketSessions).ForEach(func(k, v []byte) error {
		// Channel names have no ':'; ids (WhatsApp JIDs) may, so split at the first one.
		ch, id, _ := strings.Cut(string(k), ":")
		var s Session
		if err := json.Unmarshal(v, &s); err != nil {
			return fmt.Errorf("storage: decode session: %w", err)
		}
		return fn(ChatAddr{Channel: ch, ID: id}, &s)
	})
}
