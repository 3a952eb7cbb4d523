package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/bot/console"
	"github.com/laporbansos/laporbansos/bot/web"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
)

// diskFullStore is the real store with a full disk injected: while full, every transaction
// runs, then fails to commit with ENOSPC and is rolled back, as bbolt does when its write of
// the pages or the meta page fails.
type diskFullStore struct {
	*bolt.DB
	full atomic.Bool
}

func (s *diskFullStore) Update(ctx context.Context, fn func(tx storage.Tx) error) error {
	return s.DB.Update(ctx, func(tx storage.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if s.full.Load() {
			return &os.PathError{Op: "write", Path: s.Path, Err: syscall.ENOSPC}
		}
		return nil
	})
}

// rig is the bot as serve wires it: real store, demo registry, flows, dispatcher and sender,
// the console channel (writing to out), and the web server with its hooks.
type rig struct {
	t      *testing.T
	db     *bolt.DB
	store  *diskFullStore
	reg    *registry.Registry
	disp   *bot.Dispatcher
	sender *bot.Sender
	srv    *web.Server
	ts     *httptest.Server
	out    *bytes.Buffer
}

func newRig(t *testing.T, demo bool) *rig {
	t.Helper()
	dir := t.TempDir()
	db := bolt.NewDB(filepath.Join(dir, "laporbansos.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	reg := &registry.Registry{Dir: dir, Log: zerolog.Nop()}
	if err := reg.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	if demo {
		if _, err := reg.LoadDemo(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	area, err := flows.NewArea("35.10", nil)
	if err != nil {
		t.Fatal(err)
	}
	store := &diskFullStore{DB: db}
	engine := &flows.Engine{
		Store: store, Registry: reg, Area: area, StaffChats: []storage.ChatAddr{console.StaffGroup},
		Log: zerolog.Nop(), Agency: "Dinas Sosial", Retention: "2 tahun",
		VerifySLA: 3 * time.Hour, DeliverySLA: 12 * time.Hour, SessionTTL: 2 * time.Hour, CheckLimit: 10,
	}
	r := &rig{t: t, db: db, store: store, reg: reg, out: &bytes.Buffer{}}
	r.srv = &web.Server{Store: store, Registry: reg, DataDir: dir, VerifySLA: 3 * time.Hour, DeliverySLA: 12 * time.Hour}
	h := r.srv.Handler()
	m := r.srv.Metrics
	r.sender = &bot.Sender{Outbox: db, Channels: map[string]bot.Channel{"console": &console.Channel{Out: r.out, ExportDir: dir}},
		Workers: 1, Log: zerolog.Nop(), Observe: m.ObserveSend}
	r.disp = &bot.Dispatcher{Engine: engine, Sender: r.sender, Log: zerolog.Nop(), Observe: m.ObserveStep}
	st := web.NewRunState(nil)
	st.Set("running")
	r.srv.Channel("console", st)
	r.ts = httptest.NewServer(h)
	t.Cleanup(r.ts.Close)
	return r
}

// say sends the citizen's lines through the dispatcher and flushes the replies.
func (r *rig) say(lines ...string) error {
	r.t.Helper()
	for _, line := range lines {
		m := flows.Message{Chat: console.Citizen, From: storage.Actor{Channel: "console", ID: "warga", Name: "Warga"}, Text: line}
		if err := r.disp.Handle(context.Background(), m); err != nil {
			return err
		}
	}
	if err := r.sender.Flush(context.Background(), 0); err != nil {
		r.t.Fatal(err)
	}
	return nil
}

// fileReport is the README's console report, up to "kirim".
var fileReport = []string{"halo", "1", "2", "3510091506800004", "Sumarni", "Dusun Krajan RT 02 RW 03",
	"Genteng", "Kembiritan", "lansia", "081234567890", "Budi Hartono", "tetangga", "kirim"}

func (r *rig) get(path string) (int, string) {
	r.t.Helper()
	resp, err := http.Get(r.ts.URL + path)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (r *rig) health() (int, web.Health) {
	r.t.Helper()
	code, body := r.get("/healthz")
	var h web.Health
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		r.t.Fatalf("healthz body %q: %v", body, err)
	}
	return code, h
}

// metric returns the value of one series in /metrics, or -1 when it is absent.
func (r *rig) metric(series string) float64 {
	r.t.Helper()
	_, body := r.get("/metrics")
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` ([0-9.e+-]+)$`)
	m := re.FindStringSubmatch(body)
	if m == nil {
		return -1
	}
	var v float64
	fmt.Sscan(m[1], &v)
	return v
}

func TestHealthz(t *testing.T) {
	t.Run("healthy", func(t *testing.T) {
		r := newRig(t, true)
		if err := r.say("halo"); err != nil {
			t.Fatal(err)
		}
		code, h := r.health()
		if code != http.StatusOK || h.Status != "ok" || len(h.Problems) != 0 {
			t.Fatalf("healthz = %d %+v", code, h)
		}
		if !h.Store.Writable || !h.Registry.Loaded || h.Registry.Rows == 0 || h.Registry.NIKs == 0 || h.Channels["console"] != "running" {
			t.Errorf("healthz = %+v", h)
		}
		if h.DiskFree == nil || *h.DiskFree == 0 {
			t.Error("disk free missing")
		}
		if h.Queue.Depth != 0 {
			t.Errorf("queue depth %d after a flush", h.Queue.Depth)
		}
	})
	t.Run("queue depth and age", func(t *testing.T) {
		r := newRig(t, true)
		r.sender.Channels = map[string]bot.Channel{} // the channel is down: replies stay queued
		if err := r.say("halo", "1"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		_, h := r.health()
		if h.Queue.Depth < 2 || h.Queue.OldestAgeSeconds < 0.01 {
			t.Errorf("queue = %+v, want the two replies, the oldest ≥ 20 ms", h.Queue)
		}
		if got := r.metric("laporbansos_queue_depth"); got != float64(h.Queue.Depth) {
			t.Errorf("laporbansos_queue_depth = %v, health says %d", got, h.Queue.Depth)
		}
	})
	t.Run("registry missing", func(t *testing.T) {
		r := newRig(t, false)
		code, h := r.health()
		if code != http.StatusServiceUnavailable || h.Registry.Loaded || !strings.Contains(strings.Join(h.Problems, ";"), "registry missing") {
			t.Fatalf("healthz = %d %+v, want 503 naming the registry", code, h)
		}
	})
	t.Run("another instance serves a newer registry", func(t *testing.T) {
		r := newRig(t, true)
		if r.metric("laporbansos_registry_behind_seconds") != -1 {
			t.Error("a single instance exports laporbansos_registry_behind_seconds")
		}
		lag := &fixedLag{}
		r.srv.RegistryLag = lag
		code, h := r.health()
		if code != http.StatusOK || h.Registry.Newer != nil || r.metric("laporbansos_registry_behind_seconds") != 0 {
			t.Fatalf("in step: healthz = %d %+v", code, h.Registry)
		}
		lag.v = registry.Version{SHA256: "f00d", ImportedAt: time.Now(), Instance: "host-b/42"}
		lag.since = time.Now().Add(-90 * time.Second)
		code, h = r.health()
		if code != http.StatusOK || h.Registry.Newer == nil || h.Registry.Newer.SHA256 != "f00d" || h.Registry.Newer.Instance != "host-b/42" || h.Registry.Newer.BehindSeconds < 90 {
			t.Fatalf("behind: healthz = %d %+v %+v; want 200 naming the newer version", code, h.Registry, h.Registry.Newer)
		}
		if got := r.metric("laporbansos_registry_behind_seconds"); got < 90 {
			t.Errorf("laporbansos_registry_behind_seconds = %v, want ≥ 90", got)
		}
	})
	t.Run("channel stopped", func(t *testing.T) {
		r := newRig(t, true)
		st := web.NewRunState(nil)
		st.Set("stopped")
		r.srv.Channel("whatsapp", st)
		_, h := r.health()
		if h.Channels["whatsapp"] != "stopped" {
			t.Errorf("channels = %v", h.Channels)
		}
		if r.metric(`laporbansos_channel_up{channel="whatsapp",state="stopped"}`) != 0 ||
			r.metric(`laporbansos_channel_up{channel="console",state="running"}`) != 1 {
			t.Error("laporbansos_channel_up does not follow the channel states")
		}
	})
}

func TestMetricsMoveWhenAReportIsFiled(t *testing.T) {
	r := newRig(t, true)
	submitted := `laporbansos_reports{kind="report",status="submitted"}`
	steps := `laporbansos_dialogue_steps_total{channel="console",result="ok"}`
	sent := `laporbansos_messages_total{channel="console",outcome="sent"}`
	if got := r.metric(submitted); got != 0 {
		t.Fatalf("%s = %v before any report", submitted, got)
	}
	if err := r.say(fileReport...); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.out.String(), "Laporan diterima") {
		t.Fatalf("the report was not filed:\n%s", r.out)
	}
	checks := []struct {
		series string
		want   float64
	}{
		{submitted, 1},
		{`laporbansos_reports{kind="sanggah",status="submitted"}`, 0},
		{steps, float64(len(fileReport))},
		{`laporbansos_dialogue_step_seconds_count{channel="console"}`, float64(len(fileReport))},
		{`laporbansos_sla_overdue{stage="verification"}`, 0},
		{`laporbansos_queue_depth`, 0},
		{`laporbansos_store_writable`, 1},
		{`laporbansos_registry_loaded`, 1},
		{`laporbansos_store_write_errors_total`, 0},
	}
	for _, c := range checks {
		if got := r.metric(c.series); got != c.want {
			t.Errorf("%s = %v, want %v", c.series, got, c.want)
		}
	}
	// Every reply and the staff post went out: at least one per step.
	if got := r.metric(sent); got < float64(len(fileReport)) {
		t.Errorf("%s = %v, want ≥ %d", sent, got, len(fileReport))
	}
	if got := r.metric("laporbansos_registry_rows"); got <= 0 {
		t.Errorf("laporbansos_registry_rows = %v", got)
	}
	// No NIK, phone or name anywhere in the exposition.
	_, body := r.get("/metrics")
	for _, secret := range []string{"3510091506800004", "081234567890", "6281234567890", "Sumarni", "Budi", "warga"} {
		if strings.Contains(body, secret) {
			t.Errorf("/metrics contains %q", secret)
		}
	}
}

// TestDiskFull: with the disk full, a citizen's message gets the outage notice (sent without
// writing), /healthz turns 503, the metric counts it, nothing stored changes; when space
// returns, the bot answers normally without a restart.
func TestDiskFull(t *testing.T) {
	r := newRig(t, true)
	if err := r.say(fileReport...); err != nil {
		t.Fatal(err)
	}
	id := regexp.MustCompile(`LB-\d{4}-\d{4}`).FindString(r.out.String())
	if id == "" {
		t.Fatalf("no report number in:\n%s", r.out)
	}
	snapshot := func() string {
		var b strings.Builder
		err := r.db.View(context.Background(), func(tx storage.Tx) error {
			err := tx.ForEachReport(func(rep *storage.Report) error {
				j, _ := json.Marshal(rep)
				b.Write(j)
				return nil
			})
			if err != nil {
				return err
			}
			s, err := tx.Session(console.Citizen)
			if err == nil {
				j, _ := json.Marshal(s)
				b.Write(j)
			}
			n, _, err := tx.QueueStats()
			fmt.Fprint(&b, n)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	stored := snapshot()

	r.store.full.Store(true)
	r.out.Reset()
	err := r.say("halo")
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Handle with the disk full = %v, want ENOSPC", err)
	}
	if !strings.Contains(r.out.String(), bot.MsgSystemDown) {
		t.Fatalf("the citizen was not told:\n%q", r.out)
	}
	// A second try at once is not answered again (the platform may redeliver).
	r.out.Reset()
	_ = r.say("2")
	if strings.Contains(r.out.String(), bot.MsgSystemDown) {
		t.Error("the outage notice was repeated within a minute")
	}
	code, h := r.health()
	if code != http.StatusServiceUnavailable || h.Store.Writable || !strings.Contains(h.Store.Error, "no space left") {
		t.Errorf("healthz with the disk full = %d %+v", code, h.Store)
	}
	if got := r.metric("laporbansos_store_write_errors_total"); got != 2 {
		t.Errorf("laporbansos_store_write_errors_total = %v, want 2", got)
	}
	if got := r.metric("laporbansos_store_writable"); got != 0 {
		t.Errorf("laporbansos_store_writable = %v, want 0", got)
	}
	if got := r.metric(`laporbansos_dialogue_steps_total{channel="console",result="error"}`); got != 2 {
		t.Errorf("error steps = %v, want 2", got)
	}
	if snapshot() != stored {
		t.Error("the store changed while the disk was full")
	}

	r.store.full.Store(false)
	r.out.Reset()
	if err := r.say("2", id); err != nil {
		t.Fatalf("after space returned: %v", err)
	}
	if strings.Contains(r.out.String(), bot.MsgSystemDown) || !strings.Contains(r.out.String(), id) {
		t.Errorf("after space returned the bot did not answer normally:\n%s", r.out)
	}
	code, h = r.health()
	if code != http.StatusOK || !h.Store.Writable {
		t.Errorf("healthz after space returned = %d %+v", code, h)
	}
	if got := r.metric("laporbansos_store_writable"); got != 1 {
		t.Errorf("laporbansos_store_writable = %v after recovery", got)
	}
	// The file itself is whole: a hot copy of it passes the page check.
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if _, err := r.db.BackupFile(copyPath); err != nil {
		t.Fatal(err)
	}
	if _, err := bolt.CheckFile(copyPath); err != nil {
		t.Errorf("store after the disk-full episode: %v", err)
	}
}

func TestHandleAfterRunPanics(t *testing.T) {
	srv := &web.Server{}
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := netListen()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	srv.Handle("GET /wacloud/webhook", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "mounted") }))
	go func() { done <- srv.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/wacloud/webhook")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "mounted" {
		t.Errorf("mounted handler answered %q", b)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("Handle after Serve did not panic")
			}
		}()
		srv.Handle("/late", http.NotFoundHandler())
	}()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve returned %v after shutdown", err)
	}
}

// fixedLag is a registry syncer's answer to Behind.
type fixedLag struct {
	v     registry.Version
	since time.Time
}

func (l *fixedLag) Behind() (registry.Version, time.Time) { return l.v, l.since }
