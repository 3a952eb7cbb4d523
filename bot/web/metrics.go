package web

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/laporbansos/laporbansos/bot"
	"github.com/laporbansos/laporbansos/storage"
)

// Metrics holds every metric the bot exports, in its own Prometheus registry (no global state).
// Events are counted through the hooks (ObserveStep, ObserveSend, StoreFailed); what is stored
// (reports by status, the queue, the registry, overdue work) is read from the stores at scrape
// time, so it is right after a restart and agrees with the data.
//
// No label carries a NIK, a phone number, a name or a chat id: labels are channel names,
// report kinds and statuses, outcomes and stages only.
type Metrics struct {
	Registry *prometheus.Registry

	steps       *prometheus.CounterVec
	stepSeconds *prometheus.HistogramVec
	sends       *prometheus.CounterVec
	storeErrors prometheus.Counter

	// storeFailing is 1 while the last write to the store failed (set by ObserveStep and the
	// health probe), 0 once one succeeded again.
	storeFailing atomic.Bool
}

// NewMetrics builds the metrics and registers the scrape-time collector over src.
func NewMetrics(src *Server) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		steps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "laporbansos_dialogue_steps_total",
			Help: "Messages handled by the flows, by channel and result (ok, error).",
		}, []string{"channel", "result"}),
		stepSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "laporbansos_dialogue_step_seconds",
			Help:    "Time to handle one message: flows, registry lookup and the commit of its transaction.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"channel"}),
		sends: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "laporbansos_messages_total",
			Help: "Send attempts by channel and outcome: sent, retried, rate_limited (429, retried), failed (dropped).",
		}, []string{"channel", "outcome"}),
		storeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "laporbansos_store_write_errors_total",
			Help: "Messages the store could not take (disk full, file unwritable); each got the outage notice.",
		}),
	}
	m.Registry.MustRegister(m.steps, m.stepSeconds, m.sends, m.storeErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&scrape{s: src, m: m})
	return m
}

// ObserveStep is the dispatcher's hook (bot.Dispatcher.Observe).
func (m *Metrics) ObserveStep(channel string, took time.Duration, err error) {
	result := "ok"
	if err != nil && !isCancel(err) {
		result = "error"
		m.StoreFailed()
	} else if err == nil {
		m.storeFailing.Store(false)
	}
	m.steps.WithLabelValues(channel, result).Inc()
	m.stepSeconds.WithLabelValues(channel).Observe(took.Seconds())
}

// ObserveSend is the sender's hook (bot.Sender.Observe).
func (m *Metrics) ObserveSend(channel string, o bot.SendOutcome) {
	m.sends.WithLabelValues(channel, string(o)).Inc()
}

// StoreFailed counts a write the store refused.
func (m *Metrics) StoreFailed() {
	m.storeErrors.Inc()
	m.storeFailing.Store(true)
}

func isCancel(err error) bool {
	return err == context.Canceled || err == context.DeadlineExceeded
}

// scrape computes the gauges from the stores when Prometheus asks.
type scrape struct {
	s *Server
	m *Metrics
}

