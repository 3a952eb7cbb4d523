package dashboard

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

func TestEveryPageNeedsLogin(t *testing.T) {
	f := newFixture(t, 0)
	rs := f.seed(demoSpecs(3))
	c := f.client()
	// A forged session cookie is no better than none.
	u, _ := url.Parse(f.srv.URL)
	c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: newToken(), Path: "/"}})
	for _, tc := range []struct {
		name, method, path string
		want               int
	}{
		{"overview", "GET", "/", http.StatusSeeOther},
		{"list", "GET", "/laporan", http.StatusSeeOther},
		{"list filtered", "GET", "/laporan?status=submitted", http.StatusSeeOther},
		{"report", "GET", "/laporan/" + rs[0].ID, http.StatusSeeOther},
		{"audit", "GET", "/audit", http.StatusSeeOther},
		{"export", "GET", "/ekspor.csv", http.StatusSeeOther},
		{"unknown page", "GET", "/admin", http.StatusSeeOther},
		{"logout", "POST", "/logout", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var resp *http.Response
			var body string
			if tc.method == "POST" {
				resp, body = f.post(c, tc.path, url.Values{})
			} else {
				resp, body = f.get(c, tc.path)
			}
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if tc.want == http.StatusSeeOther && resp.Header.Get("Location") != "/login" {
				t.Fatalf("redirect to %q, want /login", resp.Header.Get("Location"))
			}
			if strings.Contains(body, rs[0].Name) || strings.Contains(body, rs[0].ID) {
				t.Fatalf("report data leaked without login:\n%s", body)
			}
		})
	}
	// The login page itself is public, and its cookie is locked down.
	resp, _ := f.get(c, "/login")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("login page: %d", resp.StatusCode)
	}
	setCookie := resp.Header.Get("Set-Cookie")
	for _, attr := range []string{"HttpOnly", "Secure", "SameSite=Strict"} {
		if !strings.Contains(setCookie, attr) {
			t.Errorf("login cookie %q lacks %s", setCookie, attr)
		}
	}
}

func TestLoginSessionCookieAndLogout(t *testing.T) {
	f := newFixture(t, 0)
	c := f.client()
	_, body := f.get(c, "/login")
	resp, _ := f.post(c, "/login", url.Values{"csrf": {csrfOf(t, body)}, "nama": {"Kepala"}, "sandi": {testPassword}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("login: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var sess *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == sessionCookie {
			sess = ck
		}
	}
	if sess == nil || !sess.HttpOnly || !sess.Secure || sess.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v: want HttpOnly, Secure, SameSite=Strict", sess)
	}
	resp, body = f.get(c, "/")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Ringkasan") {
		t.Fatalf("overview after login: %d", resp.StatusCode)
	}
	resp, _ = f.post(c, "/logout", url.Values{"csrf": {csrfOf(t, body)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	// The old token is dead on the server, not only forgotten by the browser.
	c2 := f.client()
	u, _ := url.Parse(f.srv.URL)
	c2.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: sess.Value, Path: "/"}})
	if resp, _ := f.get(c2, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session after logout: %d", resp.StatusCode)
	}
	// Idle sessions expire on the injected clock.
	c = f.login("kepala")
	f.clk.Set(testNow.Add(sessionIdle + time.Minute))
	if resp, _ := f.get(c, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("idle session: %d", resp.StatusCode)
	}
	// A removed account's session ends at its next request.
	f.clk.Set(testNow)
	c = f.login("pemantau")
	if err := f.db.DeleteUser(context.Background(), "pemantau"); err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.get(c, "/"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("removed account: %d", resp.StatusCode)
	}
}

func TestCSRFRefused(t *testing.T) {
	f := newFixture(t, 0)
	for _, tc := range []struct {
		name  string
		token func(page string) string
	}{
		{"missing", func(string) string { return "" }},
		{"wrong", func(string) string { return newToken() }},
		{"truncated", func(p string) string { return csrfOf(t, p)[:10] }},
	} {
		t.Run("login "+tc.name, func(t *testing.T) {
			c := f.client()
			_, page := f.get(c, "/login")
			resp, body := f.post(c, "/login", url.Values{"csrf": {tc.token(page)}, "nama": {"kepala"}, "sandi": {testPassword}})
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, msgCSRF) {
				t.Fatalf("status %d, want 403 with the CSRF message", resp.StatusCode)
			}
		})
		t.Run("logout "+tc.name, func(t *testing.T) {
			c := f.login("kepala")
			_, page := f.get(c, "/")
			resp, _ := f.post(c, "/logout", url.Values{"csrf": {tc.token(page)}})
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
			if resp, _ := f.get(c, "/"); resp.StatusCode != http.StatusOK {
				t.Fatalf("session ended by a forged logout: %d", resp.StatusCode)
			}
		})
	}
	// Another session's token does not do either.
	a, b := f.login("kepala"), f.login("pemantau")
	_, pageA := f.get(a, "/")
	if resp, _ := f.post(b, "/logout", url.Values{"csrf": {csrfOf(t, pageA)}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-session token: %d", resp.StatusCode)
	}
}

