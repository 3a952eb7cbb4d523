package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage/postgres"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// Two instances compete for one duty: one leads, the other waits; when the leader's process
// dies (its database session ends, its code stops) the other takes over, and they never lead
// at the same time.
func TestLeadFailover(t *testing.T) {
	url := pgtest.NewDatabase(t)
	open := func() *postgres.DB {
		db := postgres.New(url)
		if err := db.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	a, b := open(), open()
	var mu sync.Mutex
	leading := map[string]bool{}
	var overlap bool
	var history []string
	duty := func(name string) func(ctx context.Context) {
		return func(ctx context.Context) {
			mu.Lock()
			for other, on := range leading {
				if on && other != name {
					overlap = true
				}
			}
			leading[name] = true
			history = append(history, name)
			mu.Unlock()
			<-ctx.Done()
			mu.Lock()
			leading[name] = false
			mu.Unlock()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	actx, aDies := context.WithCancel(ctx)
	wg.Go(func() { a.Lead(actx, "sender", 50*time.Millisecond, duty("a")) })
	waitFor(t, "a leads", func() bool { mu.Lock(); defer mu.Unlock(); return leading["a"] })
	wg.Go(func() { b.Lead(ctx, "sender", 50*time.Millisecond, duty("b")) })
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	if leading["b"] {
		t.Fatal("b leads while a holds the lock")
	}
	mu.Unlock()

	// a's process "dies": the server ends its session, which drops the lock.
	pgtest.KillLockHolders(t, url, 1)
	aDies() // and no code of it runs any more
	waitFor(t, "b takes over", func() bool { mu.Lock(); defer mu.Unlock(); return leading["b"] })
	mu.Lock()
	if overlap {
		t.Errorf("two instances led at once: %v", history)
	}
	if leading["a"] {
		t.Error("a still leads after losing its connection")
	}
	mu.Unlock()
	cancel()
	wg.Wait()
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
