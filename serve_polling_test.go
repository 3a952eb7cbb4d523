package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// pollingBotAPI is a Bot API as strict as Telegram about long polling: a getUpdates that
// arrives while another is waiting ends the waiting one with 409 ("terminated by other
// getUpdates request"), and an update is delivered again until a later offset confirms it.
type pollingBotAPI struct {
	*chatBotAPI

	pmu       sync.Mutex
	updates   []string      // JSON of updates not yet confirmed
	waiting   chan struct{} // closed to end the poll now waiting with 409
	polls     int           // getUpdates calls
	conflicts int           // polls ended by another poll
}

func newPollingBotAPI(t *testing.T) *pollingBotAPI {
	b := &pollingBotAPI{chatBotAPI: newChatBotAPI(t)}
	b.chatBotAPI.getUpdates = b.poll
	return b
}

func (b *pollingBotAPI) poll(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.Atoi(r.Form.Get("offset"))
	mine := make(chan struct{})
	b.pmu.Lock()
	b.polls++
	if b.waiting != nil {
		close(b.waiting) // the other poll ends with a conflict, as on Telegram
		b.conflicts++
	}
	b.waiting = mine
	b.pmu.Unlock()
	defer func() {
		b.pmu.Lock()
		if b.waiting == mine {
			b.waiting = nil
		}
		b.pmu.Unlock()
	}()
	deadline := time.After(300 * time.Millisecond) // a short long poll keeps the test quick
	for {
		b.pmu.Lock()
		var out []string
		kept := b.updates[:0]
		for _, u := range b.updates {
			var id struct {
				UpdateID int `json:"update_id"`
			}
			_ = json.Unmarshal([]byte(u), &id)
			if id.UpdateID < offset {
				continue // confirmed by this offset: forgotten
			}
			kept = append(kept, u)
			out = append(out, u)
		}
		b.updates = kept
		b.pmu.Unlock()
		if len(out) > 0 {
			fmt.Fprintf(w, `{"ok":true,"result":[%s]}`, strings.Join(out, ","))
			return
		}
		select {
		case <-mine:
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, `{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}`)
			return
		case <-deadline:
			fmt.Fprint(w, `{"ok":true,"result":[]}`)
			return
		case <-r.Context().Done():
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (b *pollingBotAPI) push(id, chat int, text string) {
	b.pmu.Lock()
	defer b.pmu.Unlock()
	b.updates = append(b.updates, fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"first_name":"Warga"},"text":%q}}`,
		id, id, chat, chat, text))
}

func (b *pollingBotAPI) stats() (polls, conflicts int) {
	b.pmu.Lock()
	defer b.pmu.Unlock()
	return b.polls, b.conflicts
}

// Several instances in long-polling mode: only the leader polls (two pollers would end each
// other's getUpdates with 409 all day), and when it stops another one polls on from the shared
// offset. Every update is answered once.
func TestInstancesLongPollOneAtATime(t *testing.T) {
	leadEvery = 100 * time.Millisecond
	t.Cleanup(func() { leadEvery = 2 * time.Second })
	dbURL := pgtest.NewDatabase(t)
	api := newPollingBotAPI(t)
	root := t.TempDir()
	csvPath := filepath.Join(root, "dtks.csv")
	if err := os.WriteFile(csvPath, []byte("NIK;Nama;Program;Periode;Status\n3510091203850001;Siti Wahyuni;PKH;2026 Tahap 3;Sudah Salur\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	type instance struct {
		cancel context.CancelFunc
		done   chan struct{}
	}
	start := func(name string) *instance {
		env := map[string]string{
			"LAPOR_DATA_DIR": filepath.Join(root, name), "LAPOR_DATABASE_URL": dbURL,
			"LAPOR_TELEGRAM_API_URL": api.srv.URL, "LAPOR_TELEGRAM_TOKEN": "123:abc", "LAPOR_TELEGRAM_STAFF_CHATS": "-100",
			"LAPOR_LOG_LEVEL": "error",
		}
		if code, _, errOut := runMain(t, env, "", "registry", "import", csvPath); code != 0 {
			t.Fatalf("registry import: %s", errOut)
		}
		ctx, cancel := context.WithCancel(context.Background())
		in := &instance{cancel: cancel, done: make(chan struct{})}
		go func() {
			defer close(in.done)
			m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return env[k] }}
			m.Run(ctx, []string{"serve"})
		}()
		return in
	}
	stop := func(in *instance) {
		in.cancel()
		select {
		case <-in.done:
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop")
		}
	}
	a := start("a")
	defer stop(a)
	waitLong(t, "a to poll", func() bool { p, _ := api.stats(); return p > 0 })
	b := start("b") // waits: a leads
	defer stop(b)

	api.push(1, 501, "halo")
	menu := func(chat string) func() bool {
		return func() bool { return strings.Contains(strings.Join(api.texts(chat), "\n"), "Silakan pilih layanan") }
	}
	waitLong(t, "the answer to the first citizen", menu("501"))
	time.Sleep(time.Second) // both instances run for a while: several poll rounds
	if polls, conflicts := api.stats(); conflicts != 0 {
		t.Fatalf("%d of %d polls ended by another instance's poll: more than one instance polls", conflicts, polls)
	}

	stop(a) // the leader stops; b takes over from the shared offset
	api.push(2, 502, "halo")
	waitLong(t, "the answer to the second citizen, from b", menu("502"))
	time.Sleep(500 * time.Millisecond)
	for _, chat := range []string{"501", "502"} {
		got := strings.Join(api.texts(chat), "\n")
		if strings.Count(got, "Selamat datang") != 1 || strings.Count(got, "Silakan pilih layanan") != 1 {
			t.Errorf("chat %s got %q, want the welcome and the menu once", chat, got)
		}
	}
	if polls, conflicts := api.stats(); conflicts != 0 {
		t.Errorf("%d of %d polls ended by another instance's poll", conflicts, polls)
	}
}
