// Package dashboard is the Dinas's web view of the bot's store: an overview with SOP compliance,
// the report list with filters, one report with its history and audit trail, the audit log and a
// CSV export. Pages are rendered on the server with html/template; the CSS and the SVG chart are
// embedded, so there is no build step and nothing is loaded from another site.
//
// Every page needs a login (accounts in the store, see storage.User). Viewers see NIK and phone
// masked; supervisors see them in full and each such view is recorded in the store.
package dashboard

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Registry is what the overview shows of the recipient registry.
type Registry interface {
	Meta() registry.Meta
}

// Config is the part of the bot's configuration the dashboard shows or obeys.
type Config struct {
	Agency      string
	VerifySLA   time.Duration // LAPOR_VERIFY_SLA: report → decision
	DeliverySLA time.Duration // LAPOR_DELIVERY_SLA: layak → disalurkan
	PageSize    int           // reports per page; 0 means 25
}

// Handler serves the dashboard. Build it with New.
type Handler struct {
	db   storage.Store
	reg  Registry
	cfg  Config
	now  func() time.Time
	log  zerolog.Logger
	mux  *http.ServeMux
	tmpl map[string]*template.Template

	sessions sessions
	limiter  *limiter
	// hashing bounds concurrent password checks: each takes 19 MiB, and a burst of logins from
	// many addresses must not take the bot's memory with it.
	hashing chan struct{}
}

var _ http.Handler = (*Handler)(nil)

// New returns the dashboard handler, to be served at "/". now is the clock (nil: time.Now).
func New(db storage.Store, reg Registry, cfg Config, now func() time.Time, log zerolog.Logger) *Handler {
	if now == nil {
		now = time.Now
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 25
	}
	h := &Handler{
		db: db, reg: reg, cfg: cfg, now: now, log: log,
		mux:      http.NewServeMux(),
		tmpl:     parseTemplates(),
		sessions: sessions{db: db},
		limiter:  &limiter{db: db},
		hashing:  make(chan struct{}, 2),
	}
	static := http.FileServerFS(assets)
	h.mux.Handle("GET /static/", static)
	// Browsers ask for an icon on their own; answering it without a redirect to the login page
	// keeps that request from replacing the login form's CSRF cookie.
	h.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h.mux.HandleFunc("GET /login", h.loginPage)
	h.mux.HandleFunc("POST /login", h.login)
	h.mux.HandleFunc("POST /logout", h.auth(h.logout))
	h.mux.HandleFunc("GET /{$}", h.auth(h.overview))
	h.mux.HandleFunc("GET /laporan", h.auth(h.reportList))
	h.mux.HandleFunc("GET /laporan/{id}", h.auth(h.reportPage))
	h.mux.HandleFunc("GET /audit", h.auth(h.auditLog))
	h.mux.HandleFunc("GET /ekspor.csv", h.auth(h.export))
	h.mux.HandleFunc("/", h.auth(h.notFound))
	return h
}

// ServeHTTP sets the security headers every response carries and routes the request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Strict-Transport-Security", "max-age=31536000")
	h.mux.ServeHTTP(w, r)
}

type ctxKey struct{}

// auth lets the request through only with a live session of an existing account, and checks
// the CSRF token of every POST.
func (h *Handler) auth(next func(http.ResponseWriter, *http.Request, *authed)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		now := h.now()
		c, _ := r.Cookie(sessionCookie)
		var sess *session
		if c != nil {
			var err error
			if sess, err = h.sessions.get(r.Context(), c.Value, now); err != nil {
				h.serverError(w, r, err)
				return
			}
		}
		if sess == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			h.fail(w, r, http.StatusUnauthorized, msgLoginRequired)
			return
		}
		u, err := h.db.User(r.Context(), sess.User)
		if err != nil {
			if rerr := h.sessions.remove(r.Context(), c.Value); rerr != nil {
				h.log.Warn().Err(rerr).Msg("dashboard: session of a removed account not deleted")
			}
			if errors.Is(err, storage.ErrNotFound) {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			h.serverError(w, r, err)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if !sameToken(r.PostFormValue("csrf"), sess.CSRF) {
				h.fail(w, r, http.StatusForbidden, msgCSRF)
				return
			}
		}
		a := &authed{user: u, token: c.Value, csrf: sess.CSRF}
		next(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, a)), a)
	}
}

