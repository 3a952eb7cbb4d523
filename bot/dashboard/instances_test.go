package dashboard

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/rs/zerolog"
)

// Two instances of the bot share one store behind a load balancer that sends each request to
// the other one: a login holds across both, a logout on one ends the session on the other,
// and the login limit counts the failures made at either.
func TestDashboardBehindLoadBalancer(t *testing.T) {
	f := newFixture(t, 0)
	other := New(f.db, f.reg, f.h.cfg, f.clk.Now, zerolog.Nop())
	var n atomic.Int64
	lb := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 0 {
			f.h.ServeHTTP(w, r)
		} else {
			other.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(lb.Close)
	g := *f
	g.srv = lb
	via := &g

	c := via.login("kepala") // the login page from one instance, the POST to the other
	for i := range 4 {
		if resp, _ := via.get(c, "/"); resp.StatusCode != http.StatusOK {
			t.Fatalf("page %d after login: %d, want 200 from either instance", i, resp.StatusCode)
		}
	}
	_, page := via.get(c, "/")
	if resp, _ := via.post(c, "/logout", map[string][]string{"csrf": {csrfOf(t, page)}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	for i := range 2 {
		if resp, _ := via.get(c, "/"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("page %d after logout: %d, want the login page from either instance", i, resp.StatusCode)
		}
	}

	b := via.client()
	for i := range maxFailsAccount {
		if code := via.tryLogin(b, "pemantau", "salah-"+string(rune('a'+i))); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: %d", i, code)
		}
	}
	if code := via.tryLogin(b, "pemantau", testPassword); code != http.StatusTooManyRequests {
		t.Errorf("right password after %d failures spread over two instances: %d, want 429", maxFailsAccount, code)
	}
}
