package flows

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
	"github.com/laporbansos/laporbansos/storage/postgres"
	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// Registry rows used by the transcripts. All NIKs are structurally valid Banyuwangi NIKs.
const testRegistryCSV = "nik;nama;program;periode;status\n" +
	"3510091203850001;Siti Wahyuni;PKH;2026 Tahap 3;Sudah Salur\n" +
	"3510091203850001;Siti Wahyuni;BPNT;2026 Tahap 3;Belum Salur\n" +
	"3510014505900003;Budi Santoso;BLT Desa;2026;Sudah Salur\n"

const (
	nikFree  = "3510091506800004" // valid, not a recipient
	nikFree2 = "3510095507750005" // valid (female), not a recipient
	nikRecip = "3510091203850001" // recipient of PKH and BPNT
	nikOut   = "3201011506800006" // valid, issued in Kab. Bogor
)

var (
	citizenChat = storage.ChatAddr{Channel: "test", ID: "warga-1"}
	staffChat   = storage.ChatAddr{Channel: "test", ID: "grup-staf"}
	staffDM     = storage.ChatAddr{Channel: "test", ID: "staf-1"}
	staffActor  = storage.Actor{Channel: "test", ID: "staf-1", Name: "Bu Rina"}
	staffActor2 = storage.Actor{Channel: "test", ID: "staf-2", Name: "Pak Joko"}
)

// harnessStore is either backend: bbolt by default, PostgreSQL with LAPOR_TEST_BACKEND=postgres.
type harnessStore interface {
	storage.Store
	Close() error
}

// harness is a real engine over real bbolt files in a temp dir, with a clock the test moves.
type harness struct {
	t      testing.TB
	dir    string
	db     harnessStore
	file   *bolt.DB // the bbolt store; nil on PostgreSQL (LAPOR_TEST_BACKEND=postgres)
	pgURL  string   // the PostgreSQL test database, kept across restarts
	reg    *registry.Registry
	engine *Engine

	noSync bool // fuzzing: the store's durability is tested elsewhere, the dialogue logic here
	photos bool // the engine asks for evidence photos (withPhotos), also after a restart

	mu  sync.Mutex
	now time.Time
}

func newHarness(t testing.TB) *harness { return newHarnessSync(t, false) }

func newHarnessSync(t testing.TB, noSync bool) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), now: time.Date(2026, 11, 22, 3, 0, 0, 0, time.UTC), noSync: noSync}
	h.reg = &registry.Registry{Dir: h.dir, Log: zerolog.Nop()}
	if err := h.reg.Open(); err != nil {
		t.Fatal(err)
	}
	if _, err := h.reg.ImportReader(context.Background(), strings.NewReader(testRegistryCSV), "test", registry.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	h.open()
	t.Cleanup(func() {
		h.db.Close()
		h.reg.Close()
	})
	return h
}

func (h *harness) clock() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

func (h *harness) advance(d time.Duration) {
	h.mu.Lock()
	h.now = h.now.Add(d)
	h.mu.Unlock()
}

// open (re)opens the store, as a restarted process would.
func (h *harness) open() {
	h.t.Helper()
	if pgtest.Backend() == "postgres" {
		if h.pgURL == "" {
			h.pgURL = pgtest.NewDatabase(h.t)
		}
		db := postgres.New(h.pgURL)
		db.Now = h.clock
		if err := db.Open(context.Background()); err != nil {
			h.t.Fatal(err)
		}
		h.db = db
	} else {
		h.file = bolt.NewDB(filepath.Join(h.dir, "laporbansos.db"))
		h.file.Now = h.clock
		h.file.NoSync = h.noSync
		if err := h.file.Open(); err != nil {
			h.t.Fatal(err)
		}
		h.db = h.file
	}
	area, err := NewArea("35.10", nil)
	if err != nil {
		h.t.Fatal(err)
	}
	h.engine = &Engine{
		Store: h.db, Registry: h.reg, Area: area, StaffChats: []storage.ChatAddr{staffChat},
		Now: h.clock, Log: zerolog.Nop(), Agency: "Dinas Sosial Kabupaten Banyuwangi",
		Retention: "2 tahun", VerifySLA: 3 * time.Hour, DeliverySLA: 12 * time.Hour,
		SessionTTL: 2 * time.Hour, CheckLimit: 10, Photos: h.photos,
	}
}