func (h *Handler) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode,
	}
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	h.renderLogin(w, r, http.StatusOK, "", "")
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, msg, name string) {
	w.Header().Set("Cache-Control", "no-store")
	// Keep a token the browser already has, so that two open login tabs both work.
	token := newToken()
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) == len(token) {
		token = c.Value
	}
	http.SetCookie(w, h.cookie(loginCookie, token, int(loginWindow/time.Second)))
	h.render(w, r, status, "login", nil, map[string]any{"Error": msg, "Name": name, "CSRF": token})
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	now := h.now()
	c, _ := r.Cookie(loginCookie)
	if c == nil || !sameToken(r.PostFormValue("csrf"), c.Value) {
		h.fail(w, r, http.StatusForbidden, msgCSRF)
		return
	}
	name, ok := storage.NormalizeUserName(r.PostFormValue("nama"))
	password := r.PostFormValue("sandi")
	addrKey := "ip:" + clientAddr(r)
	acctKey := "akun:" + name
	addrFails, err := h.limiter.failures(r.Context(), addrKey, now)
	acctFails := 0
	if err == nil && ok {
		acctFails, err = h.limiter.failures(r.Context(), acctKey, now)
	}
	if err != nil {
		h.serverError(w, r, err) // the limits cannot be checked: no password is tried
		return
	}
	if addrFails >= maxFailsAddr || acctFails >= maxFailsAccount {
		h.log.Warn().Str("addr", clientAddr(r)).Msg("dashboard login refused: too many failures")
		h.renderLogin(w, r, http.StatusTooManyRequests, msgLoginLimited, name)
		return
	}
	var u storage.User
	if ok {
		u, err = h.db.User(r.Context(), name)
	} else {
		err = storage.ErrNotFound
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		h.serverError(w, r, err)
		return
	}
	hash := u.Hash
	if err != nil {
		hash = dummyHash()
	}
	select {
	case h.hashing <- struct{}{}:
	case <-r.Context().Done():
		return
	}
	match, herr := CheckPassword(hash, password)
	<-h.hashing
	if herr != nil && err == nil {
		h.log.Error().Err(herr).Str("user", u.Name).Msg("dashboard: stored password hash unreadable")
	}
	if err != nil || herr != nil || !match {
		// The name only when it is an account: a password typed into the name field stays out.
		h.log.Warn().Str("user", u.Name).Str("addr", clientAddr(r)).Msg("dashboard login failed")
		keys := []string{addrKey}
		if ok {
			keys = append(keys, acctKey)
		}
		if ferr := h.limiter.fail(r.Context(), now, keys...); ferr != nil {
			h.log.Error().Err(ferr).Msg("dashboard: failed login not counted")
		}
		h.renderLogin(w, r, http.StatusUnauthorized, msgLoginFailed, name)
		return
	}
	if rerr := h.limiter.reset(r.Context(), acctKey); rerr != nil {
		h.log.Warn().Err(rerr).Msg("dashboard: failed logins of the account not reset")
	}
	token, err := h.sessions.create(r.Context(), u.Name, now)
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	http.SetCookie(w, h.cookie(sessionCookie, token, 0))
	http.SetCookie(w, h.cookie(loginCookie, "", -1))
	h.log.Info().Str("user", u.Name).Msg("dashboard login")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, a *authed) {
	if err := h.sessions.remove(r.Context(), a.token); err != nil {
		h.serverError(w, r, err) // the cookie would be gone but the session alive: say so
		return
	}
	http.SetCookie(w, h.cookie(sessionCookie, "", -1))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, a *authed) {
	h.fail(w, r, http.StatusNotFound, msgNotFound)
}

// fail answers with a short page in Indonesian.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, status int, msg string) {
	a, _ := r.Context().Value(ctxKey{}).(*authed)
	h.render(w, r, status, "error", a, map[string]any{"Message": msg})
}

// serverError logs the error once, here at the edge, and tells the user without details.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.Error().Err(err).Str("path", r.URL.Path).Msg("dashboard")
	h.fail(w, r, http.StatusInternalServerError, msgServerError)
}
