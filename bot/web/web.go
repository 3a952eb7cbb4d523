// Package web is the bot's one HTTP listener (LAPOR_HTTP_LISTEN): /healthz for the operator's
// monitoring and the service manager, /metrics for Prometheus, and whatever other parts mount
// on it before it starts (the Telegram webhook, the WhatsApp Cloud API webhook at
// /wacloud/webhook, the dashboard at /).
package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/laporbansos/laporbansos/registry"
	"github.com/laporbansos/laporbansos/storage"
)

// Store is what the health check and metrics read and probe; storage.Store implements it.
type Store interface {
	Update(ctx context.Context, fn func(tx storage.Tx) error) error
	View(ctx context.Context, fn func(tx storage.Tx) error) error
}

// Registry describes the recipient registry in service; *registry.Registry implements it.
type Registry interface {
	Meta() registry.Meta
	Empty() bool
}

var (
	_ Store    = storage.Store(nil)
	_ Registry = (*registry.Registry)(nil)
)

// StateReporter is what a channel implements to show its state on /healthz and /metrics:
// "running", "connected", "disconnected", "logged_out", "stopped" … Up says which are healthy.
type StateReporter interface {
	State() string
}

// Up reports whether a channel state means the channel can receive and send.
func Up(state string) bool {
	switch state {
	case "running", "connected", "polling", "webhook":
		return true
	}
	return false
}

// Server serves health, metrics and mounted handlers. Set the fields, mount with Handle, then
// Run; Handler serves the same routes without a listener (tests).
type Server struct {
	Addr     string // host:port
	Store    Store
	Registry Registry
	// RegistryLag, with several instances, tells whether another instance serves a newer
	// registry than this one (*registry.Syncer implements it).
	RegistryLag RegistryLag
	DataDir     string // the file system whose free space is reported
	// VerifySLA and DeliverySLA count overdue reports for the SLA metric.
	VerifySLA, DeliverySLA time.Duration
	Now                    func() time.Time
	Log                    zerolog.Logger
	Metrics                *Metrics

	once     sync.Once
	mux      *http.ServeMux
	mu       sync.Mutex
	channels map[string]StateReporter
	started  bool
}

func (s *Server) init() {
	s.once.Do(func() {
		s.mux = http.NewServeMux()
		s.channels = map[string]StateReporter{}
		if s.Metrics == nil {
			s.Metrics = NewMetrics(s)
		}
		s.mux.HandleFunc("GET /healthz", s.healthz)
		s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{
			ErrorLog: nil, Timeout: 20 * time.Second,
		}))
	})
}

// Handle mounts h at pattern (http.ServeMux syntax) on the listener. Call it before Run.
func (s *Server) Handle(pattern string, h http.Handler) {
	s.init()
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if started {
		panic("web: Handle after Run: mount everything before the listener starts")
	}
	s.mux.Handle(pattern, h)
}

// Channel registers a channel's state for /healthz and /metrics.
func (s *Server) Channel(name string, st StateReporter) {
	s.init()
	s.mu.Lock()
	s.channels[name] = st
	s.mu.Unlock()
}

func (s *Server) channelStates() map[string]string {
	s.mu.Lock()
	chans := maps.Clone(s.channels)
	s.mu.Unlock()
	out := make(map[string]string, len(chans))
	for name, st := range chans {
		out[name] = st.State()
	}
	return out
}

// Handler returns the routes, for tests and for mounting under another server.
func (s *Server) Handler() http.Handler {
	s.init()
	return s.mux
}

// Timeouts of the listener: a slow or stuck client cannot hold a connection open for long.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
)

// Run listens on Addr and serves until ctx is done, then shuts down gracefully.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("LAPOR_HTTP_LISTEN %s: %w", s.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is done.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.init()
	s.mu.Lock()
	s.started = true
	s.mu.Unlock()
	srv := &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.Log.Info().Str("addr", ln.Addr().String()).Msg("http listening: /healthz, /metrics")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Health is the body of /healthz.
type Health struct {
	Status   string            `json:"status"` // "ok" or "unhealthy"
	Problems []string          `json:"problems,omitempty"`
	Channels map[string]string `json:"channels"`
	Store    StoreHealth       `json:"store"`
	Registry RegistryHealth    `json:"registry"`
	Queue    QueueHealth       `json:"queue"`
	DiskFree *uint64           `json:"disk_free_bytes,omitempty"`
}

// StoreHealth says whether laporbansos.db takes writes.
type StoreHealth struct {
	Writable bool   `json:"writable"`
	Error    string `json:"error,omitempty"`
}

