package telegram

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/storage"
)

// A command addressed to another bot in the same group is that bot's business.
func TestCommandForOtherBotIgnored(t *testing.T) {
	e := newEnv(t, envConfig{})
	f := e.fake
	id := e.report(citizen, nikFresh)
	e.posted(staffChat, id)
	n := len(f.sent(staffChat))
	f.text(staffChat, staffAna, "/layak@OtherBot "+id)
	f.text(citizen, citizen, "/cek@OtherBot")
	// A later command to this bot is handled, so the earlier ones had their turn and were dropped.
	f.text(staffChat, staffAna, "/pending@LaporBansos_Bot")
	f.waitText(staffChat, n, "Menunggu keputusan (1)")
	if got := e.status(id); got != storage.StatusSubmitted {
		t.Fatalf("a command for @OtherBot changed the report to %s", got)
	}
	for _, m := range f.sent(staffChat)[n:] {
		if strings.Contains(m.Text, "LAYAK") {
			t.Fatalf("answered a command for @OtherBot: %q", m.Text)
		}
	}
	f.text(staffChat, staffAna, "/layak@laporbansos_bot "+id)
	waitFor(t, 5*time.Second, "decision", func() bool { return e.status(id) == storage.StatusEligible })
}

func TestAddressedElsewhere(t *testing.T) {
	e := newEnv(t, envConfig{noRun: true})
	cases := []struct {
		text string
		want bool
	}{
		{"/layak@OtherBot LB-2611-0001", true},
		{"/layak@laporbansos_bot LB-2611-0001", false},
		{"/layak@LAPORBANSOS_BOT LB-2611-0001", false},
		{"/layak LB-2611-0001", false},
		{"LAYAK LB-2611-0001", false},
		{"email saya budi@example.com", false},
		{"", false},
	}
	for _, tc := range cases {
		if got := e.ch.addressedElsewhere(tc.text); got != tc.want {
			t.Errorf("addressedElsewhere(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// webhookOnLoopback serves the real webhook handler with the production server and listener
// code on 127.0.0.1, with short limits so the test is quick, and counts open connections.
func webhookOnLoopback(t *testing.T, e *env, l WebhookLimits) (addr string, peak *atomic.Int32) {
	t.Helper()
	e.ch.opt.Webhook = &l
	e.ch.opt.WebhookSecret = "s3cret-token"
	e.ch.handler = e.disp
	srv := e.ch.webhookServer(e.ch.WebhookHandler())
	peak = new(atomic.Int32)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// Counted beneath the cap: a connection is open from accept until its socket is closed.
	go func() {
		_ = srv.Serve(limitListener(&countingListener{Listener: ln, open: new(atomic.Int32), peak: peak}, l.MaxConns))
	}()
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), peak
}

type countingListener struct {
	net.Listener
	open, peak *atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	n := l.open.Add(1)
	for p := l.peak.Load(); n > p && !l.peak.CompareAndSwap(p, n); p = l.peak.Load() {
	}
	return &countedConn{Conn: c, open: l.open}, nil
}

type countedConn struct {
	net.Conn
	once sync.Once
	open *atomic.Int32
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.open.Add(-1) })
	return err
}

// closedWithin reads from conn until the server closes it, and says how long that took.
func closedWithin(t *testing.T, conn net.Conn, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	_ = conn.SetReadDeadline(start.Add(limit))
	_, err := io.Copy(io.Discard, conn)
	took := time.Since(start)
	if err != nil {
		t.Fatalf("connection still open after %s: %v", took, err)
	}
	return took
}

func TestWebhookTimeouts(t *testing.T) {
	e := newEnv(t, envConfig{noRun: true})
	l := WebhookLimits{ReadHeader: 300 * time.Millisecond, Read: 500 * time.Millisecond, Write: 2 * time.Second, Idle: 400 * time.Millisecond, MaxConns: 10}
	addr, _ := webhookOnLoopback(t, e, l)
	cases := []struct {
		name string
		send string // what the client writes, then it goes quiet
		max  time.Duration
	}{
		{"idle, nothing sent", "", 2 * time.Second},
		{"half a header", "POST /hook HTTP/1.1\r\nHost: x\r\n", 2 * time.Second},
		{"slow body with the right secret", "POST /hook HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: s3cret-token\r\nContent-Length: 500\r\n\r\n{\"update_id\":", 2 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if tc.send != "" {
				if _, err := io.WriteString(conn, tc.send); err != nil {
					t.Fatal(err)
				}
			}
			took := closedWithin(t, conn, tc.max)
			t.Logf("closed after %s", took.Round(time.Millisecond))
		})
	}
	// A keep-alive connection after a good request is closed once idle.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /hook HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: wrong\r\nContent-Length: 2\r\n\r\n{}")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("status %d", resp.StatusCode)
	}
	closedWithin(t, conn, 2*time.Second)
}

