package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/storage"
)

// digester is the recorder that can merge posts, taking at most max of them, as a platform
// with a size limit does; it records what each digest held and the bookkeeping it asked for.
type digester struct {
	*recorder
	max     int
	digests [][]string
	failN   int // the first failN digests are refused with a 429
}

func (d *digester) SendDigest(ctx context.Context, to storage.ChatAddr, posts []flows.Reply) (int, Bookkeeping, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failN > 0 {
		d.failN--
		return 0, nil, &SendError{Err: errors.New("429"), RetryAfter: 20 * time.Millisecond}
	}
	n := min(len(posts), d.max)
	var ids []string
	for _, p := range posts[:n] {
		ids = append(ids, p.Report)
	}
	d.digests = append(d.digests, ids)
	d.sent = append(d.sent, sent{to, "digest " + strings.Join(ids, ","), time.Now()})
	return n, func(tx storage.Tx) error {
		for _, id := range ids {
			if err := tx.Put("test", "posted/"+id, []byte("digest")); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

func posts(to storage.ChatAddr, from, n int) []flows.Reply {
	var rs []flows.Reply
	for i := from; i < from+n; i++ {
		id := fmt.Sprintf("LB-2611-%04d", i)
		rs = append(rs, flows.Reply{To: to, Text: "LAPORAN BARU " + id, Report: id, Event: flows.EventStaffNew, Brief: id + " · Siti"})
	}
	return rs
}

func TestSenderDigestsABurst(t *testing.T) {
	group := storage.ChatAddr{Channel: "tg", ID: "-100"}
	isGroup := func(a storage.ChatAddr) bool { return strings.HasPrefix(a.ID, "-") }
	cases := []struct {
		name    string
		queued  []flows.Reply
		backlog time.Duration
		max     int
		failN   int
		want    [][]string // digests, in order
		singles int        // messages sent on their own
	}{
		{"a burst beyond the backlog is one digest", posts(group, 1, 6), time.Second, 30, 0,
			[][]string{{"LB-2611-0001", "LB-2611-0002", "LB-2611-0003", "LB-2611-0004", "LB-2611-0005", "LB-2611-0006"}}, 0},
		{"a digest holds what fits; the rest follow", posts(group, 1, 7), time.Second, 4, 0,
			[][]string{{"LB-2611-0001", "LB-2611-0002", "LB-2611-0003", "LB-2611-0004"}, {"LB-2611-0005", "LB-2611-0006", "LB-2611-0007"}}, 0},
		{"within the backlog: sent one by one", posts(group, 1, 2), 10 * time.Second, 30, 0, nil, 2},
		{"never when the backlog is negative", posts(group, 1, 5), -1, 30, 0, nil, 5},
		{"a 429 reschedules, then the whole run goes", posts(group, 1, 4), time.Second, 30, 1,
			[][]string{{"LB-2611-0001", "LB-2611-0002", "LB-2611-0003", "LB-2611-0004"}}, 0},
		{"an answer to a command goes first, then the posts as one digest", append(append(posts(group, 1, 3), flows.Reply{To: group, Text: "PENDING: …"}), posts(group, 4, 3)...), time.Second, 30, 0,
			[][]string{{"LB-2611-0001", "LB-2611-0002", "LB-2611-0003", "LB-2611-0004", "LB-2611-0005", "LB-2611-0006"}}, 1},
		{"a decision on a digested report waits for its post and ends the run", append(append(posts(group, 1, 3), flows.Reply{To: group, Text: "LB-2611-0002 LAYAK", Report: "LB-2611-0002", Event: flows.EventStaffDecided}), posts(group, 4, 3)...), time.Second, 30, 0,
			[][]string{{"LB-2611-0001", "LB-2611-0002", "LB-2611-0003"}, {"LB-2611-0004", "LB-2611-0005", "LB-2611-0006"}}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := openDB(t)
			ch := &digester{recorder: &recorder{name: "tg", limits: Limits{PerGroup: 500 * time.Millisecond, IsGroup: isGroup, FirstBackoff: 10 * time.Millisecond}}, max: tc.max, failN: tc.failN}
			s := &Sender{Outbox: db, Channels: map[string]Channel{"tg": ch}, DigestBacklog: tc.backlog}
			queueReplies(t, db, tc.queued...)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := s.Flush(ctx, time.Second); err != nil {
				t.Fatal(err)
			}
			ch.mu.Lock()
			got, all := ch.digests, len(ch.sent)
			ch.mu.Unlock()
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("digests %v, want %v", got, tc.want)
			}
			if singles := all - len(got); singles != tc.singles {
				t.Errorf("%d sent on their own, want %d", singles, tc.singles)
			}
			if p, _ := db.Pending(context.Background(), 0); len(p) != 0 {
				t.Errorf("%d left queued", len(p))
			}
			// Each digested report's bookkeeping was written with the ack.
			for _, d := range got {
				for _, id := range d {
					if v, err := db.Get(context.Background(), "test", "posted/"+id); err != nil || string(v) != "digest" {
						t.Errorf("%s: no bookkeeping (%v)", id, err)
					}
				}
			}
		})
	}
}
