package telegram

import (
	"fmt"
	"math"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/storage"
)

// groupLimiter makes the fake as strict as Telegram with a group: at most max messages in any
// window to one group chat, else 429 with retry_after (whole seconds, rounded up). It counts
// the requests that came before a retry_after had passed. Its state is guarded by the fake's
// mutex (fail runs under it).
type groupLimiter struct {
	window     time.Duration
	max        int
	sends      map[int64][]time.Time
	retryUntil map[int64]time.Time
	refused    int
	early      int
}

func newGroupLimiter(window time.Duration, max int) *groupLimiter {
	return &groupLimiter{window: window, max: max, sends: map[int64][]time.Time{}, retryUntil: map[int64]time.Time{}}
}

func (g *groupLimiter) fail(method string, p url.Values) *fakeErr {
	switch method {
	case "sendMessage", "sendPhoto", "sendDocument", "editMessageText":
	default:
		return nil
	}
	chat, _ := strconv.ParseInt(p.Get("chat_id"), 10, 64)
	if chat >= 0 {
		return nil
	}
	now := time.Now()
	if now.Before(g.retryUntil[chat]) {
		g.early++
	}
	kept := g.sends[chat][:0]
	for _, t := range g.sends[chat] {
		if now.Sub(t) < g.window {
			kept = append(kept, t)
		}
	}
	g.sends[chat] = kept
	if len(kept) >= g.max {
		wait := g.window - now.Sub(kept[0])
		secs := int(math.Ceil(wait.Seconds()))
		g.retryUntil[chat] = now.Add(time.Duration(secs) * time.Second)
		g.refused++
		return &fakeErr{Code: 429, Desc: fmt.Sprintf("Too Many Requests: retry after %d", secs), RetryAfter: secs}
	}
	g.sends[chat] = append(kept, now)
	return nil
}

// fileBurst has n citizens report at once and returns their numbers and when the last one was
// filed (its confirmation reached the citizen).
func fileBurst(t *testing.T, e *env, n int) ([]string, time.Time) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ids []string
	var last time.Time
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(chat int64, nik string) {
			defer wg.Done()
			id := e.reportAs(goroutineTB{t}, chat, nik)
			mu.Lock()
			defer mu.Unlock()
			ids = append(ids, id)
			for _, m := range e.fake.sent(chat) {
				if strings.Contains(m.Text, "Laporan diterima") && m.At.After(last) {
					last = m.At
				}
			}
		}(int64(20000+i), "35100915068"+fmt.Sprintf("%05d", 10+i))
	}
	wg.Wait()
	return ids, last
}

// seenAt is when every report of ids had appeared in chat (a post or a digest), zero if not all.
func seenAt(f *fakeAPI, chat int64, ids []string) (time.Time, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	first := map[string]time.Time{}
	msgs := 0
	for _, m := range f.log {
		if m.Chat != chat || m.Method != "sendMessage" {
			continue
		}
		msgs++
		for _, id := range reportNo.FindAllString(m.Text, -1) {
			if _, ok := first[id]; !ok {
				first[id] = m.At
			}
		}
	}
	var all time.Time
	for _, id := range ids {
		at, ok := first[id]
		if !ok {
			return time.Time{}, msgs
		}
		if at.After(all) {
			all = at
		}
	}
	return all, msgs
}