// RegistryHealth describes the recipient registry in service.
type RegistryHealth struct {
	Loaded     bool      `json:"loaded"`
	Rows       int       `json:"rows"`
	NIKs       int       `json:"niks"`
	SHA256     string    `json:"sha256,omitempty"`
	ImportedAt time.Time `json:"imported_at,omitzero"`
	AgeSeconds float64   `json:"age_seconds"`
	// Newer is, with several instances, the newer version another instance serves while this
	// one still serves an older one (its copy of the source has not changed yet).
	Newer *NewerRegistry `json:"newer_elsewhere,omitempty"`
}

// NewerRegistry is a newer registry version another instance serves.
type NewerRegistry struct {
	SHA256        string    `json:"sha256"`
	ImportedAt    time.Time `json:"imported_at"`
	Instance      string    `json:"instance"`
	BehindSeconds float64   `json:"behind_seconds"`
}

// RegistryLag reports the newer version another instance serves and since when this one has
// been behind it (a zero Version when in step).
type RegistryLag interface {
	Behind() (registry.Version, time.Time)
}

var _ RegistryLag = (*registry.Syncer)(nil)

// QueueHealth describes the send queue.
type QueueHealth struct {
	Depth            int     `json:"depth"`
	OldestAgeSeconds float64 `json:"oldest_age_seconds"`
}

// probeBucket/probeKey is where the health check writes to prove the store takes writes.
const (
	probeBucket = "health"
	probeKey    = "probe"
)

// Check computes the health: a small write to the store (disk full, read-only file system and
// a lost file all show here, before a citizen finds out), the registry, the queue, the
// channels and the free space. Healthy is false when the store cannot be written or no
// registry is loaded.
func (s *Server) Check(ctx context.Context) Health {
	s.init()
	now := s.now()
	h := Health{Status: "ok", Channels: s.channelStates()}
	if s.Store != nil {
		err := s.Store.Update(ctx, func(tx storage.Tx) error {
			return tx.Put(probeBucket, probeKey, []byte(tx.Now().UTC().Format(time.RFC3339Nano)))
		})
		h.Store.Writable = err == nil
		if err != nil {
			s.Metrics.storeFailing.Store(true)
			h.Store.Error = err.Error()
			h.Problems = append(h.Problems, "store unwritable: "+err.Error())
		} else {
			s.Metrics.storeFailing.Store(false)
		}
		var (
			depth  int
			oldest time.Time
		)
		err = s.Store.View(ctx, func(tx storage.Tx) error {
			var err error
			depth, oldest, err = tx.QueueStats()
			return err
		})
		if err != nil {
			h.Problems = append(h.Problems, "send queue unreadable: "+err.Error())
		}
		h.Queue = QueueHealth{Depth: depth, OldestAgeSeconds: age(now, oldest).Seconds()}
	}
	if s.Registry != nil {
		meta := s.Registry.Meta()
		h.Registry = RegistryHealth{
			Loaded: !s.Registry.Empty(), Rows: meta.RowsImported, NIKs: meta.DistinctNIKs,
			SHA256: meta.SHA256, ImportedAt: meta.ImportedAt, AgeSeconds: age(now, meta.ImportedAt).Seconds(),
		}
		if s.RegistryLag != nil {
			if v, since := s.RegistryLag.Behind(); v.SHA256 != "" {
				h.Registry.Newer = &NewerRegistry{SHA256: v.SHA256, ImportedAt: v.ImportedAt, Instance: v.Instance, BehindSeconds: age(now, since).Seconds()}
			}
		}
		if !h.Registry.Loaded {
			h.Problems = append(h.Problems, "registry missing: import one (laporbansos registry import FILE)")
		}
	}
	if s.DataDir != "" {
		if free, err := diskFree(s.DataDir); err == nil {
			h.DiskFree = &free
		}
	}
	if len(h.Problems) > 0 {
		h.Status = "unhealthy"
	}
	return h
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	h := s.Check(ctx)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if h.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(h)
}

// RunState is a StateReporter for a channel whose own code reports no state: main sets it to
// "running" while the channel's Run runs and "stopped" after it returned.
type RunState struct {
	mu    sync.Mutex
	state string
	inner StateReporter
}

// NewRunState starts in "starting"; inner, when not nil, is asked while running (a channel
// that knows better, such as WhatsApp's connection state).
func NewRunState(inner StateReporter) *RunState {
	return &RunState{state: "starting", inner: inner}
}

// Set records the state.
func (r *RunState) Set(state string) {
	r.mu.Lock()
	r.state = state
	r.mu.Unlock()
}

// State returns the channel's own state while it runs, else the recorded one.
func (r *RunState) State() string {
	r.mu.Lock()
	st, inner := r.state, r.inner
	r.mu.Unlock()
	if st == "running" && inner != nil {
		return inner.State()
	}
	return st
}
