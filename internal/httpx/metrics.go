package httpx

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the Prometheus collectors of one server, in a registry of
// its own (no global state: two servers in one test binary do not mix).
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	cache    *prometheus.CounterVec

	// children caches the collectors of each route and status, and of each
	// layer's cache results: WithLabelValues hashes its labels and builds
	// a slice on every call, on every tile.
	mu       sync.RWMutex
	byStatus map[routeStatus]prometheus.Counter
	byRoute  map[string]prometheus.Observer
	hits     map[string]prometheus.Counter
	misses   map[string]prometheus.Counter
}

type routeStatus struct {
	route  string
	status int
}

// NewMetrics registers the collectors in a registry of their own.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "atlas_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "atlas_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"route"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "atlas_tile_cache_total", Help: "Tile cache lookups by layer and result (hit or miss)."}, []string{"layer", "result"}),

		byStatus: map[routeStatus]prometheus.Counter{},
		byRoute:  map[string]prometheus.Observer{},
		hits:     map[string]prometheus.Counter{},
		misses:   map[string]prometheus.Counter{},
	}
	m.registry.MustRegister(m.requests, m.latency, m.cache, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// CacheHit counts a tile served from the cache (tiles.Observer).
func (m *Metrics) CacheHit(layer string) {
	m.counter(m.hits, layer, "hit").Inc()
}

// CacheMiss counts a tile that had to be encoded (tiles.Observer).
func (m *Metrics) CacheMiss(layer string) {
	m.counter(m.misses, layer, "miss").Inc()
}

// counter is the cache counter of a layer and result.
func (m *Metrics) counter(cache map[string]prometheus.Counter, layer, result string) prometheus.Counter {
	m.mu.RLock()
	c, ok := cache[layer]
	m.mu.RUnlock()
	if ok {
		return c
	}
	c = m.cache.WithLabelValues(layer, result)
	m.mu.Lock()
	cache[layer] = c
	m.mu.Unlock()
	return c
}

// requestDone counts a request and observes its latency, through the
// cached children of its route and status: WithLabelValues hashes the
// labels and builds a slice on every call.
func (m *Metrics) requestDone(route string, status int, took time.Duration) {
	key := routeStatus{route, status}
	m.mu.RLock()
	n, okN := m.byStatus[key]
	l, okL := m.byRoute[route]
	m.mu.RUnlock()
	if !okN || !okL {
		n, l = m.requests.WithLabelValues(route, strconv.Itoa(status)), m.latency.WithLabelValues(route)
		m.mu.Lock()
		m.byStatus[key], m.byRoute[route] = n, l
		m.mu.Unlock()
	}
	n.Inc()
	l.Observe(took.Seconds())
}

// GaugeFunc exports a gauge whose value fn reads at each scrape; a second
// one of the same name is ignored (a server mounted again on the same
// Metrics).
func (m *Metrics) GaugeFunc(name, help string, fn func() float64) {
	m.registry.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn)) //nolint:errcheck // only AlreadyRegisteredError
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Middleware counts requests by route and status and observes their
// latency. Errors are answered here (c.Error), so that the status counted
// is the one sent.
func (m *Metrics) Middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		route := c.Path()
		if route == "" {
			route = "unmatched"
		}
		m.requestDone(route, c.Response().Status, time.Since(start))
		return nil
	}
}
