package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage/postgres/pgtest"
)

// chatBotAPI is a Bot API that records every text sent, per chat.
type chatBotAPI struct {
	srv  *httptest.Server
	mu   sync.Mutex
	sent map[string][]string // chat_id → texts
	// getUpdates, when set, answers getUpdates (set before the bot starts).
	getUpdates http.HandlerFunc
}

func newChatBotAPI(t *testing.T) *chatBotAPI {
	b := &chatBotAPI{sent: map[string][]string{}}
	var msgID int
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		_ = r.ParseForm()
		switch method {
		case "getMe":
			fmt.Fprint(w, `{"ok":true,"result":{"id":123,"is_bot":true,"first_name":"Lapor","username":"lapor_bot"}}`)
		case "getUpdates":
			if b.getUpdates == nil {
				fmt.Fprint(w, `{"ok":true,"result":[]}`)
				return
			}
			b.getUpdates(w, r)
		case "sendMessage":
			b.mu.Lock()
			chat := r.Form.Get("chat_id")
			b.sent[chat] = append(b.sent[chat], r.Form.Get("text"))
			msgID++
			id := msgID
			b.mu.Unlock()
			fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"date":1,"chat":{"id":%s,"type":"private"},"text":"x"}}`, id, chat)
		default:
			fmt.Fprint(w, `{"ok":true,"result":true}`)
		}
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *chatBotAPI) texts(chat string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.sent[chat]...)
}

var receivedNo = regexp.MustCompile(`Laporan diterima dengan nomor \*?(LB-\d{4}-\d{4})`)

// Two instances share one PostgreSQL database behind a "load balancer" that alternates webhook
// calls between them; one is killed in the middle of the citizens' dialogues and the one left
// finishes them, a call the dead one took being delivered again. Every citizen still gets
// exactly one report number, each number names one stored report, and no message is sent twice.
func TestTwoInstancesOnePostgreSQL(t *testing.T) {
	leadEvery = 100 * time.Millisecond
	t.Cleanup(func() { leadEvery = 2 * time.Second })
	dbURL := pgtest.NewDatabase(t)
	api := newChatBotAPI(t)
	root, err := os.MkdirTemp("", "two")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(root)
	csvPath := filepath.Join(root, "dtks.csv")
	if err := os.WriteFile(csvPath, []byte("NIK;Nama;Program;Periode;Status\n3510091203850001;Siti Wahyuni;PKH;2026 Tahap 3;Sudah Salur\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	type instance struct {
		addr   string
		cancel context.CancelFunc
		done   chan struct{}
	}
	start := func(name string) *instance {
		addr := freeAddr(t)
		env := map[string]string{
			"LAPOR_DATA_DIR": filepath.Join(root, name), "LAPOR_DATABASE_URL": dbURL,
			"LAPOR_TELEGRAM_API_URL": api.srv.URL, "LAPOR_TELEGRAM_TOKEN": "123:abc", "LAPOR_TELEGRAM_STAFF_CHATS": "-100",
			"LAPOR_HTTP_LISTEN": addr, "LAPOR_TELEGRAM_WEBHOOK_LISTEN": addr,
			"LAPOR_TELEGRAM_WEBHOOK_URL": "http://127.0.0.1:9/telegram/webhook", "LAPOR_TELEGRAM_WEBHOOK_SECRET": "lb-secret",
			"LAPOR_LOG_LEVEL": "error",
		}
		if code, _, errOut := runMain(t, env, "", "registry", "import", csvPath); code != 0 {
			t.Fatalf("registry import: %s", errOut)
		}
		ctx, cancel := context.WithCancel(context.Background())
		in := &instance{addr: addr, cancel: cancel, done: make(chan struct{})}
		go func() {
			defer close(in.done)
			m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return env[k] }}
			m.Run(ctx, []string{"serve"})
		}()
		waitUntil(t, name+" listening", func() bool {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				resp.Body.Close()
			}
			return err == nil
		})
		return in
	}
	a, b := start("a"), start("b")
	defer func() {
		for _, in := range []*instance{a, b} {
			in.cancel()
			<-in.done
		}
	}()

	script := []string{"halo", "1", "1", "", "Sumarni", "Dusun Krajan RT 02 RW 03", "Genteng", "Kembiritan", "lansia", "081234567890", "kirim"}
	const citizens = 6
	update := 0
	deliver := func(in *instance, chat int, text string) int {
		update++
		body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"first_name":"Warga"},"text":%q}}`,
			update, update, chat, chat, text)
		req, _ := http.NewRequest(http.MethodPost, "http://"+in.addr+"/telegram/webhook", strings.NewReader(body))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "lb-secret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("webhook: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("webhook answered %d", resp.StatusCode)
		}
		return update
	}
	redeliver := func(in *instance, id, chat int, text string) {
		body := fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"date":1,"chat":{"id":%d,"type":"private"},"from":{"id":%d,"first_name":"Warga"},"text":%q}}`,
			id, id, chat, chat, text)
		req, _ := http.NewRequest(http.MethodPost, "http://"+in.addr+"/telegram/webhook", strings.NewReader(body))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "lb-secret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("webhook: %v", err)
		}
		resp.Body.Close()
	}
	type call struct {
		id, chat int
		text     string
	}
	var lostWithA []call
	alive := []*instance{a, b}
	turn := 0
	for step, text := range script {
		if step == len(script)/2 {
			// a dies mid-dialogue; the balancer sends everything to b from now on, and
			// delivers again the last call a took (its answer was lost with it).
			a.cancel()
			<-a.done
			alive = []*instance{b}
			for _, r := range lostWithA {
				redeliver(b, r.id, r.chat, r.text)
			}
		}
		for c := range citizens {
			chat := 7000 + c
			if text == "" {
				text = fmt.Sprintf("35100915068000%02d", 11+c)
			}
			in := alive[turn%len(alive)]
			turn++
			id := deliver(in, chat, text)
			if step == len(script)/2-1 && in == a {
				lostWithA = append(lostWithA, call{id, chat, text})
			}
			if script[step] == "" {
				text = ""
			}
		}
	}
	numbers := map[string]int{}
	for c := range citizens {
		chat := fmt.Sprint(7000 + c)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("chat %s:\n%s", chat, strings.Join(api.texts(chat), "\n---\n"))
			}
		})
		// Telegram's pacing (a second per chat) makes this the slow part.
		waitLong(t, "a report number in chat "+chat, func() bool {
			for _, s := range api.texts(chat) {
				if receivedNo.MatchString(s) {
					return true
				}
			}
			return false
		})
	}
	time.Sleep(300 * time.Millisecond) // room for a wrong second number
	for c := range citizens {
		chat := fmt.Sprint(7000 + c)
		got := 0
		seen := map[string]bool{}
		for _, s := range api.texts(chat) {
			if m := receivedNo.FindStringSubmatch(s); m != nil {
				got++
				numbers[m[1]]++
			}
			if seen[s] && !strings.HasPrefix(s, "Maaf") {
				t.Errorf("chat %s was sent the same message twice: %q", chat, s)
			}
			seen[s] = true
		}
		if got != 1 {
			t.Errorf("chat %s got %d report numbers, want 1:\n%s", chat, got, strings.Join(api.texts(chat), "\n---\n"))
		}
	}
	if len(numbers) != citizens {
		t.Errorf("%d different numbers for %d citizens: %v", len(numbers), citizens, numbers)
	}
	// Each number told names a stored report, and no report was stored without one.
	_, out, errOut := runMain(t, map[string]string{"LAPOR_DATA_DIR": filepath.Join(root, "b"), "LAPOR_DATABASE_URL": dbURL}, "", "reports", "list")
	stored := regexp.MustCompile(`LB-\d{4}-\d{4}`).FindAllString(out, -1)
	if len(stored) != citizens {
		t.Errorf("%d reports stored for %d citizens:\n%s%s", len(stored), citizens, out, errOut)
	}
	for _, id := range stored {
		if numbers[id] != 1 {
			t.Errorf("stored report %s was told %d times", id, numbers[id])
		}
	}
}

func waitLong(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Two serve instances with WhatsApp on and no linked device: the session is the shared one in
// PostgreSQL, so only the leader waits for a link and the staff are told once, not once per
// instance; no instance holds the session lock meanwhile, so whatsapp login (here: groups,
// which needs no phone) works beside them, on the shared session.
func TestInstancesWaitForOneWhatsAppLink(t *testing.T) {
	// Long enough that a loaded machine's slow ping does not end a term: each new term would
	// log and tell again (as each restart does with the bbolt file).
	leadEvery = 500 * time.Millisecond
	t.Cleanup(func() { leadEvery = 2 * time.Second })
	dbURL := pgtest.NewDatabase(t)
	api := &botAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	root := t.TempDir()
	type instance struct {
		stderr syncBuffer
		cancel context.CancelFunc
		done   chan struct{}
	}
	env := func(name string) map[string]string {
		return map[string]string{
			"LAPOR_DATA_DIR": filepath.Join(root, name), "LAPOR_DATABASE_URL": dbURL,
			"LAPOR_TELEGRAM_TOKEN": "123:TEST", "LAPOR_TELEGRAM_API_URL": srv.URL, "LAPOR_TELEGRAM_STAFF_CHATS": "-1001",
			"LAPOR_WHATSAPP": "1", "LAPOR_WHATSAPP_STAFF_GROUPS": "120363000000000001@g.us",
			"LAPOR_HTTP_LISTEN": "off", "LAPOR_LOG_LEVEL": "warn",
		}
	}
	var all []*instance
	for _, name := range []string{"a", "b"} {
		ctx, cancel := context.WithCancel(context.Background())
		in := &instance{cancel: cancel, done: make(chan struct{})}
		e := env(name)
		go func() {
			defer close(in.done)
			m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &in.stderr, Getenv: func(k string) string { return e[k] }}
			m.Run(ctx, []string{"serve"})
		}()
		all = append(all, in)
	}
	defer func() {
		for _, in := range all {
			in.cancel()
			<-in.done
		}
	}()
	told := func() int {
		n := 0
		for _, s := range api.sentTo("-1001") {
			if strings.Contains(s, "whatsapp login") {
				n++
			}
		}
		return n
	}
	waitLong(t, "the staff told WhatsApp waits for a link", func() bool { return told() > 0 })
	time.Sleep(time.Second) // room for a second instance's telling
	if n := told(); n != 1 {
		t.Errorf("staff told %d times, want once:\n%s", n, strings.Join(api.sentTo("-1001"), "\n---\n"))
	}
	waiting := 0
	for _, in := range all {
		waiting += strings.Count(in.stderr.String(), "waits for a linked device")
	}
	if waiting != 1 {
		t.Errorf("%d log lines about waiting for a link, want 1 (the leader's)", waiting)
	}
	code, _, errOut := runMain(t, env("c"), "", "whatsapp", "groups")
	if code == 0 || !strings.Contains(errOut, "no linked device") {
		t.Errorf("whatsapp groups beside the serving instances: exit %d: %s", code, errOut)
	}
	for _, name := range []string{"a", "b", "c"} {
		if _, err := os.Stat(filepath.Join(root, name, "whatsapp.db")); err == nil {
			t.Errorf("instance %s created a session file", name)
		}
	}
}
