// Package httpapi is the REST surface of Atlas (/tiles, /api/v1, the
// health routes) and the workshop map's files. Each handler parses its
// request, makes one call to the read side (diagnostic) or the tiles, and
// encodes the answer; api/openapi.yaml is its contract, checked against
// the routes by a test.
package httpapi

import (
	"context"
	"io/fs"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
	webmap "github.com/atlas-sante-travail/atlas/web-map"
)

// Config is everything the surface needs; nothing is read from globals.
type Config struct {
	Diagnostic *diagnostic.Service
	Tiles      *tiles.Service
	// Ping tells whether the database answers, for /readyz.
	Ping func(context.Context) error
	// Timeout bounds each request's work (database queries included).
	Timeout time.Duration
	// View is what the workshop map opens on when its link says nothing.
	View DefaultView
	// Web holds the built front end; nil is the one embedded in the binary.
	Web fs.FS
}

type handlers struct {
	cfg   Config
	diag  *diagnostic.Service
	tiles *tiles.Service
}

// Mount adds the surface's routes to e. The front end is mounted as the
// "route not found" handler: it is not part of the API contract, and a
// path that is neither a route nor one of its files still gets the 404
// problem.
func Mount(e *echo.Echo, cfg Config) {
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Web == nil {
		cfg.Web = webmap.Dist()
	}
	h := &handlers{cfg: cfg, diag: cfg.Diagnostic, tiles: cfg.Tiles}
	bounded := []echo.MiddlewareFunc{httpx.Timeout(cfg.Timeout), problems}
	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz, bounded...)
	e.GET("/tiles.json", h.catalogue, bounded...)
	e.GET("/tiles/:name", h.tileJSON, bounded...)
	// Territory tiles come from memory: no deadline on the hottest route
	// (its timer showed in the tail latency); tiles with values set theirs.
	e.GET("/tiles/:layer/:z/:x/:y", h.tile, problems)
	api := e.Group("/api/v1", bounded...)
	api.GET("/territories", h.searchTerritories)
	api.GET("/territories/:level/:code", h.territory)
	api.GET("/territories/:level/:code/profile", h.profile)
	api.GET("/default-view", h.defaultView)
	api.GET("/indicators", h.listIndicators)
	api.GET("/indicators/:id", h.getIndicator)
	api.GET("/indicators/:id/values", h.indicatorValues)
	api.GET("/indicators/:id/choropleth", h.choropleth)
	e.RouteNotFound("/*", newWebFrontEnd(cfg.Web).handle)
}
