// Package server wires one Atlas server: the echo instance, the middleware
// every surface shares (metrics, logs, panics, CORS, the problem adapter),
// the read side and the workshops, and the surfaces mounted on them. It reads no flag or environment: the
// command does, and passes a Config.
package server

import (
	"context"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/atlas-sante-travail/atlas/internal/admin"
	"github.com/atlas-sante-travail/atlas/internal/adminapi"
	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/document"
	"github.com/atlas-sante-travail/atlas/internal/httpapi"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/ogcapi"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
	"github.com/atlas-sante-travail/atlas/internal/workshop"
)

// The server's metrics count the tiles' cache.
var _ tiles.Observer = (*httpx.Metrics)(nil)

// Config is everything a server is made of.
type Config struct {
	// Store is the primary's (store.OpenReplicated): the read side reads
	// from its ReadSide, the replica when there is one.
	Store *store.Store
	Tiles *tiles.Service
	// Cache holds encoded answers (maps, tiles with values); the tiles'
	// own cache is best, so that one bound covers both. Nil: 64 MiB.
	Cache blob.Cache
	// CORSOrigins allowed for GET; empty means any origin (tiles and data
	// are public and meant to be embedded by partner portals).
	CORSOrigins []string
	// EmbedOrigins may frame the embeddable map (/embed) and exchange
	// postMessages with it: exact, canonical origins (httpx.ParseOrigins).
	// Every other answer refuses to be framed.
	EmbedOrigins []string
	// Timeout bounds each request's work, its database queries included.
	Timeout time.Duration
	// View is what the workshop map opens on when its link says nothing.
	View httpapi.DefaultView
	// IndicatorVersion tells when computed answers are stale; see
	// diagnostic.Config.Version.
	IndicatorVersion func(context.Context) (string, error)
	// Web is the built front end; nil is the one embedded in the binary.
	Web fs.FS
	// PublicURL is what workshop links and QR codes name; empty: the
	// request's scheme and host.
	PublicURL string
	// Admin configures the admin API (/api/v1/admin): its tokens, upload
	// limit and temporary directory. No token: it refuses every request.
	Admin adminapi.Options
	// WorkshopRetention is how long a closed workshop keeps its personal
	// data (names, the event log); 0 keeps it until the workshop is
	// deleted.
	WorkshopRetention time.Duration
	Metrics           *httpx.Metrics
	Log               *slog.Logger
}

// Server is the echo server with its surfaces, and what runs behind them.
type Server struct {
	*echo.Echo
	Diagnostic *diagnostic.Service
	Workshops  *workshop.Service
	retention  time.Duration
}

// Run fans the workshops' events out until ctx ends (every server runs it:
// it is how an event committed through one reaches the streams of all),
// and purges the closed workshops past their retention every hour.
func (s *Server) Run(ctx context.Context) {
	if s.retention > 0 {
		go s.Workshops.PurgeEvery(ctx, s.retention, time.Hour)
	}
	s.Workshops.Run(ctx)
}

// New builds the server with every surface mounted.
func New(cfg Config) *Server {
	e := Base(&cfg)
	return mount(e, cfg)
}

// Base is the echo server with the middleware every surface shares and
// /metrics, before any surface; it fills in cfg's defaults. The server of
// tile files (`atlas serve --mbtiles`, NewFiles) is built on it too.
func Base(cfg *Config) *echo.Echo {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = httpx.NewMetrics()
	}
	if cfg.Cache == nil {
		cfg.Cache = blob.NewLRU(64 << 20)
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = httpx.ErrorHandler(cfg.Log)
	e.Pre(httpx.HeadAsGet)
	e.Use(cfg.Metrics.Middleware)
	e.Use(httpx.RequestLog(cfg.Log))
	e.Use(httpx.DenyFraming)
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
	e.GET("/metrics", echo.WrapHandler(cfg.Metrics.Handler()))
	return e
}

// mount adds the read side, the workshops and every surface to e.
func mount(e *echo.Echo, cfg Config) *Server {

	var ping func(context.Context) error
	var replica func(context.Context) (httpapi.ReplicaState, error)
	if cfg.Store != nil {
		ping = cfg.Store.Ping
		if cfg.Store.Replicated() {
			// The replica says for itself whether it answers.
			ping, replica = cfg.Store.PingPrimary, replicaState(cfg.Store)
			replicaMetrics(cfg.Metrics, cfg.Store)
		}
	}
	// The read side reads from the replica when there is one; workshops
	// and the admin API write, and read their own writes, on the primary.
	diag := diagnostic.New(diagnostic.Config{Store: cfg.Store.ReadSide(), Tiles: cfg.Tiles, Version: cfg.IndicatorVersion, Cache: cfg.Cache})
	ws := workshop.New(workshop.Config{Store: cfg.Store, Diagnostic: diag, Log: cfg.Log})
	httpapi.Mount(e, httpapi.Config{Diagnostic: diag, Tiles: cfg.Tiles, Ping: ping, Replica: replica, Timeout: cfg.Timeout, View: cfg.View, Web: cfg.Web,
		Workshops: ws, PublicURL: cfg.PublicURL, EmbedOrigins: cfg.EmbedOrigins, Documents: document.New(diag, cfg.Tiles, cfg.Cache)})
	ogcapi.Mount(e, ogcapi.Config{Diagnostic: diag, Tiles: cfg.Tiles, Timeout: cfg.Timeout})
	var adm *admin.Service // none without a database: the admin API then refuses everything
	if cfg.Store != nil {
		adm = admin.New(cfg.Store, cfg.Log)
	}
	adminapi.Mount(e, adminapi.Config{Options: cfg.Admin, Admin: adm, Log: cfg.Log})
	return &Server{Echo: e, Diagnostic: diag, Workshops: ws, retention: cfg.WorkshopRetention}
}

// replicaState reads st's replication for /readyz.
func replicaState(st *store.Store) func(context.Context) (httpapi.ReplicaState, error) {
	return func(ctx context.Context) (httpapi.ReplicaState, error) {
		r, err := st.Replication(ctx)
		return httpapi.ReplicaState{Standby: r.Standby, Behind: r.Behind, Paused: r.Paused, Waiting: r.Waiting, LastWait: r.LastWait}, err
	}
}

// replicaMetrics exports the read replica's lag: the WAL it has still to
// replay (NaN when it does not answer), and how long an announced import
// has been waiting for it, served the previous version meanwhile.
func replicaMetrics(m *httpx.Metrics, st *store.Store) {
	read := func(f func(store.ReplicaStatus) float64) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			r, err := st.Replication(ctx)
			if err != nil {
				return math.NaN()
			}
			return f(r)
		}
	}
	m.GaugeFunc("atlas_db_replica_behind_bytes", "WAL the read replica has still to replay, in bytes (NaN: unreachable).",
		read(func(r store.ReplicaStatus) float64 { return float64(r.Behind) }))
	m.GaugeFunc("atlas_db_replica_wait_seconds", "How long an announced import has been waiting for the read replica to replay it (0: none is).",
		read(func(r store.ReplicaStatus) float64 { return r.Waiting.Seconds() }))
}
