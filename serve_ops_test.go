package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
)

// quietBotAPI answers the Bot API calls serve makes with success and no updates.
func quietBotAPI(t *testing.T) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		switch method {
		case "getMe":
			fmt.Fprint(w, `{"ok":true,"result":{"id":123,"is_bot":true,"first_name":"Lapor","username":"lapor_bot"}}`)
		case "getUpdates":
			select { // a long poll that finds nothing
			case <-r.Context().Done():
			case <-time.After(200 * time.Millisecond):
			}
			fmt.Fprint(w, `{"ok":true,"result":[]}`)
		default:
			fmt.Fprint(w, `{"ok":true,"result":true}`)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeOperations runs serve with the HTTP listener and rotating backups, and beside it the
// backup, restore and purge commands as an operator would.
func TestServeOperations(t *testing.T) {
	dir, err := os.MkdirTemp("", "serve") // short: the control socket path is limited
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	addr := freeAddr(t)
	env := map[string]string{
		"LAPOR_DATA_DIR": filepath.Join(dir, "data"), "LAPOR_TELEGRAM_API_URL": quietBotAPI(t).URL,
		"LAPOR_TELEGRAM_TOKEN": "123:abc", "LAPOR_TELEGRAM_STAFF_CHATS": "-100",
		"LAPOR_HTTP_LISTEN": addr, "LAPOR_BACKUP_DIR": filepath.Join(dir, "backups"), "LAPOR_LOG_LEVEL": "warn",
	}
	if code, _, errOut := runMain(t, env, reportScript, "console"); code != 0 {
		t.Fatal(errOut)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var serveErr bytes.Buffer
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &syncWriter{w: &serveErr}, Getenv: func(k string) string { return env[k] }}
		if code := m.Run(ctx, []string{"serve"}); code != 0 {
			t.Errorf("serve exit %d", code)
		}
	}()
	defer func() {
		cancel()
		wg.Wait()
	}()

	var health map[string]any
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			health = map[string]any{}
			_ = json.NewDecoder(resp.Body).Decode(&health)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && fmt.Sprint(health["channels"]) == "map[telegram:running]" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("healthz never became ok: %v %v", health, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `laporbansos_reports{kind="report",status="submitted"} 1`) {
		t.Errorf("/metrics does not count the filed report:\n%s", body)
	}

	// The dashboard shares the listener and asks for a login first.
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noRedirect.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Errorf("GET / = %d Location %q, want a redirect to /login", resp.StatusCode, loc)
	}

	// serve wrote a backup at start.
	backups, err := bolt.ListBackups(env["LAPOR_BACKUP_DIR"])
	for i := 0; (err != nil || len(backups) == 0) && i < 100; i++ {
		time.Sleep(20 * time.Millisecond)
		backups, err = bolt.ListBackups(env["LAPOR_BACKUP_DIR"])
	}
	if len(backups) != 1 {
		t.Fatalf("rotating backups: %v %v", backups, err)
	}

	// The operator's commands beside the running bot.
	hot := filepath.Join(dir, "hot.db")
	if code, out, errOut := runMain(t, env, "", "backup", hot); code != 0 || !strings.Contains(out, "the running bot") {
		t.Fatalf("backup while serving: exit %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runMain(t, env, "", "restore", hot); code != 1 || !strings.Contains(errOut, "stop it first") {
		t.Fatalf("restore while serving: exit %d %q", code, errOut)
	}
	if code, out, errOut := runMain(t, env, "", "purge", "--dry-run"); code != 0 || !strings.Contains(out, "would remove the personal data of 0 closed reports") {
		t.Fatalf("purge --dry-run while serving: exit %d %s %s", code, out, errOut)
	}
	if code, out, _ := runMain(t, env, "", "doctor"); !strings.Contains(out, "is open in the running bot") {
		t.Errorf("doctor while serving: exit %d\n%s", code, out)
	}
	cancel()
	wg.Wait()
	if _, err := os.Stat(filepath.Join(env["LAPOR_DATA_DIR"], bolt.ControlSocket)); !os.IsNotExist(err) {
		t.Error("control socket left behind")
	}
	// The hot copy holds the report.
	db := bolt.NewDB(hot)
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if rs, err := db.Reports(context.Background(), storage.ReportFilter{}); err != nil || len(rs) != 1 {
		t.Errorf("hot backup: %d reports, %v", len(rs), err)
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
