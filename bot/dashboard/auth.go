package dashboard

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"sync/atomic"
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

// Sessions and failed-login counts live in the bot's store (its state area), not in memory:
// with several instances behind one load balancer a login holds whichever instance answers the
// next page, and the login limits count the attempts made at every instance. Only the SHA-256 of
// a session token is stored, so a copy of the database hands out no usable cookie.
const (
	sessionBucket = "dashboard-sessions" // key: hex SHA-256 of the session token
	loginBucket   = "dashboard-logins"   // key: "akun:NAME" or "ip:ADDR"
	// seenEvery is how stale a session's last-use time may get before a page view writes it:
	// reading a page is then not a write to the store each time.
	seenEvery = time.Minute
)

// session is a logged-in browser.
type session struct {
	User    string    `json:"user"`
	CSRF    string    `json:"csrf"`
	Created time.Time `json:"created"`
	Seen    time.Time `json:"seen"`
}

// sessions keeps the sessions in the store.
type sessions struct{ db storage.Store }

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *session) expired(now time.Time) bool {
	return now.Sub(s.Seen) > sessionIdle || now.Sub(s.Created) > sessionMax
}

// create starts a session for user, dropping expired ones in the same transaction rather than
// in a background job.
func (s sessions) create(ctx context.Context, user string, now time.Time) (token string, err error) {
	token = newToken()
	rec, err := json.Marshal(session{User: user, CSRF: newToken(), Created: now, Seen: now})
	if err != nil {
		return "", err
	}
	err = s.db.Update(ctx, func(tx storage.Tx) error {
		var stale []string
		if err := tx.ForEachState(sessionBucket, func(k string, v []byte) error {
			var old session
			if json.Unmarshal(v, &old) != nil || old.expired(now) {
				stale = append(stale, k)
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range stale {
			if err := tx.Delete(sessionBucket, k); err != nil {
				return err
			}
		}
		return tx.Put(sessionBucket, sessionKey(token), rec)
	})
	return token, err
}

// get returns the live session for token and marks it used; nil when there is none.
func (s sessions) get(ctx context.Context, token string, now time.Time) (*session, error) {
	if token == "" {
		return nil, nil
	}
	k := sessionKey(token)
	var sess session
	var found bool
	err := s.db.View(ctx, func(tx storage.Tx) error {
		v, err := tx.Get(sessionBucket, k)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = json.Unmarshal(v, &sess) == nil
		return nil
	})
	if err != nil || !found {
		return nil, err
	}
	if sess.expired(now) {
		return nil, s.remove(ctx, token)
	}
	if now.Sub(sess.Seen) >= seenEvery {
		sess.Seen = now
		rec, err := json.Marshal(sess)
		if err != nil {
			return nil, err
		}
		if err := s.db.Update(ctx, func(tx storage.Tx) error { return tx.Put(sessionBucket, k, rec) }); err != nil {
			return nil, err
		}
	}
	return &sess, nil
}

func (s sessions) remove(ctx context.Context, token string) error {
	return s.db.Update(ctx, func(tx storage.Tx) error { return tx.Delete(sessionBucket, sessionKey(token)) })
}

// limiter counts failed logins per key ("akun:NAME", "ip:ADDR") in a fixed window, in the store.
type limiter struct {
	db        storage.Store
	lastSweep atomic.Int64 // unix nanoseconds of this process's last sweep of stale keys
}

// loginFails is one key's failures within the window, oldest first.
type loginFails struct {
	At []time.Time `json:"at"`
}

// maxLimiterKeys bounds the keys kept against a flood of made-up names and addresses: beyond
// it, the keys whose last failure is oldest are forgotten first.
const maxLimiterKeys = 10000

func recent(ts []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= loginWindow {
		i++
	}
	return ts[i:]
}

func (l *limiter) failures(ctx context.Context, key string, now time.Time) (n int, err error) {
	err = l.db.View(ctx, func(tx storage.Tx) error {
		v, err := tx.Get(loginBucket, key)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var f loginFails
		if json.Unmarshal(v, &f) == nil {
			n = len(recent(f.At, now))
		}
		return nil
	})
	return n, err
}

// fail records failures for keys in one transaction; once a minute per process it also forgets
// the keys with no failure left in the window.
func (l *limiter) fail(ctx context.Context, now time.Time, keys ...string) error {
	sweep := now.UnixNano()-l.lastSweep.Load() >= int64(time.Minute)
	err := l.db.Update(ctx, func(tx storage.Tx) error {
		for _, key := range keys {
			var f loginFails
			if v, err := tx.Get(loginBucket, key); err == nil {
				_ = json.Unmarshal(v, &f) // a damaged record counts from zero
			} else if !errors.Is(err, storage.ErrNotFound) {
				return err
			}
			f.At = append(recent(f.At, now), now)
			v, err := json.Marshal(f)
			if err != nil {
				return err
			}
			if err := tx.Put(loginBucket, key, v); err != nil {
				return err
			}
		}
		if !sweep {
			return nil
		}
		type kept struct {
			key  string
			last time.Time
		}
		var stale []string
		var live []kept
		if err := tx.ForEachState(loginBucket, func(k string, v []byte) error {
			var f loginFails
			if json.Unmarshal(v, &f) != nil || len(recent(f.At, now)) == 0 {
				stale = append(stale, k)
			} else {
				live = append(live, kept{k, f.At[len(f.At)-1]})
			}
			return nil
		}); err != nil {
			return err
		}
		if len(live) > maxLimiterKeys {
			slices.SortFunc(live, func(a, b kept) int { return a.last.Compare(b.last) })
			for _, k := range live[:len(live)-maxLimiterKeys] {
				stale = append(stale, k.key)
			}
		}
		for _, k := range stale {
			if err := tx.Delete(loginBucket, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && sweep {
		l.lastSweep.Store(now.UnixNano())
	}
	return err
}

func (l *limiter) reset(ctx context.Context, key string) error {
	return l.db.Update(ctx, func(tx storage.Tx) error { return tx.Delete(loginBucket, key) })
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
