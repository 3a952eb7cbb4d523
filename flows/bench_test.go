package flows

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

// dialogueLoop is a Lapor dialogue up to the summary and back to the menu: every kind of step
// (menu, choice, NIK with registry lookup, free text, kecamatan/desa lists, phone, summary).
var dialogueLoop = []string{"1", "2", nikFree, "Sumarni", "Dusun Krajan RT 02 RW 03", "9", "1", "5",
	"Tidak punya pekerjaan tetap", "081234567890", "Budi", "tetangga", "batal"}

// BenchmarkDialogueStep measures one citizen message end to end: session read, FSM, registry
// lookup, session write and reply enqueued, committed with fsync. Reports steps/s and the
// p50/p99 latency of a step, with 1 and with 64 chats talking at once.
func BenchmarkDialogueStep(b *testing.B) {
	for _, chats := range []int{1, 64} {
		b.Run(fmt.Sprintf("chats=%d", chats), func(b *testing.B) {
			h := newHarness(b)
			ctx := context.Background()
			lat := make([][]time.Duration, chats)
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for c := 0; c < chats; c++ {
				n := b.N / chats
				if c < b.N%chats {
					n++
				}
				wg.Add(1)
				go func(c, n int) {
					defer wg.Done()
					chat := storage.ChatAddr{Channel: "bench", ID: fmt.Sprint(c)}
					lat[c] = make([]time.Duration, 0, n)
					for i := 0; i < n; i++ {
						t0 := time.Now()
						if _, err := h.engine.Handle(ctx, Message{Chat: chat, Text: dialogueLoop[i%len(dialogueLoop)]}); err != nil {
							b.Error(err)
							return
						}
						lat[c] = append(lat[c], time.Since(t0))
					}
				}(c, n)
			}
			wg.Wait()
			el := time.Since(start)
			b.StopTimer()
			all := slices.Concat(lat...)
			slices.Sort(all)
			if len(all) == 0 {
				return
			}
			b.ReportMetric(float64(len(all))/el.Seconds(), "steps/s")
			b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
