package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/bot/dashboard"
	"github.com/laporbansos/laporbansos/config"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
)

func TestUsersCLI(t *testing.T) {
	env := map[string]string{"LAPOR_DATA_DIR": filepath.Join(t.TempDir(), "data")}
	for _, tc := range []struct {
		name    string
		stdin   string
		args    []string
		code    int
		out     string // in stdout
		errText string // in stderr
	}{
		{"add viewer", "sandi-rahasia-1\n", []string{"users", "add", "Operator", "--role", "viewer"}, 0, "", "account operator (viewer) added"},
		{"add supervisor, flag first", "sandi-rahasia-2", []string{"users", "add", "--role", "supervisor", "kepala"}, 0, "", "account kepala (supervisor) added"},
		{"add existing", "sandi-rahasia-3\n", []string{"users", "add", "kepala"}, 1, "", "exists"},
		{"short password", "pendek\n", []string{"users", "add", "budi"}, 1, "", "at least"},
		{"no password", "", []string{"users", "add", "budi"}, 1, "", "no password"},
		{"bad role", "sandi-rahasia-4\n", []string{"users", "add", "budi", "--role", "admin"}, 2, "", "--role"},
		{"bad name", "sandi-rahasia-4\n", []string{"users", "add", "budi santoso"}, 2, "", "account name"},
		{"two names", "", []string{"users", "add", "a", "b"}, 2, "", "takes 1"},
		{"list", "", []string{"users", "list"}, 0, "kepala               supervisor", ""},
		{"remove", "", []string{"users", "remove", "operator"}, 0, "", "account operator removed"},
		{"remove again", "", []string{"users", "remove", "operator"}, 1, "", "no account operator"},
		{"unknown", "", []string{"users", "rename"}, 2, "", "unknown users subcommand"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runMain(t, env, tc.stdin, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.errText) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
		})
	}
	// The store holds a hash that checks, never the password.
	db := bolt.NewDB(filepath.Join(env["LAPOR_DATA_DIR"], "laporbansos.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.User(context.Background(), "kepala")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := dashboard.CheckPassword(u.Hash, "sandi-rahasia-2"); !ok || err != nil || strings.Contains(u.Hash, "sandi") {
		t.Fatalf("stored hash %q does not check: %v", u.Hash, err)
	}
	if us, _ := db.Users(context.Background()); len(us) != 1 {
		t.Fatalf("accounts left: %+v", us)
	}
}

// dashboardHandler wires the configuration's SLAs and agency into the dashboard.
func TestDashboardHandlerWiring(t *testing.T) {
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"LAPOR_AGENCY": "Dinas Sosial Kabupaten Uji", "LAPOR_VERIFY_SLA": "2h"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{cfg: cfg, log: zerolog.Nop()}
	db := bolt.NewDB(filepath.Join(t.TempDir(), "bot.db"))
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewTLSServer(m.dashboardHandler(db, nil))
	defer srv.Close()
	c := srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("GET /: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	hash, err := dashboard.HashPassword("sandi-rahasia-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutUser(context.Background(), storage.User{Name: "kepala", Role: storage.RoleSupervisor, Hash: hash}); err != nil {
		t.Fatal(err)
	}
	c.Jar, _ = cookiejar.New(nil)
	login := get(t, c, srv.URL+"/login")
	if !strings.Contains(login, "Dinas Sosial Kabupaten Uji") {
		t.Fatalf("agency not on the login page")
	}
	token := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(login)
	if token == nil {
		t.Fatal("no CSRF token on the login page")
	}
	resp, err = c.PostForm(srv.URL+"/login", url.Values{"csrf": {token[1]}, "nama": {"kepala"}, "sandi": {"sandi-rahasia-1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if overview := get(t, c, srv.URL+"/"); !strings.Contains(overview, "Diputuskan ≤ 2 jam") || !strings.Contains(overview, "Registri belum diimpor") {
		t.Fatalf("overview does not use LAPOR_VERIFY_SLA=2h or the missing registry:\n%s", overview)
	}
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
