package telegram

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/bot"
)

// reportSteps is how many messages or presses a citizen's report takes (see env.reportAs).
const reportSteps = 11

// TestLoad drives N citizens at once through a whole report against the fake server and
// reports dialogue steps/s and the outbound rate, checking the pacing rules held throughout.
//
//	go test ./bot/telegram -run TestLoad -v                                  # 20 citizens, limits ÷10
//	LAPOR_LOAD_CITIZENS=200 LAPOR_LOAD_REAL_LIMITS=1 go test ./bot/telegram -run TestLoad -v -timeout 10m
func TestLoad(t *testing.T) {
	n := 20
	if v, err := strconv.Atoi(os.Getenv("LAPOR_LOAD_CITIZENS")); err == nil && v > 0 {
		n = v
	}
	// Telegram's limits divided by 10, unless asked for the real ones.
	limits := bot.Limits{PerChat: 100 * time.Millisecond, Global: 3400 * time.Microsecond, PerGroup: 300 * time.Millisecond}
	if os.Getenv("LAPOR_LOAD_REAL_LIMITS") == "1" {
		limits = bot.Limits{PerChat: time.Second, Global: 34 * time.Millisecond, PerGroup: 3 * time.Second}
	}
	e := newEnv(t, envConfig{limits: &limits})
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(chat int64, nik string) {
			defer wg.Done()
			e.reportAs(goroutineTB{t}, chat, nik)
		}(int64(10000+i), "35100915068"+fmt.Sprintf("%05d", 10+i))
	}
	wg.Wait()
	took := time.Since(start)
	if t.Failed() {
		return
	}

	// Everything the sender sent (the direct edits that answer a press are not paced by it).
	var sends []*fakeMsg
	e.fake.mu.Lock()
	for _, m := range e.fake.log {
		if m.Method == "sendMessage" || m.Method == "sendDocument" || m.Chat < 0 {
			sends = append(sends, m)
		}
	}
	e.fake.mu.Unlock()
	sort.Slice(sends, func(i, j int) bool { return sends[i].At.Before(sends[j].At) })
	const slack = 3 * time.Millisecond // the fake stamps on arrival; requests overlap in flight
	last := map[int64]time.Time{}
	window, maxIn := 30*limits.Global, 0
	for i, m := range sends {
		gap := limits.PerChat
		if m.Chat < 0 {
			gap = limits.PerGroup
		}
		if l, ok := last[m.Chat]; ok && m.At.Sub(l) < gap-slack {
			t.Errorf("chat %d written to %v after the previous message (limit %v)", m.Chat, m.At.Sub(l), gap)
		}
		last[m.Chat] = m.At
		j := i
		for j < len(sends) && sends[j].At.Sub(m.At) < window {
			j++
		}
		maxIn = max(maxIn, j-i)
	}
	if maxIn > 31 {
		t.Errorf("%d messages within %v: more than 30 per 30×Global", maxIn, window)
	}
	rate := float64(len(sends)) / took.Seconds()
	t.Logf("%d citizens, %d dialogue steps in %v: %.1f steps/s; %d messages sent: %.1f msg/s (global cap %.0f/s), busiest %v window held %d",
		n, n*reportSteps, took.Round(time.Millisecond), float64(n*reportSteps)/took.Seconds(), len(sends), rate, float64(time.Second)/float64(limits.Global), window, maxIn)
}

// goroutineTB lets a helper that may call Fatal run on a goroutine of its own: Fatal marks the
// test failed (Errorf is safe anywhere) and ends only that goroutine.
type goroutineTB struct{ testing.TB }

func (g goroutineTB) Fatalf(format string, args ...any) {
	g.Errorf(format, args...)
	runtime.Goexit()
}

func (g goroutineTB) Fatal(args ...any) {
	g.Error(args...)
	runtime.Goexit()
}