func TestRolesMaskAndAuditFullViews(t *testing.T) {
	f := newFixture(t, 0)
	rep := f.seed(demoSpecs(2))[1]
	ctx := context.Background()
	maskedNIK := registry.NIK(rep.NIK).Masked()
	for _, tc := range []struct {
		user      string
		nik, tel  string
		hidden    []string
		wantViews int
	}{
		{"pemantau", maskedNIK, maskPhone(rep.Phone), []string{rep.NIK, rep.Phone}, 0},
		{"kepala", rep.NIK, rep.Phone, nil, 1},
	} {
		t.Run(tc.user, func(t *testing.T) {
			c := f.login(tc.user)
			before, _ := f.db.Views(ctx, time.Time{}, 0)
			resp, body := f.get(c, "/laporan/"+strings.ToLower(rep.ID))
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if !strings.Contains(body, `id="nik">`+tc.nik+`<`) || !strings.Contains(body, `id="phone">`+tc.tel+`<`) {
				t.Fatalf("want NIK %s and phone %s on the page:\n%s", tc.nik, tc.tel, body)
			}
			for _, s := range tc.hidden {
				if strings.Contains(body, s) {
					t.Fatalf("page shows %s in full to a viewer", s)
				}
			}
			// The list never shows a NIK in full, whoever asks.
			if _, list := f.get(c, "/laporan"); strings.Contains(list, rep.NIK) || !strings.Contains(list, maskedNIK) {
				t.Fatalf("list shows the NIK unmasked or not at all")
			}
			after, _ := f.db.Views(ctx, time.Time{}, 0)
			if got := len(after) - len(before); got != tc.wantViews {
				t.Fatalf("%d views recorded, want %d", got, tc.wantViews)
			}
			if tc.wantViews > 0 {
				if v := after[0]; v.User != tc.user || v.Report != rep.ID || !v.At.Equal(testNow) {
					t.Fatalf("view recorded as %+v", v)
				}
				if _, audit := f.get(c, "/audit"); !strings.Contains(audit, "<td>kepala</td>") {
					t.Fatalf("audit page does not list the view")
				}
			}
		})
	}
	// A report that does not exist is a 404, and no view is recorded for it.
	c := f.login("kepala")
	before, _ := f.db.Views(ctx, time.Time{}, 0)
	if resp, _ := f.get(c, "/laporan/LB-2611-9999"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("missing report: %d", resp.StatusCode)
	}
	if after, _ := f.db.Views(ctx, time.Time{}, 0); len(after) != len(before) {
		t.Fatalf("a view of a missing report was recorded")
	}
}

var rowRe = regexp.MustCompile(`<a href="/laporan/([A-Z]{2}-\d{4}-\d{4})">`)

