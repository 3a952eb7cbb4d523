package registry

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

// memShared is the shared record of a deployment's registry versions, kept the way main's
// store-backed one keeps it: each instance's own, and the newest by import time.
type memShared struct {
	mu     sync.Mutex
	own    map[string]Version
	newest Version
}

func (m *memShared) Publish(_ context.Context, instance string, v Version) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.own == nil {
		m.own = map[string]Version{}
	}
	m.own[instance] = v
	if v.Newer(m.newest) {
		v.Instance = instance
		m.newest = v
	}
	return nil
}

func (m *memShared) Newest(context.Context) (Version, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.newest, nil
}

func (m *memShared) ownOf(instance string) Version {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.own[instance]
}

// Two instances, each with its own registry file and its own copy of the source. When one
// imports a new version, the other imports its copy as soon as that copy has it, not at its
// next hourly round, and says meanwhile that it is behind.
func TestSyncerFollowsAnotherInstancesImport(t *testing.T) {
	shared := &memShared{}
	dir := t.TempDir()
	type instance struct {
		name string
		src  string
		reg  *Registry
		s    *Syncer
	}
	v1 := "nik;nama;program\n" + testNIK + ";Siti;PKH\n"
	v2 := "nik;nama;program\n" + testNIK + ";Siti;BPNT\n"
	write := func(path, content string) {
		t.Helper()
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	mk := func(name string, every time.Duration) *instance {
		in := &instance{name: name, src: filepath.Join(dir, name+".csv")}
		write(in.src, v1)
		in.reg = &Registry{Dir: filepath.Join(dir, name), Log: zerolog.Nop()}
		if err := in.reg.Open(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { in.reg.Close() })
		in.s = &Syncer{Registry: in.reg, Source: in.src, Every: every, Watch: 10 * time.Millisecond, Shared: shared, Instance: name, Log: zerolog.Nop()}
		wg.Add(1)
		go func() { defer wg.Done(); in.s.Run(ctx) }()
		return in
	}
	a := mk("a", 10*time.Millisecond) // checks its source at once
	b := mk("b", time.Hour)           // would otherwise look again in an hour
	defer wg.Wait()
	defer cancel()
	program := func(r *Registry) string {
		p, err := r.Lookup(NIK(testNIK))
		if err != nil {
			return err.Error()
		}
		return p[0].Program
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	waitFor("both on v1, published", func() bool {
		return program(a.reg) == "PKH" && program(b.reg) == "PKH" && shared.ownOf("a").SHA256 != "" && shared.ownOf("b").SHA256 != ""
	})
	if shared.ownOf("a").SHA256 != shared.ownOf("b").SHA256 {
		t.Fatal("one source, two versions")
	}
	if v, _ := b.s.Behind(); v.SHA256 != "" {
		t.Fatalf("b behind %+v while in step", v)
	}

	write(a.src, v2) // the new export reached a's copy first
	waitFor("a on v2", func() bool { return program(a.reg) == "BPNT" })
	waitFor("b to see it is behind", func() bool { v, _ := b.s.Behind(); return v.SHA256 == a.reg.Meta().SHA256 })
	if v, since := b.s.Behind(); v.Instance != "a" || since.IsZero() {
		t.Errorf("behind = %+v since %v, want a's version and a time", v, since)
	}
	if program(b.reg) != "PKH" {
		t.Fatal("b changed registry before its copy of the source did")
	}

	start := time.Now()
	write(b.src, v2) // and now b's copy
	waitFor("b on v2", func() bool { return program(b.reg) == "BPNT" })
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("b took %v to follow, want about one watch round", took)
	}
	waitFor("b in step", func() bool { v, _ := b.s.Behind(); return v.SHA256 == "" })
	waitFor("b published v2", func() bool { return shared.ownOf("b").SHA256 == a.reg.Meta().SHA256 })
}

func TestVersionNewer(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		v, w Version
		want bool
	}{
		{"later, other content", Version{SHA256: "b", ImportedAt: t0.Add(time.Hour)}, Version{SHA256: "a", ImportedAt: t0}, true},
		{"same content imported later", Version{SHA256: "a", ImportedAt: t0.Add(time.Hour)}, Version{SHA256: "a", ImportedAt: t0}, false},
		{"earlier import", Version{SHA256: "b", ImportedAt: t0}, Version{SHA256: "a", ImportedAt: t0.Add(time.Hour)}, false},
		{"nothing imported", Version{}, Version{SHA256: "a", ImportedAt: t0}, false},
		{"first one", Version{SHA256: "a", ImportedAt: t0}, Version{}, true},
	}
	for _, c := range cases {
		if got := c.v.Newer(c.w); got != c.want {
			t.Errorf("%s: Newer = %v, want %v", c.name, got, c.want)
		}
	}
}
