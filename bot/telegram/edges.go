package telegram

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// addressedElsewhere reports whether text is a command for another bot: in a group several
// bots hear "/layak@OtherBot LB-…", and only the named one may act on it.
func (c *Channel) addressedElsewhere(text string) bool {
	f := strings.Fields(text)
	if len(f) == 0 || !strings.HasPrefix(f[0], "/") {
		return false
	}
	_, name, ok := strings.Cut(f[0], "@")
	return ok && !strings.EqualFold(name, c.Username())
}

// WebhookLimits bound what one webhook caller can hold: Telegram sends small updates quickly,
// so anything slow or idle is someone else, and must not use up the process's files.
type WebhookLimits struct {
	ReadHeader time.Duration // request line and headers
	Read       time.Duration // whole request, body included
	Write      time.Duration // from the end of the request to the end of the answer
	Idle       time.Duration // keep-alive between requests
	MaxConns   int           // open connections at once; more wait in the kernel's backlog
}

// DefaultWebhookLimits allow for Telegram's 40 connections (setWebhook max_connections) with
// room to spare, and for a step that waits on the store (handleTimeout).
var DefaultWebhookLimits = WebhookLimits{
	ReadHeader: 5 * time.Second,
	Read:       10 * time.Second,
	Write:      handleTimeout + 5*time.Second,
	Idle:       30 * time.Second,
	MaxConns:   100,
}

// DefaultWebhookListen is loopback: the public side is a TLS proxy (Telegram calls HTTPS only).
const DefaultWebhookListen = "127.0.0.1:8443"

// webhookServer is the HTTP server for the webhook, with every timeout set.
func (c *Channel) webhookServer(h http.Handler) *http.Server {
	l := c.webhookLimits()
	return &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeader, ReadTimeout: l.Read, WriteTimeout: l.Write, IdleTimeout: l.Idle}
}

func (c *Channel) webhookLimits() WebhookLimits {
	l := DefaultWebhookLimits
	if c.opt.Webhook != nil {
		l = *c.opt.Webhook
	}
	return l
}

// limitListener accepts at most n connections at a time.
func limitListener(ln net.Listener, n int) net.Listener {
	if n <= 0 {
		return ln
	}
	return &limitedListener{Listener: ln, sem: make(chan struct{}, n)}
}

type limitedListener struct {
	net.Listener
	sem chan struct{}
}

func (l *limitedListener) Accept() (net.Conn, error) {
	l.sem <- struct{}{}
	conn, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitedConn{Conn: conn, release: func() { <-l.sem }}, nil
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// refusalLog says "wrong webhook secret" at most once a minute, with how many were refused:
// a flood of forged calls must not become a flood of log lines.
type refusalLog struct {
	mu      sync.Mutex
	last    time.Time
	pending int
}

// note counts one refusal and returns how many to report now (0: stay quiet).
func (r *refusalLog) note(now time.Time) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending++
	if !r.last.IsZero() && now.Sub(r.last) < time.Minute {
		return 0
	}
	n := r.pending
	r.last, r.pending = now, 0
	return n
}