func listIDs(body string) []string {
	var ids []string
	for _, m := range rowRe.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func TestReportListFilters(t *testing.T) {
	f := newFixture(t, 1000)
	f.seed(demoSpecs(40))
	all, err := f.db.Reports(context.Background(), storage.ReportFilter{Newest: true})
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time { d, _ := time.ParseInLocation(time.DateOnly, s, wib); return d }
	for _, tc := range []struct {
		name  string
		query string
		keep  func(r *storage.Report) bool
	}{
		{"none", "", func(*storage.Report) bool { return true }},
		{"status", "status=submitted", func(r *storage.Report) bool { return r.Status == storage.StatusSubmitted }},
		{"kind", "jenis=sanggah", func(r *storage.Report) bool { return r.Kind == storage.KindSanggah }},
		{"kecamatan", "kecamatan=Srono", func(r *storage.Report) bool { return r.Kecamatan == "Srono" }},
		{"date range", "dari=2026-11-20&sampai=2026-11-24", func(r *storage.Report) bool {
			return !r.CreatedAt.Before(day("2026-11-20")) && r.CreatedAt.Before(day("2026-11-25"))
		}},
		{"overdue", "terlambat=1", func(r *storage.Report) bool {
			return r.Status == storage.StatusSubmitted && testNow.Sub(r.CreatedAt) > testVerifySLA ||
				r.Status == storage.StatusEligible && testNow.Sub(storage.EnteredAt(r)) > testDeliverySLA
		}},
		{"combined", "jenis=report&status=eligible&kecamatan=Genteng&terlambat=1", func(r *storage.Report) bool {
			return r.Kind == storage.KindReport && r.Status == storage.StatusEligible && r.Kecamatan == "Genteng" &&
				testNow.Sub(storage.EnteredAt(r)) > testDeliverySLA
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want []string
			for _, r := range all {
				if tc.keep(r) {
					want = append(want, r.ID)
				}
			}
			c := f.login("pemantau")
			resp, body := f.get(c, "/laporan?"+tc.query)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if got := listIDs(body); !slices.Equal(got, want) {
				t.Fatalf("got %v\nwant %v", got, want)
			}
			if !strings.Contains(body, `<span id="list-total">`+strconv.Itoa(len(want))+`</span>`) {
				t.Fatalf("total is not %d", len(want))
			}
		})
	}
	if len(all) < 30 {
		t.Fatalf("seed made only %d reports", len(all))
	}
	c := f.login("pemantau")
	for _, bad := range []string{"status=hilang", "jenis=x", "dari=27-11-2026", "hal=0", "hal=x"} {
		if resp, _ := f.get(c, "/laporan?"+bad); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad, resp.StatusCode)
		}
	}
}

func TestReportListPaging(t *testing.T) {
	f := newFixture(t, 10)
	rs := f.seed(demoSpecs(27))
	c := f.login("pemantau")
	var seen []string
	next := "/laporan?kecamatan=&terlambat="
	for page := 1; next != ""; page++ {
		_, body := f.get(c, next)
		ids := listIDs(body)
		if want := min(10, 27-(page-1)*10); len(ids) != want {
			t.Fatalf("page %d: %d rows, want %d", page, len(ids), want)
		}
		if !strings.Contains(body, "halaman "+strconv.Itoa(page)+" dari 3") {
			t.Fatalf("page %d: no 'halaman %d dari 3':\n%s", page, page, body)
		}
		seen = append(seen, ids...)
		next = ""
		if m := regexp.MustCompile(`href="(/laporan\?[^"]*)" id="next"`).FindStringSubmatch(body); m != nil {
			next = strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	var want []string
	for i := len(rs) - 1; i >= 0; i-- {
		want = append(want, rs[i].ID) // newest first
	}
	if !slices.Equal(seen, want) {
		t.Fatalf("pages together: %v\nwant %v", seen, want)
	}
	// Paging keeps the filter.
	_, body := f.get(c, "/laporan?status=submitted&hal=1")
	if !strings.Contains(body, "halaman 1 dari 1") {
		t.Fatalf("filtered paging wrong")
	}
}

func TestExportNeutralisesAndMasks(t *testing.T) {
	f := newFixture(t, 0)
	specs := demoSpecs(4)
	specs[0].Name = `=HYPERLINK("http://evil","klik")`
	specs[1].Name = "@SUM(A1)"
	rs := f.seed(specs)
	ctx := context.Background()
	for _, tc := range []struct {
		user      string
		full      bool
		wantViews int
	}{
		{"pemantau", false, 0},
		{"kepala", true, len(rs)},
	} {
		t.Run(tc.user, func(t *testing.T) {
			c := f.login(tc.user)
			before, _ := f.db.Views(ctx, time.Time{}, 0)
			resp, body := f.get(c, "/ekspor.csv")
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
				t.Fatalf("status %d, disposition %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
			}
			r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF")))
			r.Comma = ';'
			rows, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rows[0], storage.ExportColumns) || len(rows) != len(rs)+1 {
				t.Fatalf("header %v, %d rows", rows[0], len(rows))
			}
			byID := map[string][]string{}
			for _, row := range rows[1:] {
				byID[row[0]] = row
			}
			if got := byID[rs[0].ID][5]; got != `'=HYPERLINK("http://evil","klik")` {
				t.Fatalf("formula name exported as %q", got)
			}
			if got := byID[rs[1].ID][5]; got != "'@SUM(A1)" {
				t.Fatalf("formula name exported as %q", got)
			}
			for _, rep := range rs {
				nik, tel := byID[rep.ID][4], byID[rep.ID][11]
				if tc.full != (nik == rep.NIK) || tc.full != (tel == rep.Phone) {
					t.Fatalf("%s: NIK %q phone %q, full=%v", rep.ID, nik, tel, tc.full)
				}
			}
			after, _ := f.db.Views(ctx, time.Time{}, 0)
			if got := len(after) - len(before); got != tc.wantViews {
				t.Fatalf("%d views recorded, want %d", got, tc.wantViews)
			}
			// The same bytes as the CLI's writer for the same reports, where nothing is masked.
			if tc.full {
				var cli bytes.Buffer
				all, _ := f.db.Reports(ctx, storage.ReportFilter{})
				if err := storage.WriteCSV(&cli, all, storage.DefaultExportOptions()); err != nil {
					t.Fatal(err)
				}
				if cli.String() != body {
					t.Fatalf("dashboard export differs from the CLI's")
				}
			}
		})
	}
	// The export follows the list's filter.
	c := f.login("pemantau")
	_, body := f.get(c, "/ekspor.csv?status=submitted")
	if n := strings.Count(body, "\r\n") - 1; n != 1 {
		t.Fatalf("filtered export has %d rows, want 1", n)
	}
}

func TestLoginRateLimit(t *testing.T) {
	f := newFixture(t, 0)
	t.Run("per account", func(t *testing.T) {
		c := f.client()
		for i := 0; i < maxFailsAccount; i++ {
			if code := f.tryLogin(c, "kepala", "salah-salah-salah"); code != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, code)
			}
		}
		// Now even the right password is refused, from any address.
		if code := f.tryLogin(f.client(), "kepala", testPassword); code != http.StatusTooManyRequests {
			t.Fatalf("after %d failures: %d, want 429", maxFailsAccount, code)
		}
		// Another account is not locked by it.
		if code := f.tryLogin(f.client(), "pemantau", testPassword); code != http.StatusSeeOther {
			t.Fatalf("other account: %d", code)
		}
		f.clk.Set(testNow.Add(loginWindow))
		if code := f.tryLogin(f.client(), "kepala", testPassword); code != http.StatusSeeOther {
			t.Fatalf("after the window: %d", code)
		}
	})
	t.Run("per address", func(t *testing.T) {
		f.clk.Set(testNow.Add(2 * loginWindow))
		c := f.client()
		for i := 0; i < maxFailsAddr; i++ {
			// Made-up names, so no account limit is reached: only the address counts.
			if code := f.tryLogin(c, "tamu"+strconv.Itoa(i), testPassword); code != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, code)
			}
		}
		if code := f.tryLogin(c, "pemantau", testPassword); code != http.StatusTooManyRequests {
			t.Fatalf("after %d failures from one address: %d, want 429", maxFailsAddr, code)
		}
	})
}

