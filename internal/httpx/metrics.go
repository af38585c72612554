package httpx

import (
	"net/http"
	"strconv"
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
}

// NewMetrics registers the collectors in a registry of their own.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "atlas_http_requests_total", Help: "HTTP requests by route and status."}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "atlas_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}}, []string{"route"}),
		cache: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "atlas_tile_cache_total", Help: "Tile cache lookups by layer and result (hit or miss)."}, []string{"layer", "result"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.cache, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// CacheHit counts a tile served from the cache (tiles.Observer).
func (m *Metrics) CacheHit(layer string) { m.cache.WithLabelValues(layer, "hit").Inc() }

// CacheMiss counts a tile that had to be encoded (tiles.Observer).
func (m *Metrics) CacheMiss(layer string) { m.cache.WithLabelValues(layer, "miss").Inc() }

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
		m.requests.WithLabelValues(route, strconv.Itoa(c.Response().Status)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
		return nil
	}
}
