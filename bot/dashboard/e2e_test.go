package dashboard

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// chromiumPath is Debian's chromium, which .ci/run installs.
const chromiumPath = "/usr/bin/chromium"

// TestBrowserEndToEnd drives headless Chromium through the dashboard served over TLS: log in,
// read the overview, filter the list, open a report; every number is checked against the store.
// With LAPOR_DASHBOARD_SCREENSHOT=path it also writes the overview at phone width as a PNG (the
// README's docs/dashboard.png).
func TestBrowserEndToEnd(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("%s not installed (apt-get install chromium); this test runs in CI, where .ci/run installs it", chromiumPath)
		}
		t.Fatalf("CI is set but %s is missing: .ci/run should have installed it", chromiumPath)
	}
	if _, err := exec.LookPath(chromiumPath); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, 25)
	f.seed(demoSpecs(60))
	ctx := context.Background()

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// httptest's certificate is self-signed; TLS is still what carries the Secure cookie.
		chromedp.Flag("ignore-certificate-errors", true),
	}
	actx, cancel := chromedp.NewExecAllocator(ctx, opts...)
	defer cancel()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	bctx, cancel = context.WithTimeout(bctx, 90*time.Second)
	defer cancel()

	text := func(sel chromedp.ID) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of #%s: %v", sel, err)
		}
		return strings.TrimSpace(v)
	}
	location := func() string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	// Log in: the overview redirects to the login form first.
	err := chromedp.Do(bctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)), // a phone
		chromedp.Navigate(f.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("nama")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if loc := location(); !strings.HasSuffix(loc, "/login") {
		t.Fatalf("not sent to the login page: %s", loc)
	}
	err = chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("nama"), "pemantau"),
		chromedp.SendKeys(chromedp.ID("sandi"), testPassword),
		chromedp.Click(chromedp.ID("masuk")),
		chromedp.WaitVisible(chromedp.ID("overdue-verify")),
	)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.db.Stats(ctx, testVerifySLA, testDeliverySLA)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sel  chromedp.ID
		want int
	}{
		{"overdue-verify", st.OverdueVerification[storage.KindReport] + st.OverdueVerification[storage.KindSanggah]},
		{"overdue-deliver", st.OverdueDelivery},
		{"total-report", st.Total(storage.KindReport)},
		{"total-sanggah", st.Total(storage.KindSanggah)},
	} {
		if got := text(c.sel); got != strconv.Itoa(c.want) {
			t.Errorf("overview #%s: page says %q, store %d", c.sel, got, c.want)
		}
	}

	if path := os.Getenv("LAPOR_DASHBOARD_SCREENSHOT"); path != "" {
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Filter: overdue reports in one kecamatan, through the form.
	all, err := f.db.Reports(ctx, storage.ReportFilter{Newest: true})
	if err != nil {
		t.Fatal(err)
	}
	const kec = "Genteng"
	var want []*storage.Report
	for _, r := range all {
		if r.Kecamatan == kec && overdue(r, testNow, testVerifySLA, testDeliverySLA) {
			want = append(want, r)
		}
	}
	if len(want) == 0 {
		t.Fatalf("seed has no overdue report in %s", kec)
	}
	// A click that loads a page goes through click(), which waits for the response.
	click := func(step chromedp.Action[chromedp.Void]) {
		t.Helper()
		resp, err := chromedp.RunResponse(bctx, step)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != 200 {
			t.Fatalf("%s: HTTP %d", resp.URL, resp.Status)
		}
	}
	click(chromedp.Click(chromedp.CSS(`nav a[href="/laporan"]`)))
	err = chromedp.Do(bctx,
		chromedp.SetValue(chromedp.ID("f-kecamatan"), kec),
		chromedp.Click(chromedp.ID("f-terlambat")),
	)
	if err != nil {
		t.Fatal(err)
	}
	click(chromedp.Click(chromedp.ID("f-submit")))
	if loc := location(); !strings.Contains(loc, "kecamatan="+kec) || !strings.Contains(loc, "terlambat=1") {
		t.Fatalf("filter not in the URL: %s", loc)
	}
	firstID, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`#report-list tbody a`)))
	if err != nil {
		t.Fatal(err)
	}
	if total := text("list-total"); total != strconv.Itoa(len(want)) || firstID != want[0].ID {
		t.Fatalf("list: %s reports, first %s; store: %d, first %s", total, firstID, len(want), want[0].ID)
	}

	// Open the first report: its number, status and masked NIK.
	click(chromedp.Click(chromedp.CSS(`#report-list tbody a`)))
	r := want[0]
	if id, status, nik := text("report-id"), text("report-status"), text("nik"); id != r.ID ||
		status != statusLabel[r.Status] || nik != registry.NIK(r.NIK).Masked() {
		t.Fatalf("report page: %s %q %s; store: %s %q %s", id, status, nik, r.ID, statusLabel[r.Status], registry.NIK(r.NIK).Masked())
	}
}