func TestOverviewCountsAndCompliance(t *testing.T) {
	f := newFixture(t, 0)
	h := time.Hour
	mon := time.Date(2026, 11, 23, 8, 0, 0, 0, wib) // this week
	prev := mon.AddDate(0, 0, -7)                   // last week
	f.seed([]seedSpec{
		// This week: decided in 2 h (on time), 5 h (late), waiting 1 h (not yet due), waiting
		// since Monday (overdue, counts as missed); delivered 10 h after layak (on time).
		{Name: "A", Kecamatan: "Genteng", Created: mon, Decide: storage.StatusEligible, DecideIn: 2 * h, DeliverIn: 12 * h},
		{Name: "B", Kecamatan: "Genteng", Created: mon.Add(h), Decide: storage.StatusIneligible, DecideIn: 5 * h},
		{Name: "C", Kecamatan: "Srono", Created: testNow.Add(-h)},
		{Name: "D", Kecamatan: "Genteng", Created: mon.Add(3 * h)},
		{Name: "E", Kecamatan: "Srono", Created: mon, Auto: true},
		// Last week: both on time; the layak one never delivered (overdue delivery, missed).
		{Name: "F", Kecamatan: "Rogojampi", Created: prev, Decide: storage.StatusEligible, DecideIn: h},
		{Name: "G", Kind: storage.KindSanggah, Kecamatan: "Rogojampi", Created: prev.Add(h), Decide: storage.StatusUpheld, DecideIn: 3 * h},
	})
	c := f.login("pemantau")
	resp, body := f.get(c, "/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	st, err := f.db.Stats(context.Background(), testVerifySLA, testDeliverySLA)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`id="overdue-verify">` + strconv.Itoa(st.OverdueVerification[storage.KindReport]+st.OverdueVerification[storage.KindSanggah]) + `<`,
		`id="overdue-deliver">` + strconv.Itoa(st.OverdueDelivery) + `<`,
		`id="total-report">6<`, `id="total-sanggah">1<`,
		`data-kind="report" data-status="submitted">2<`,
		`data-kind="report" data-status="auto_rejected">1<`,
		`data-kind="sanggah" data-status="upheld">1<`,
		// verify this week: A on time, B late, D missed → 1/3; C not yet due
		`id="sop-verify-this">33% <small>(1/3)</small>`,
		// deliver this week: A on time → 1/1
		`id="sop-deliver-this">100% <small>(1/1)</small>`,
		`id="sop-verify-last">100% <small>(2/2)</small>`,
		`id="sop-deliver-last">0% <small>(0/1)</small>`,
		"dtks-banyuwangi.csv", "(26 jam lalu)", "2 (2 NIK)",
		">Genteng</text>", "3 (1 terlambat)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
	if st.OverdueVerification[storage.KindReport] != 1 || st.OverdueDelivery != 1 {
		t.Fatalf("fixture not as intended: %+v", st)
	}
	if t.Failed() {
		t.Log(body)
	}
}

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", h)
	}
	for _, tc := range []struct {
		name, hash, pw string
		ok             bool
		err            bool
	}{
		{"right", h, testPassword, true, false},
		{"wrong", h, testPassword + "x", false, false},
		{"malformed", "$2a$10$abc", testPassword, false, true},
		{"tampered params", strings.Replace(h, "t=2", "t=x", 1), testPassword, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := CheckPassword(tc.hash, tc.pw)
			if ok != tc.ok || (err != nil) != tc.err {
				t.Fatalf("ok=%v err=%v", ok, err)
			}
		})
	}
	if _, err := HashPassword("pendek"); err != ErrWeakPassword {
		t.Fatalf("short password: %v", err)
	}
}

