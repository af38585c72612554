package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// Config is everything the HTTP layer needs; nothing is read from globals.
type Config struct {
	Store *store.Store
	Tiles *tiles.Service
	// CORSOrigins allowed for GET; empty means any origin (tiles and data
	// are public and meant to be embedded by partner portals).
	CORSOrigins []string
	// DBTimeout bounds each request's database work.
	DBTimeout time.Duration
	// View is what the workshop map opens on when its link says nothing.
	View DefaultView
	// IndicatorVersion tells when the catalogue and the cached maps are
	// stale; Store.IndicatorVersion (one query per request) when nil, a
	// store.VersionWatch in a long-running server.
	IndicatorVersion func(context.Context) (string, error)
	Metrics          *Metrics
	Log              *slog.Logger
}

// New builds the echo server with every route.
func New(cfg Config) *echo.Echo {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.DBTimeout == 0 {
		cfg.DBTimeout = 5 * time.Second
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.IndicatorVersion == nil && cfg.Store != nil {
		cfg.IndicatorVersion = cfg.Store.IndicatorVersion
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler(cfg.Log)
	e.Use(cfg.Metrics.middleware)
	e.Use(requestLog(cfg.Log))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true, LogErrorFunc: func(c echo.Context, err error, _ []byte) error {
		cfg.Log.Error("panic", "path", c.Request().URL.Path, "err", err)
		return err
	}}))
	origins := cfg.CORSOrigins
	if len(origins) == 0 {
		origins = []string{"*"}
	}
	e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins:  origins,
		AllowMethods:  []string{http.MethodGet, http.MethodHead},
		ExposeHeaders: []string{"ETag", "Content-Encoding"},
		MaxAge:        86400,
	}))

	h := &handlers{cfg: cfg, responses: tiles.NewLRU(64 << 20)}
	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(cfg.Metrics.registry, promhttp.HandlerOpts{})))
	e.GET("/tiles.json", h.catalogue)
	e.GET("/tiles/:name", h.tileJSON)
	e.GET("/tiles/:layer/:z/:x/:y", h.tile)
	api := e.Group("/api/v1")
	api.GET("/territories", h.searchTerritories)
	api.GET("/territories/:level/:code", h.territory)
	api.GET("/territories/:level/:code/profile", h.profile)
	api.GET("/default-view", h.defaultView)
	api.GET("/indicators", h.listIndicators)
	api.GET("/indicators/:id", h.getIndicator)
	api.GET("/indicators/:id/values", h.indicatorValues)
	api.GET("/indicators/:id/choropleth", h.choropleth)
	// The workshop map (web-map/, embedded): GET / and its assets; see web.go.
	e.RouteNotFound("/*", defaultWeb().handle)
	return e
}

type handlers struct {
	cfg Config
	// The parsed catalogue, kept until the indicator version changes.
	catMu      sync.Mutex
	catVersion string
	catEntries []catalogueEntry
	// Computed responses (choropleths), keyed by the indicator version,
	// the layer version and the normalised request, with their gzip form
	// and ETags: the same cache type the tiles use.
	responses *tiles.LRU
}

func (h *handlers) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz is ready when the database answers and territories are loaded in
// memory: before that, tiles would all be 404.
func (h *handlers) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.cfg.DBTimeout)
	defer cancel()
	out := map[string]any{}
	status := http.StatusOK
	if err := h.cfg.Store.Pool.Ping(ctx); err != nil {
		out["database"] = "unreachable"
		status = http.StatusServiceUnavailable
	} else {
		out["database"] = "ok"
	}
	layers := map[string]int{}
	for _, l := range h.cfg.Tiles.Layers() {
		layers[l.Name] = len(l.Features)
	}
	out["layers"] = layers
	if len(layers) == 0 {
		out["territories"] = "none loaded: run `atlas import territories` or `atlas import demo`"
		status = http.StatusServiceUnavailable
	}
	if status == http.StatusOK {
		out["status"] = "ready"
	} else {
		out["status"] = "not ready"
	}
	return c.JSON(status, out)
}

// baseURL rebuilds the public URL of the tiles root from the request, so
// that TileJSON works behind any host name or proxy.
func baseURL(c echo.Context) string {
	return c.Scheme() + "://" + c.Request().Host + "/tiles"
}