func (h *harness) restart() {
	h.t.Helper()
	if err := h.db.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.open()
}

func (h *harness) citizen(text string) []Reply {
	return h.send(Message{Chat: citizenChat, From: storage.Actor{Channel: "test", ID: "warga-1", Name: "Warga"}, Text: text})
}

func (h *harness) send(m Message) []Reply {
	h.t.Helper()
	out, err := h.engine.Handle(context.Background(), m)
	if err != nil {
		h.t.Fatalf("Handle(%q): %v", m.Text, err)
	}
	return out
}

func (h *harness) staff(text string) []Reply {
	return h.send(Message{Chat: staffChat, From: staffActor, Text: text, StaffChat: true, Authorized: true, Private: staffDM})
}

// render flattens replies the way a text channel would show them, one block per reply, with
// the recipient first: "[test:warga-1] text / 1) option / [Layak] LAYAK …".
func render(rs []Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString("[" + r.To.Key() + "] " + PlainText(r.Text, "*", "*") + "\n")
		for i, c := range r.Choices {
			b.WriteString("  " + strconv.Itoa(i+1) + ") " + c.Label + "\n")
		}
		for _, a := range r.Actions {
			b.WriteString("  [" + a.Label + "] " + a.Data + "\n")
		}
	}
	return b.String()
}

// transcript runs a script. Lines:
//
//	> text        the citizen sends text ("> " alone sends an empty message)
//	>[photo]      the citizen sends a non-text message of that kind
//	@> text       an authorised staff member writes in the staff chat
//	!> text       a staff-chat member who is not authorised writes
//	< fragment    some reply to the last input contains fragment
//	<! fragment   no reply to the last input contains fragment
//	<0            the last input got no reply at all
//	~ 3h          the clock moves on
//	restart       the store is closed and reopened
//	# …           a comment
func (h *harness) transcript(script string) {
	h.t.Helper()
	var last string
	var lastIn string
	for n, raw := range strings.Split(script, "\n") {
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case line == "restart":
			h.restart()
		case strings.HasPrefix(line, "~ "):
			d, err := time.ParseDuration(strings.TrimPrefix(line, "~ "))
			if err != nil {
				h.t.Fatalf("line %d: %v", n+1, err)
			}
			h.advance(d)
		case strings.HasPrefix(line, ">["):
			kind := strings.TrimSuffix(strings.TrimPrefix(line, ">["), "]")
			lastIn = line
			last = render(h.send(Message{Chat: citizenChat, From: storage.Actor{Channel: "test", ID: "warga-1"}, NonText: kind}))
		case strings.HasPrefix(line, ">"):
			lastIn = line
			last = render(h.citizen(strings.TrimPrefix(strings.TrimPrefix(line, ">"), " ")))
		case strings.HasPrefix(line, "@> "):
			lastIn = line
			last = render(h.staff(strings.TrimPrefix(line, "@> ")))
		case strings.HasPrefix(line, "@2> "):
			lastIn = line
			last = render(h.send(Message{Chat: staffChat, From: staffActor2, Text: strings.TrimPrefix(line, "@2> "), StaffChat: true, Authorized: true, Private: storage.ChatAddr{Channel: "test", ID: "staf-2"}}))
		case strings.HasPrefix(line, "!> "):
			lastIn = line
			last = render(h.send(Message{Chat: staffChat, From: storage.Actor{Channel: "test", ID: "666", Name: "Penyusup"}, Text: strings.TrimPrefix(line, "!> "), StaffChat: true}))
		case line == "<0":
			if last != "" {
				h.t.Fatalf("line %d: after %q want no reply, got:\n%s", n+1, lastIn, last)
			}
		case strings.HasPrefix(line, "<! "):
			if frag := strings.TrimPrefix(line, "<! "); strings.Contains(last, frag) {
				h.t.Fatalf("line %d: after %q the replies must not contain %q:\n%s", n+1, lastIn, frag, last)
			}
		case strings.HasPrefix(line, "< "):
			if frag := strings.TrimPrefix(line, "< "); !strings.Contains(last, frag) {
				h.t.Fatalf("line %d: after %q want a reply containing %q, got:\n%s", n+1, lastIn, frag, last)
			}
		default:
			h.t.Fatalf("line %d: bad script line %q", n+1, line)
		}
	}
}