func TestWeekStartAndDurations(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"friday", testNow, time.Date(2026, 11, 23, 0, 0, 0, 0, wib)},
		{"monday midnight", time.Date(2026, 11, 23, 0, 0, 0, 0, wib), time.Date(2026, 11, 23, 0, 0, 0, 0, wib)},
		{"sunday night", time.Date(2026, 11, 29, 23, 59, 0, 0, wib), time.Date(2026, 11, 23, 0, 0, 0, 0, wib)},
		// Sunday 18:00 UTC is already Monday 01:00 in WIB.
		{"utc sunday evening", time.Date(2026, 11, 29, 18, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 0, 0, 0, 0, wib)},
		{"across a month", time.Date(2026, 12, 2, 9, 0, 0, 0, wib), time.Date(2026, 11, 30, 0, 0, 0, 0, wib)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := weekStart(tc.at); !got.Equal(tc.want) {
				t.Fatalf("weekStart(%v) = %v, want %v", tc.at, got, tc.want)
			}
		})
	}
	for d, want := range map[time.Duration]string{
		25 * time.Minute:              "25 menit",
		3 * time.Hour:                 "3 jam",
		90 * time.Minute:              "1 jam 30 menit",
		26 * time.Hour:                "26 jam",
		52 * time.Hour:                "2 hari 4 jam",
		12*time.Hour + 59*time.Second: "12 jam",
	} {
		if got := humanDuration(d); got != want {
			t.Errorf("humanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestAuditLogPages(t *testing.T) {
	f := newFixture(t, 0)
	f.seed(demoSpecs(40))
	all, err := f.db.Audit(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) <= auditPageSize {
		t.Fatalf("seed made only %d audit entries", len(all))
	}
	slices.Reverse(all) // the page is newest first
	rowRe := regexp.MustCompile(`<tr><td>([^<]+)</td><td><a href="/laporan/([^"]+)">`)
	c := f.login("pemantau")
	var got []string
	for page := 1; page <= (len(all)+auditPageSize-1)/auditPageSize; page++ {
		resp, body := f.get(c, "/audit?hal="+strconv.Itoa(page))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("page %d: %d", page, resp.StatusCode)
		}
		i := strings.Index(body, `id="view-log"`)
		for _, m := range rowRe.FindAllStringSubmatch(body[:i], -1) {
			got = append(got, m[1]+" "+m[2])
		}
	}
	var want []string
	for _, e := range all {
		want = append(want, e.At.In(wib).Format("02/01/2006 15:04")+" "+e.Report)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit pages:\n%v\nwant\n%v", got, want)
	}
}
