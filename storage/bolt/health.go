package bolt

import (
	"encoding/json"
	"fmt"
	"time"
)

// QueueStats returns how many messages wait in the send queue and when the oldest of them was
// queued (zero when none), for the health check and metrics. It decodes one message only.
func (tx *boltTx) QueueStats() (depth int, oldest time.Time, err error) {
	b := tx.bucket(bucketOutbound)
	depth = b.Stats().KeyN
	k, v := b.Cursor().First()
	if k == nil {
		return depth, time.Time{}, nil
	}
	// Seq order is queue order, so the first entry is the oldest.
	var o struct {
		CreatedAt time.Time `json:"created_at"`
	}
	if err := json.Unmarshal(v, &o); err != nil {
		return depth, time.Time{}, fmt.Errorf("storage: decode outbound %d: %w", keyUint(k), err)
	}
	return depth, o.CreatedAt, nil
}
