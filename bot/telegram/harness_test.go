package telegram

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/flows"
	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
	"github.com/laporbansos/laporbansos/storage/postgres"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// The cast: a staff group with two members, an outsider in it, and citizens.
const (
	staffChat  int64 = -100123
	staffChat2 int64 = -100456
	staffAna   int64 = 501
	staffBudi  int64 = 502
	outsider   int64 = 777
	citizen    int64 = 1001

	nikRecipient = "3510091203850001" // in the registry: auto-rejected
	nikFresh     = "3510091506800004" // not in the registry
)

const registryCSV = "nik;nama;program;periode;status\n" + nikRecipient + ";Slamet Widodo;PKH;2025-Q4;Sudah Salur\n"

// fastLimits keep the pacing rules but make them quick enough for tests.
var fastLimits = bot.Limits{PerChat: 5 * time.Millisecond, Global: time.Millisecond, PerGroup: 10 * time.Millisecond, FirstBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}

// envStore is either backend: bbolt by default, PostgreSQL with LAPOR_TEST_BACKEND=postgres.
type envStore interface {
	storage.Store
	Close() error
}

type env struct {
	t      *testing.T
	fake   *fakeAPI
	dir    string
	reg    *registry.Registry
	db     envStore
	pgURL  string // the PostgreSQL test database (LAPOR_TEST_BACKEND=postgres), kept across restarts
	engine *flows.Engine
	sender *bot.Sender
	disp   *bot.Dispatcher
	ch     *Channel
	opt    Options
	// photoDir is the bbolt store's PhotoDir; photos says the engine takes photos
	// (envConfig.photos). With PostgreSQL the photos are in the database.
	photoDir string
	photos   bool
	// wrap, when set, runs at the end of open: the crash test puts its kill points in.
	wrap func(e *env)
	// digestBacklog is the sender's DigestBacklog (0: its default).
	digestBacklog time.Duration

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type envConfig struct {
	staffUsers []int64
	limits     *bot.Limits
	noSender   bool // the test drives the sender with Flush
	noRun      bool // the test does not poll (webhook tests)
	photos     bool // the engine stores photos (in the store: bbolt under dir/photos)
	// pgURL puts the state in this PostgreSQL database whatever LAPOR_TEST_BACKEND says: tests
	// of several instances sharing one.
	pgURL string
	// digestBacklog sets the sender's DigestBacklog (burst tests under scaled limits).
	digestBacklog time.Duration
}

func newEnv(t *testing.T, cfg envConfig) *env {
	t.Helper()
	e := &env{t: t, fake: newFakeAPI(t), dir: t.TempDir(), digestBacklog: cfg.digestBacklog, pgURL: cfg.pgURL}
	e.photos = cfg.photos
	if cfg.photos && pgtest.Backend() != "postgres" && cfg.pgURL == "" {
		e.photoDir = filepath.Join(e.dir, "photos")
	}
	e.fake.members[[2]int64{staffChat, staffAna}] = "member"
	e.fake.members[[2]int64{staffChat, staffBudi}] = "administrator"
	e.fake.members[[2]int64{staffChat2, staffBudi}] = "member"
	e.reg = &registry.Registry{Dir: e.dir}
	if err := e.reg.Open(); err != nil {
		t.Fatal(err)
	}
	if _, err := e.reg.ImportReader(context.Background(), strings.NewReader(registryCSV), "test", registry.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.reg.Close() })
	if cfg.limits == nil {
		cfg.limits = &fastLimits
	}
	e.opt = Options{
		Token: e.fake.token, APIURL: e.fake.url(), StaffChats: []int64{staffChat, staffChat2}, StaffUsers: cfg.staffUsers,
		Limits: cfg.limits, PollTimeout: time.Second, MaxBackoff: 200 * time.Millisecond, Log: zerolog.Nop(),
	}
	e.open()
	t.Cleanup(e.stop)
	if !cfg.noRun {
		e.start(!cfg.noSender)
	}
	return e
}