func (h *handlers) catalogue(c echo.Context) error {
	var out []tiles.TileJSON
	for _, l := range h.cfg.Tiles.Layers() {
		out = append(out, l.TileJSON(baseURL(c)))
	}
	if out == nil {
		out = []tiles.TileJSON{}
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) tileJSON(c echo.Context) error {
	name, ok := strings.CutSuffix(c.Param("name"), ".json")
	if !ok {
		return NotFound("ressource inconnue : " + c.Param("name"))
	}
	l, err := h.layer(name)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.JSON(http.StatusOK, l.TileJSON(baseURL(c)))
}

func (h *handlers) layer(name string) (*tiles.Layer, error) {
	l, ok := h.cfg.Tiles.Layer(name)
	if !ok {
		var names []string
		for _, l := range h.cfg.Tiles.Layers() {
			names = append(names, l.Name)
		}
		return nil, &Problem{Type: "/problems/invalid-parameter", Title: "Couche inconnue", Status: http.StatusNotFound,
			Detail:        "layer " + strconv.Quote(name) + " does not exist or has not been imported",
			InvalidParams: []InvalidParam{{Name: "layer", Reason: "unknown layer", Allowed: names}}}
	}
	return l, nil
}

func (h *handlers) tile(c echo.Context) error {
	ys, ok := strings.CutSuffix(c.Param("y"), ".mvt")
	if !ok {
		ys, ok = strings.CutSuffix(c.Param("y"), ".pbf")
	}
	if !ok {
		return BadParam("y", "the tile must end in .mvt (e.g. /tiles/departements/5/16/11.mvt)")
	}
	l, err := h.layer(c.Param("layer"))
	if err != nil {
		return err
	}
	z, x, y, err := tiles.ParseTile(c.Param("z"), c.Param("x"), ys)
	if err != nil {
		var te *tiles.TileCoordError
		if errors.As(err, &te) {
			return BadParam(te.Param, te.Reason)
		}
		return err
	}
	if c.QueryParams().Has("indicator") {
		return h.tileWithValues(c, l, z, x, y)
	}
	t, err := h.cfg.Tiles.Tile(c.Request().Context(), l, z, x, y)
	if err != nil {
		return err
	}
	return sendTile(c, t, "public, max-age=3600")
}

// sendTile writes a tile the way every tile route does: 204 when empty,
// gzip when accepted, a strong ETag per encoding and 304 on a match.
func sendTile(c echo.Context, t *tiles.Tile, cacheControl string) error {
	return sendEncoded(c, t, "application/vnd.mapbox-vector-tile", cacheControl)
}

// sendEncoded writes a body prepared with its gzip form and ETags.
func sendEncoded(c echo.Context, t *tiles.Tile, contentType, cacheControl string) error {
	hd := c.Response().Header()
	hd.Set("Cache-Control", cacheControl)
	hd.Add("Vary", "Accept-Encoding")
	if t.Raw == nil {
		return c.NoContent(http.StatusNoContent)
	}
	body, tag := t.Raw, t.ETag
	if acceptsGzip(c.Request().Header.Get("Accept-Encoding")) {
		body, tag = t.Gzip, t.GzipETag
		hd.Set(echo.HeaderContentEncoding, "gzip")
	}
	hd.Set("ETag", tag)
	if matchETag(c.Request().Header.Get("If-None-Match"), t.ETag, t.GzipETag) {
		hd.Del(echo.HeaderContentEncoding)
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, contentType, body)
}

func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && k == "q" {
				q, _ = strconv.ParseFloat(v, 64)
			}
		}
		return q > 0
	}
	return false
}

// matchETag tells whether an If-None-Match header names one of tags (the
// representations of one body: identity and gzip) or is "*". Empty tags
// (no gzip form) match nothing.
func matchETag(inm string, tags ...string) bool {
	if inm == "" {
		return false
	}
	for _, tag := range strings.Split(inm, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || (tag != "" && slices.Contains(tags, tag)) {
			return true
		}
	}
	return false
}

func requestLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			log.Debug("request", "method", c.Request().Method, "path", c.Request().URL.Path,
				"status", c.Response().Status, "bytes", c.Response().Size, "took", time.Since(start))
			return nil
		}
	}
}

// Metrics holds the Prometheus collectors of one server.
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

// CacheHit implements tiles.Observer.
func (m *Metrics) CacheHit(layer string) { m.cache.WithLabelValues(layer, "hit").Inc() }

// CacheMiss implements tiles.Observer.
func (m *Metrics) CacheMiss(layer string) { m.cache.WithLabelValues(layer, "miss").Inc() }

func (m *Metrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
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
