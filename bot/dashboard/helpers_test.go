package dashboard

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
	"github.com/laporbansos/laporbansos/storage/bolt"
)

// testNow is Friday 27 November 2026, 14:00 WIB; its week began Monday the 23rd.
var testNow = time.Date(2026, 11, 27, 14, 0, 0, 0, wib)

const (
	testVerifySLA   = 3 * time.Hour
	testDeliverySLA = 12 * time.Hour
	testPassword    = "rahasia-dinas-123"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type fixture struct {
	t   *testing.T
	clk *clock
	db  *bolt.DB
	reg *registry.Registry
	h   *Handler
	srv *httptest.Server
}

// newFixture opens a store and a real registry (a small CSV imported) in a temp dir, creates the
// accounts "pemantau" (viewer) and "kepala" (supervisor), and serves the dashboard over TLS, so
// that Secure cookies travel as they do in production.
func newFixture(t *testing.T, pageSize int) *fixture {
	t.Helper()
	dir := t.TempDir()
	clk := &clock{t: testNow}
	db := bolt.NewDB(filepath.Join(dir, "bot.db"))
	db.Now = clk.Now
	if err := db.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	reg := &registry.Registry{Dir: dir, Now: func() time.Time { return testNow.Add(-26 * time.Hour) }, Log: zerolog.Nop()}
	if err := reg.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	csv := "NIK;Nama;Program;Periode;Status\n3510091203850001;Siti Wahyuni;PKH;2026 Tahap 3;Sudah Salur\n3510091203850002;Ahmad;BPNT;2026 Tahap 3;Sudah Salur\n"
	if _, err := reg.ImportReader(context.Background(), strings.NewReader(csv), "dtks-banyuwangi.csv", registry.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, role := range map[string]storage.Role{"pemantau": storage.RoleViewer, "kepala": storage.RoleSupervisor} {
		hash, err := HashPassword(testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.PutUser(context.Background(), storage.User{Name: name, Role: role, Hash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	h := New(db, reg, Config{Agency: "Dinas Sosial Kabupaten Banyuwangi", VerifySLA: testVerifySLA,
		DeliverySLA: testDeliverySLA, PageSize: pageSize}, clk.Now, zerolog.Nop())
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	return &fixture{t: t, clk: clk, db: db, reg: reg, h: h, srv: srv}
}

// seedSpec is one report to create: when, where, and what staff did after how long.
type seedSpec struct {
	Kind      storage.Kind
	Name      string
	Kecamatan string
	Created   time.Time
	Decide    storage.Status // "": left submitted
	DecideIn  time.Duration
	DeliverIn time.Duration // 0: not delivered
	Auto      bool          // auto-rejected (registry hit)
}

var kecamatans = []string{"Genteng", "Rogojampi", "Srono", "Glenmore", "Kalibaru"}
var names = []string{"Sumarni", "Budi Hartono", "Siti Aminah", "Wahyudi", "Dewi Lestari", "Agus Salim",
	"Rina Wati", "Joko Susilo", "Nur Hasanah", "Slamet Riyadi", "Yuliana", "Bambang"}

// demoSpecs is a deterministic mix over two and a half weeks: some decided on time, some late,
// some still waiting (overdue or not), some delivered, a few sanggah and auto-rejections.
func demoSpecs(n int) []seedSpec {
	var out []seedSpec
	for i := 0; i < n; i++ {
		s := seedSpec{
			Kind:      storage.KindReport,
			Name:      names[i%len(names)],
			Kecamatan: kecamatans[(i*i+i/3)%len(kecamatans)],
			Created:   testNow.Add(-time.Duration(i)*7*time.Hour - 30*time.Minute),
		}
		switch i % 6 {
		case 0: // waiting: overdue unless within the last 3 hours
		case 1:
			s.Decide, s.DecideIn, s.DeliverIn = storage.StatusEligible, 2*time.Hour, 10*time.Hour
		case 2:
			s.Decide, s.DecideIn = storage.StatusIneligible, 5*time.Hour
		case 3:
			s.Decide, s.DecideIn = storage.StatusEligible, time.Hour
		case 4:
			s.Decide, s.DecideIn, s.DeliverIn = storage.StatusEligible, 4*time.Hour, 20*time.Hour
		case 5:
			s.Auto = true
		}
		if i%7 == 3 {
			s.Kind, s.Decide, s.DeliverIn, s.Auto = storage.KindSanggah, storage.StatusDismissed, 0, false
			s.DecideIn = 2 * time.Hour
		}
		out = append(out, s)
	}
	slices.Reverse(out) // oldest first, so numbers follow time
	return out
}

// seed creates the reports, moving the store's clock to each event, and puts it back to now.
func (f *fixture) seed(specs []seedSpec) []*storage.Report {
	f.t.Helper()
	ctx := context.Background()
	staff := storage.Actor{Channel: "telegram", ID: "777", Name: "Petugas Andi"}
	var out []*storage.Report
	for i, s := range specs {
		if s.Kind == "" {
			s.Kind = storage.KindReport
		}
		f.clk.Set(s.Created)
		r := &storage.Report{
			Kind: s.Kind, Status: storage.StatusSubmitted, NIK: fmt.Sprintf("35100915068%05d", i+1),
			Name: s.Name, Address: "Dusun Krajan RT 01", Desa: "Kembiritan", Kecamatan: s.Kecamatan,
			Reason: "lansia", Phone: fmt.Sprintf("6281234%05d", i+1),
			From: storage.ChatAddr{Channel: "whatsapp", ID: fmt.Sprintf("6281234%05d", i+1)},
		}
		if s.Auto {
			r.Status, r.Programs = storage.StatusAutoRejected, []string{"PKH"}
		}
		if err := f.db.CreateReport(ctx, r); err != nil {
			f.t.Fatal(err)
		}
		if s.Decide != "" {
			f.clk.Set(s.Created.Add(s.DecideIn))
			if f.clk.Now().After(testNow) {
				f.clk.Set(testNow)
			} else {
				note := ""
				if s.Decide == storage.StatusIneligible || s.Decide == storage.StatusDismissed {
					note = "sudah mampu"
				}
				var err error
				if r, err = f.db.Transition(ctx, r.ID, s.Decide, staff, note); err != nil {
					f.t.Fatal(err)
				}
				if s.DeliverIn > 0 && !s.Created.Add(s.DeliverIn).After(testNow) {
					f.clk.Set(s.Created.Add(s.DeliverIn))
					if r, err = f.db.Transition(ctx, r.ID, storage.StatusDelivered, staff, ""); err != nil {
						f.t.Fatal(err)
					}
				}
			}
		}
		out = append(out, r)
	}
	f.clk.Set(testNow)
	return out
}

// client is a browser stand-in: TLS, a cookie jar, no automatic redirects.
func (f *fixture) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	c := *f.srv.Client() // a copy: the server's client is shared
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf returns the CSRF token of the page's first form.
func csrfOf(t *testing.T, body string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in page:\n%s", body)
	}
	return m[1]
}

func (f *fixture) get(c *http.Client, path string) (*http.Response, string) {
	f.t.Helper()
	resp, err := c.Get(f.srv.URL + path)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, string(b)
}

func (f *fixture) post(c *http.Client, path string, form url.Values) (*http.Response, string) {
	f.t.Helper()
	resp, err := c.PostForm(f.srv.URL+path, form)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, string(b)
}

// tryLogin loads the login page for its token and posts name and password; it returns the
// status of the POST.
func (f *fixture) tryLogin(c *http.Client, name, password string) int {
	f.t.Helper()
	_, body := f.get(c, "/login")
	resp, _ := f.post(c, "/login", url.Values{"csrf": {csrfOf(f.t, body)}, "nama": {name}, "sandi": {password}})
	return resp.StatusCode
}

// login returns a client logged in as name.
func (f *fixture) login(name string) *http.Client {
	f.t.Helper()
	c := f.client()
	if code := f.tryLogin(c, name, testPassword); code != http.StatusSeeOther {
		f.t.Fatalf("login %s: status %d", name, code)
	}
	return c
}