// open opens the store and builds the engine, sender, dispatcher and channel on it.
func (e *env) open() {
	t := e.t
	t.Helper()
	if pgtest.Backend() == "postgres" || e.pgURL != "" {
		if e.pgURL == "" {
			e.pgURL = pgtest.NewDatabase(t)
		}
		db := postgres.New(e.pgURL)
		if err := db.Open(context.Background()); err != nil {
			t.Fatal(err)
		}
		e.db = db
	} else {
		db := bolt.NewDB(filepath.Join(e.dir, "bot.db"))
		db.PhotoDir = filepath.Join(e.dir, "photos")
		if err := db.Open(); err != nil {
			t.Fatal(err)
		}
		e.db = db
	}
	area, err := flows.NewArea("35.10", nil)
	if err != nil {
		t.Fatal(err)
	}
	e.engine = &flows.Engine{
		Store: e.db, Registry: e.reg, Area: area, StaffChats: []storage.ChatAddr{Addr(staffChat), Addr(staffChat2)},
		Agency: "Dinas Sosial", Retention: "2 tahun", VerifySLA: 3 * time.Hour, DeliverySLA: 12 * time.Hour,
		SessionTTL: 2 * time.Hour, CheckLimit: 10, Log: zerolog.Nop(), Photos: e.photos,
	}
	e.sender = &bot.Sender{Outbox: e.db, Channels: map[string]bot.Channel{}, Log: zerolog.Nop(), DigestBacklog: e.digestBacklog}
	e.disp = &bot.Dispatcher{Engine: e.engine, Sender: e.sender, Log: zerolog.Nop()}
	opt := e.opt
	opt.DB = e.db
	opt.Wake = e.sender.Wake
	e.ch, err = New(opt)
	if err != nil {
		t.Fatal(err)
	}
	e.sender.Channels[Name] = e.ch
	if e.wrap != nil {
		e.wrap(e)
	}
}

func (e *env) start(withSender bool) {
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.wg.Add(1)
	go func() { defer e.wg.Done(); _ = e.ch.Run(ctx, e.disp) }()
	if withSender {
		e.wg.Add(1)
		go func() { defer e.wg.Done(); _ = e.sender.Run(ctx) }()
	}
}

// stop ends the goroutines and closes the store (safe to call twice).
func (e *env) stop() {
	if e.cancel != nil {
		e.cancel()
		e.wg.Wait()
		e.cancel = nil
	}
	if e.db != nil {
		e.db.Close()
		e.db = nil
	}
}

// restart is a process restart: everything but the files and the fake server is new.
func (e *env) restart(withSender bool) {
	e.stop()
	e.open()
	e.start(withSender)
}

func (e *env) flush() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.sender.Flush(ctx, time.Second); err != nil {
		e.t.Fatal(err)
	}
}

var reportNo = regexp.MustCompile(`LB-\d{4}-\d{4}`)

// report plays a citizen reporting themselves through buttons and returns the report number.
func (e *env) report(chat int64, nik string) string {
	e.t.Helper()
	return e.reportAs(e.t, chat, nik)
}

// reportAs is report for a test or subtest of its own (the load test's parallel citizens).
func (e *env) reportAs(t testing.TB, chat int64, nik string) string {
	t.Helper()
	f := e.fake
	n := len(f.sent(chat))
	step := func(do func(), want string) {
		t.Helper()
		n = len(f.sent(chat))
		do()
		f.waitTextT(t, chat, n, want)
	}
	step(func() { f.text(chat, chat, "/start") }, "Silakan pilih layanan")
	press := func(label string) func() { return func() { f.pressT(t, chat, chat, label) } }
	step(press("Lapor warga butuh bantuan"), "Siapa yang ingin Anda laporkan")
	step(press("Diri sendiri"), "Ketik NIK")
	step(func() { f.text(chat, chat, nik) }, "nama lengkap")
	step(func() { f.text(chat, chat, "Siti Aminah") }, "alamat lengkap")
	step(func() { f.text(chat, chat, "Dusun Krajan RT 02 RW 03") }, "Pilih kecamatan")
	step(press("Genteng"), "Pilih desa")
	step(func() { e.pressFirst(t, chat) }, "alasan utama")
	step(press("Lansia"), "nomor HP")
	step(func() { f.contact(chat, "+6281234567890") }, "Kirim laporan ini?")
	step(press("Kirim"), "Laporan diterima")
	// The pressed card's edit (the choice made) may land after the confirmation.
	sent := f.sent(chat)
	for i := len(sent) - 1; i >= 0; i-- {
		if strings.Contains(sent[i].Text, "Laporan diterima") {
			if id := reportNo.FindString(sent[i].Text); id != "" {
				return id
			}
		}
	}
	t.Fatalf("no report number in %q", sent[len(sent)-1].Text)
	return ""
}

// pressFirst presses the first button of the chat's newest keyboard.
func (e *env) pressFirst(t testing.TB, chat int64) {
	t.Helper()
	m, data := e.fake.button(chat, func(string) bool { return true })
	if m == nil {
		t.Fatalf("no keyboard in chat %d", chat)
	}
	e.fake.callback(chat, chat, m.ID, data)
}

// posted returns the staff message posted for report in chat.
func (e *env) posted(chat int64, report string) *fakeMsg {
	e.t.Helper()
	return e.fake.waitText(chat, 0, "LAPORAN BARU "+report)
}

func (e *env) status(id string) storage.Status {
	e.t.Helper()
	r, err := e.db.Report(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r.Status
}
