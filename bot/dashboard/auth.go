package dashboard

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/laporbansos/laporbansos/storage"
)

const (
	sessionCookie = "lb_sesi"
	// loginCookie carries the login form's CSRF token before there is a session (double submit).
	loginCookie = "lb_login"
	// sessionIdle logs out a dashboard left open; sessionMax bounds a session however busy.
	sessionIdle = 30 * time.Minute
	sessionMax  = 12 * time.Hour
)

// Login attempt limits: failures within loginWindow, per account and per client address. The
// per-address limit is higher because several staff may share one office NAT address.
const (
	loginWindow     = 15 * time.Minute
	maxFailsAccount = 5
	maxFailsAddr    = 20
)

// session is a logged-in browser. Sessions are held in memory only: a restart logs everyone out,
// which is acceptable for a handful of staff and means no session token ever rests on disk.
type session struct {
	user    string
	csrf    string
	created time.Time
	seen    time.Time
}

// sessions maps the SHA-256 of a session token to the session, so a memory dump does not hand
// out usable cookies.
type sessions struct {
	mu sync.Mutex
	m  map[[32]byte]*session
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) create(user string, now time.Time) (token string, sess *session) {
	token = newToken()
	sess = &session{user: user, csrf: newToken(), created: now, seen: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.m { // drop expired sessions here rather than in a background goroutine
		if expired(v, now) {
			delete(s.m, k)
		}
	}
	s.m[sha256.Sum256([]byte(token))] = sess
	return token, sess
}

func expired(s *session, now time.Time) bool {
	return now.Sub(s.seen) > sessionIdle || now.Sub(s.created) > sessionMax
}

// get returns the live session for token and marks it used; nil when there is none.
func (s *sessions) get(token string, now time.Time) *session {
	if token == "" {
		return nil
	}
	k := sha256.Sum256([]byte(token))
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.m[k]
	if sess == nil {
		return nil
	}
	if expired(sess, now) {
		delete(s.m, k)
		return nil
	}
	sess.seen = now
	cp := *sess
	return &cp
}

func (s *sessions) remove(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, sha256.Sum256([]byte(token)))
}

// limiter counts failed logins per key ("akun:NAME", "ip:ADDR") in a fixed window.
type limiter struct {
	mu sync.Mutex
	m  map[string][]time.Time
}

func (l *limiter) failures(key string, now time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.prune(key, now))
}

// maxLimiterKeys bounds the limiter's memory against a flood of made-up names and addresses.
const maxLimiterKeys = 10000

func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.m) >= maxLimiterKeys {
		for k := range l.m {
			l.prune(k, now)
		}
	}
	l.m[key] = append(l.prune(key, now), now)
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, key)
}

func (l *limiter) prune(key string, now time.Time) []time.Time {
	ts := l.m[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= loginWindow {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.m, key)
		return nil
	}
	l.m[key] = ts
	return ts
}

// clientAddr is the connection's address without the port. X-Forwarded-For is not trusted: any
// client can set it, and the limiter must not be bypassed by changing a header.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// authed is a request's logged-in user, with the account as stored now: a removed account or a
// changed role takes effect on the next request, not at the next login.
type authed struct {
	user  storage.User
	token string
	csrf  string
}