func TestBurstDigest(t *testing.T) {
	limits := bot.Limits{PerChat: 5 * time.Millisecond, Global: time.Millisecond, PerGroup: 2 * time.Second, FirstBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}
	e := newEnv(t, envConfig{limits: &limits})
	ids, _ := fileBurst(t, e, 10)
	if t.Failed() {
		return
	}
	var seen time.Time
	var msgs int
	waitFor(t, 15*time.Second, "all reports seen in the staff chat", func() bool {
		seen, msgs = seenAt(e.fake, staffChat, ids)
		return !seen.IsZero()
	})
	if msgs > 4 {
		t.Errorf("%d messages for 10 reports in a burst: not merged", msgs)
	}
	// The digest: one row per report, its number on each button; pressing one decides that report.
	var digest *fakeMsg
	for _, m := range e.fake.sent(staffChat) {
		if strings.Contains(m.Text, "laporan baru (dirangkum") && (digest == nil || m.ID > digest.ID) {
			digest = m
		}
	}
	if digest == nil {
		t.Fatalf("no digest; staff chat:\n%s", e.fake.dump(staffChat, 5))
	}
	in := reportNo.FindAllString(digest.Text, -1)
	if len(in) < 2 || len(digest.keyboard()) != len(in) {
		t.Fatalf("digest of %d reports with %d rows", len(in), len(digest.keyboard()))
	}
	for i, row := range digest.keyboard() {
		short := in[i][len(in[i])-4:]
		if len(row) != 3 || !strings.HasSuffix(row[0].Text, short) || !strings.HasPrefix(row[0].Text, "Layak") {
			t.Errorf("row %d for %s: %+v", i, in[i], row)
		}
	}
	target := in[len(in)-1]
	digestText := digest.Text
	_, q := e.fake.pressT(t, staffChat, staffAna, "Layak "+target[len(target)-4:])
	waitFor(t, 5*time.Second, "decision", func() bool { return e.status(target) == storage.StatusEligible })
	e.fake.waitText(staffChat, 0, target+" dinyatakan LAYAK")
	if got := e.fake.current(staffChat, digest.ID).Text; got != digestText {
		t.Errorf("the digest was written over by one decision:\n%s", got)
	}
	if a := e.fake.answerOf(q); !strings.Contains(a.Get("text"), target) {
		t.Errorf("press answered %q", a.Get("text"))
	}
	// Acked with their bookkeeping in one commit: a restart sends none of them again.
	before := len(e.fake.sent(staffChat))
	e.restart(true)
	time.Sleep(300 * time.Millisecond)
	for _, m := range e.fake.sent(staffChat)[before:] {
		if strings.Contains(m.Text, "LAPORAN BARU") || strings.Contains(m.Text, "dirangkum") {
			t.Errorf("sent again after a restart: %q", m.Text)
		}
	}
}

// TestStaffBurst measures how long after the last of a burst of reports was filed the staff
// group has seen them all, under Telegram's group limit enforced by the fake (429 beyond 20 a
// minute) and checks no request came before a retry_after ran out.
//
//	go test ./bot/telegram -run TestStaffBurst -v                                       # limits ÷10
//	LAPOR_LOAD_REAL_LIMITS=1 go test ./bot/telegram -run TestStaffBurst -v -timeout 5m  # real limits
//
// LAPOR_BURST_NO_DIGEST=1 turns digests off, to measure the one-post-per-report baseline (the
// target is then not checked).
func TestStaffBurst(t *testing.T) {
	n, scale := 40, 10*time.Millisecond // limits ÷10 unless asked for the real ones
	if v, err := strconv.Atoi(os.Getenv("LAPOR_LOAD_CITIZENS")); err == nil && v > 0 {
		n = v
	}
	real := os.Getenv("LAPOR_LOAD_REAL_LIMITS") == "1"
	if real {
		scale = 100 * time.Millisecond
	}
	// Telegram: ~1 message a second to a chat, 30 a second in all, 20 a minute to a group.
	limits := bot.Limits{PerChat: 10 * scale, Global: scale / 3, PerGroup: 30 * scale}
	// 100×scale is bot.DefaultDigestBacklog under the real limits.
	backlog := 100 * scale
	noDigest := os.Getenv("LAPOR_BURST_NO_DIGEST") == "1"
	if noDigest {
		backlog = -1
	}
	e := newEnv(t, envConfig{limits: &limits, digestBacklog: backlog})
	g := newGroupLimiter(600*scale, 20)
	e.fake.mu.Lock()
	e.fake.fail = g.fail
	e.fake.mu.Unlock()
	start := time.Now()
	ids, last := fileBurst(t, e, n)
	if t.Failed() {
		return
	}
	target := 600 * scale // 60 s under the real limits
	var seen time.Time
	var msgs int
	waitFor(t, 6*target, "all reports seen by staff", func() bool {
		seen, msgs = seenAt(e.fake, staffChat, ids)
		return !seen.IsZero()
	})
	after := seen.Sub(last)
	if after < 0 {
		after = 0
	}
	e.fake.mu.Lock()
	refused, early := g.refused, g.early
	e.fake.mu.Unlock()
	sort.Strings(ids)
	t.Logf("%d reports filed in %v; staff group saw all %v after the last was filed (target %v) in %d messages; 429s %d, requests before retry_after %d (real limits: %v)",
		n, last.Sub(start).Round(time.Millisecond), after.Round(time.Millisecond), target, msgs, refused, early, real)
	if after > target && !noDigest {
		t.Errorf("staff saw the whole burst %v after the last report, want within %v", after, target)
	}
	if early > 0 {
		t.Errorf("%d requests before retry_after", early)
	}
}
