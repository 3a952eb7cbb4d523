package bolt

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSessionStep measures one dialogue step — read the session, change it, save it,
// queue one reply, committed to disk — with 1 and with 64 chats stepping at once. Group commit
// is what makes 64 concurrent chats cheap: they share fsyncs.
//
// Exactly N goroutines are started (rather than RunParallel's multiple of GOMAXPROCS) so the
// numbers mean the same on any machine. Reported: steps/s, p50-ms and p99-ms latency per step.
//
//	go test -run '^$' -bench BenchmarkSessionStep -benchtime 20000x ./storage/
func BenchmarkSessionStep(b *testing.B) {
	for _, writers := range []int{1, 64} {
		b.Run(fmt.Sprintf("goroutines=%d", writers), func(b *testing.B) {
			db := NewDB(filepath.Join(b.TempDir(), "bench.db"))
			if err := db.Open(); err != nil {
				b.Fatal(err)
			}
			defer db.Close()

			var next atomic.Int64
			lat := make([][]time.Duration, writers)
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for w := 0; w < writers; w++ {
				wg.Add(1)
				go func(w int) {
					defer wg.Done()
					chat := ChatAddr{Channel: "telegram", ID: fmt.Sprint(100000 + w)}
					for next.Add(1) <= int64(b.N) {
						t := time.Now()
						err := db.Update(ctx, func(tx Tx) error {
							s, err := tx.Session(chat)
							if errors.Is(err, ErrNotFound) {
								s, err = &Session{Flow: "lapor", State: "nik", Data: map[string]string{}}, nil
							}
							if err != nil {
								return err
							}
							s.Data["nama"] = "Siti Wahyuni"
							s.State = "alamat"
							if err := tx.PutSession(chat, s); err != nil {
								return err
							}
							return tx.Enqueue(&Outbound{To: chat, Payload: []byte(`{"text":"Alamat lengkap?"}`)})
						})
						if err != nil {
							b.Error(err)
							return
						}
						lat[w] = append(lat[w], time.Since(t))
					}
				}(w)
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()

			var all []time.Duration
			for _, l := range lat {
				all = append(all, l...)
			}
			sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
			pct := func(p float64) float64 {
				return float64(all[int(p*float64(len(all)-1))]) / float64(time.Millisecond)
			}
			b.ReportMetric(float64(len(all))/elapsed.Seconds(), "steps/s")
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
		})
	}
}