var (
	descReports = prometheus.NewDesc("laporbansos_reports", "Reports and sanggah by kind and status.",
		[]string{"kind", "status"}, nil)
	descOverdue = prometheus.NewDesc("laporbansos_sla_overdue", "Reports past their SOP deadline now (SLA breaches): stage verification (undecided past LAPOR_VERIFY_SLA) or delivery (layak not delivered within LAPOR_DELIVERY_SLA).",
		[]string{"stage"}, nil)
	descQueueDepth  = prometheus.NewDesc("laporbansos_queue_depth", "Messages waiting in the durable send queue.", nil, nil)
	descQueueOldest = prometheus.NewDesc("laporbansos_queue_oldest_seconds", "Age of the oldest queued message (0 when the queue is empty).", nil, nil)
	descRegRows     = prometheus.NewDesc("laporbansos_registry_rows", "Rows of the recipient registry in service.", nil, nil)
	descRegNIKs     = prometheus.NewDesc("laporbansos_registry_niks", "Distinct NIKs in the recipient registry.", nil, nil)
	descRegAge      = prometheus.NewDesc("laporbansos_registry_age_seconds", "Time since the registry in service was imported.", nil, nil)
	descRegLast     = prometheus.NewDesc("laporbansos_registry_last_import_rows", "Rows of the last successful registry import by result (imported, refused, duplicate).",
		[]string{"result"}, nil)
	descRegBehind = prometheus.NewDesc("laporbansos_registry_behind_seconds", "With several instances: how long another instance has served a newer registry than this one (0 when in step).", nil, nil)
	descRegLoaded = prometheus.NewDesc("laporbansos_registry_loaded", "1 when a registry is loaded, 0 when it is missing (every check would fail).", nil, nil)
	descChannelUp = prometheus.NewDesc("laporbansos_channel_up", "1 when the channel is running/connected, by channel and its state (WhatsApp: connected, disconnected, logged_out …).",
		[]string{"channel", "state"}, nil)
	descWritable = prometheus.NewDesc("laporbansos_store_writable", "0 while the last write to laporbansos.db failed (disk full, unwritable).", nil, nil)
	descDiskFree = prometheus.NewDesc("laporbansos_disk_free_bytes", "Free space for the data directory.", nil, nil)
	descScrapeOK = prometheus.NewDesc("laporbansos_store_read_ok", "1 when the store could be read for these metrics.", nil, nil)
)

func (c *scrape) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descReports, descOverdue, descQueueDepth, descQueueOldest,
		descRegRows, descRegNIKs, descRegAge, descRegLast, descRegLoaded, descRegBehind, descChannelUp, descWritable,
		descDiskFree, descScrapeOK} {
		ch <- d
	}
}

func (c *scrape) Collect(ch chan<- prometheus.Metric) {
	s := c.s
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	now := s.now()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	readOK := 1.0
	if s.Store != nil {
		var (
			st     storage.Stats
			depth  int
			oldest time.Time
		)
		err := s.Store.View(ctx, func(tx storage.Tx) error {
			var err error
			if st, err = tx.Stats(s.VerifySLA, s.DeliverySLA); err != nil {
				return err
			}
			depth, oldest, err = tx.QueueStats()
			return err
		})
		if err != nil {
			readOK = 0
		} else {
			for kind, byStatus := range st.Counts {
				for _, status := range allStatuses {
					gauge(descReports, float64(byStatus[status]), string(kind), string(status))
				}
			}
			verify := 0
			for _, n := range st.OverdueVerification {
				verify += n
			}
			gauge(descOverdue, float64(verify), "verification")
			gauge(descOverdue, float64(st.OverdueDelivery), "delivery")
			gauge(descQueueDepth, float64(depth))
			gauge(descQueueOldest, age(now, oldest).Seconds())
		}
	}
	gauge(descScrapeOK, readOK)
	if s.Registry != nil {
		meta := s.Registry.Meta()
		gauge(descRegRows, float64(meta.RowsImported))
		gauge(descRegNIKs, float64(meta.DistinctNIKs))
		gauge(descRegAge, age(now, meta.ImportedAt).Seconds())
		gauge(descRegLast, float64(meta.RowsImported), "imported")
		gauge(descRegLast, float64(meta.RowsRefused), "refused")
		gauge(descRegLast, float64(meta.Duplicates), "duplicate")
		gauge(descRegLoaded, b2f(!s.Registry.Empty()))
		if s.RegistryLag != nil {
			behind := 0.0
			if v, since := s.RegistryLag.Behind(); v.SHA256 != "" {
				behind = age(now, since).Seconds()
			}
			gauge(descRegBehind, behind)
		}
	}
	for name, state := range s.channelStates() {
		gauge(descChannelUp, b2f(Up(state)), name, state)
	}
	gauge(descWritable, b2f(!c.m.storeFailing.Load()))
	if free, err := diskFree(s.DataDir); err == nil {
		gauge(descDiskFree, float64(free))
	}
}

var allStatuses = []storage.Status{storage.StatusAutoRejected, storage.StatusSubmitted, storage.StatusEligible,
	storage.StatusIneligible, storage.StatusDelivered, storage.StatusUpheld, storage.StatusDismissed,
	storage.StatusInProgress, storage.StatusResolved, storage.StatusRefused}

func age(now, t time.Time) time.Duration {
	if t.IsZero() || now.Before(t) {
		return 0
	}
	return now.Sub(t)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
