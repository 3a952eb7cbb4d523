package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// recipSeen is one chat's recent lookups of registry recipients: hashes of the NIKs (never the
// NIKs) with when each was last looked up, and when staff were last alerted.
type recipSeen struct {
	Seen    map[string]int64 `json:"seen"`
	Alerted int64            `json:"alerted,omitempty"`
}

// NoteRecipientSeen is the scraping rule both backends store: it takes a chat's stored record
// (nil when none), adds nik at now, forgets lookups older than window, and returns the record to
// store, how many different recipients remain, and whether staff are to be alerted (the first
// time in a window that the count reaches threshold).
func NoteRecipientSeen(prev []byte, nik string, now time.Time, window time.Duration, threshold int) (next []byte, count int, alert bool, err error) {
	var rs recipSeen
	if prev != nil {
		if err := json.Unmarshal(prev, &rs); err != nil {
			return nil, 0, false, fmt.Errorf("storage: decode recipient lookups: %w", err)
		}
	}
	if rs.Seen == nil {
		rs.Seen = map[string]int64{}
	}
	cutoff := now.Add(-window).Unix()
	for h, t := range rs.Seen {
		if t <= cutoff {
			delete(rs.Seen, h)
		}
	}
	sum := sha256.Sum256([]byte(nik))
	rs.Seen[hex.EncodeToString(sum[:8])] = now.Unix()
	count = len(rs.Seen)
	if threshold > 0 && count >= threshold && rs.Alerted <= cutoff {
		alert = true
		rs.Alerted = now.Unix()
	}
	next, err = json.Marshal(rs)
	return next, count, alert, err
}