// Connections that say nothing cannot lock Telegram out: at most MaxConns are open at once,
// and a real update gets through once the idle ones time out.
func TestWebhookConnectionCap(t *testing.T) {
	e := newEnv(t, envConfig{noRun: true})
	l := WebhookLimits{ReadHeader: 300 * time.Millisecond, Read: time.Second, Write: 5 * time.Second, Idle: time.Second, MaxConns: 3}
	addr, peak := webhookOnLoopback(t, e, l)
	var idle []net.Conn
	for i := 0; i < 10; i++ {
		c, err := net.Dial("tcp", addr) // the kernel accepts; the server takes at most 3
		if err != nil {
			t.Fatal(err)
		}
		idle = append(idle, c)
	}
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	start := time.Now()
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/hook", strings.NewReader(`{"update_id":5,"message":{"message_id":1,"from":{"id":1001,"first_name":"W"},"chat":{"id":1001,"type":"private"},"text":"/start"}}`))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s3cret-token")
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	took := time.Since(start)
	if got := peak.Load(); got > int32(l.MaxConns) {
		t.Fatalf("%d connections open at once, cap %d", got, l.MaxConns)
	}
	// 10 idle connections ahead of it, 3 at a time, each dropped after ReadHeader: about 4 rounds.
	if took > 5*time.Second {
		t.Fatalf("the real update waited %s", took)
	}
	t.Logf("real update served after %s behind 10 idle connections (cap %d)", took.Round(time.Millisecond), l.MaxConns)
}

func TestWebhookDefaults(t *testing.T) {
	host, _, err := net.SplitHostPort(DefaultWebhookListen)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		t.Fatalf("default listen %q is not loopback", DefaultWebhookListen)
	}
	e := newEnv(t, envConfig{noRun: true})
	srv := e.ch.webhookServer(http.NotFoundHandler())
	if srv.ReadHeaderTimeout <= 0 || srv.ReadTimeout <= 0 || srv.WriteTimeout <= handleTimeout || srv.IdleTimeout <= 0 || DefaultWebhookLimits.MaxConns <= 40 {
		t.Fatalf("server limits: header %s read %s write %s idle %s conns %d", srv.ReadHeaderTimeout, srv.ReadTimeout, srv.WriteTimeout, srv.IdleTimeout, DefaultWebhookLimits.MaxConns)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A flood of forged calls is one log line a minute, with the count.
func TestWebhookWrongSecretLogRateLimited(t *testing.T) {
	e := newEnv(t, envConfig{noRun: true})
	var logs lockedBuffer
	e.ch.log = zerolog.New(&logs)
	addr, _ := webhookOnLoopback(t, e, DefaultWebhookLimits)
	for i := 0; i < 50; i++ {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/hook", strings.NewReader("{}"))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", fmt.Sprint("guess", i))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	if n := strings.Count(logs.String(), "wrong secret"); n != 1 {
		t.Fatalf("%d log lines for 50 forged calls:\n%s", n, logs.String())
	}
	var r refusalLog
	t0 := time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC)
	got := []int{r.note(t0), r.note(t0.Add(time.Second)), r.note(t0.Add(2 * time.Second)), r.note(t0.Add(61 * time.Second))}
	if want := []int{1, 0, 0, 3}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("refusal counts %v, want %v", got, want)
	}
}
