// Package httpapi is the REST surface of Atlas (/tiles, /api/v1, the
// health routes) and the workshop map's files. Each handler parses its
// request, makes one call to the read side (diagnostic) or the tiles, and
// encodes the answer; api/openapi.yaml is its contract, checked against
// the routes by a test.
package httpapi

import (
	"context"
	"io/fs"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/document"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
	"github.com/atlas-sante-travail/atlas/internal/workshop"
	webmap "github.com/atlas-sante-travail/atlas/web-map"
)

// Config is everything the surface needs; nothing is read from globals.
type Config struct {
	Diagnostic *diagnostic.Service
	Tiles      *tiles.Service
	// Ping tells whether the database answers, for /readyz.
	Ping func(context.Context) error
	// Replica, when set, tells how the read replica's replay stands, for
	// /readyz (an error: it is unreachable, and the server not ready);
	// nil: no read replica, Ping is the whole database.
	Replica func(context.Context) (ReplicaState, error)
	// Timeout bounds each request's work (database queries included).
	Timeout time.Duration
	// View is what the workshop map opens on when its link says nothing.
	View DefaultView
	// Web holds the built front end; nil is the one embedded in the binary.
	Web       fs.FS
	Workshops *workshop.Service
	// Documents assembles the chiffres clés, focus sheets and maps as
	// files; nil makes one over Diagnostic and Tiles with no cache.
	Documents *document.Service
	// PublicURL is the scheme and host that workshop links and QR codes
	// name ("http://192.168.1.20:8080" in a room with no internet); empty:
	// the request's own.
	PublicURL string
	// EmbedOrigins may frame /embed and talk to it over postMessage,
	// besides this server's own pages: exact origins, canonical
	// (httpx.ParseOrigins).
	EmbedOrigins []string
}

type handlers struct {
	cfg   Config
	diag  *diagnostic.Service
	tiles *tiles.Service
	ws    *workshop.Service
	docs  *document.Service
	// embeds holds the embeddable map's pages (embed.go).
	embeds *embedPages
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
	if cfg.Documents == nil {
		cfg.Documents = document.New(cfg.Diagnostic, cfg.Tiles, nil)
	}
	h := &handlers{cfg: cfg, diag: cfg.Diagnostic, tiles: cfg.Tiles, ws: cfg.Workshops, docs: cfg.Documents, embeds: &embedPages{fsys: cfg.Web}}
	bounded := []echo.MiddlewareFunc{httpx.Timeout(cfg.Timeout), problems}
	mountAPIDocs(e) // the contract itself: YAML, JSON and a page
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
	api.GET("/indicators/:id/evolution", h.evolution)
	api.GET("/indicators/:id/sex-gap", h.sexGap)
	api.GET("/indicators/:id/bivariate", h.bivariate)
	api.GET("/indicators/:id/scatter", h.scatter)
	api.GET("/indicators/:id/map.svg", h.staticMap)
	// The diagnostic's documents, HTML or PDF (documents.go).
	api.GET("/documents/chiffres-cles", documentRoute(h.keyFiguresDocument))
	api.GET("/documents/focus/population", documentRoute(h.populationFocus))
	api.GET("/documents/focus/theme", documentRoute(h.themeFocus))
	api.GET("/documents/focus/secteur", documentRoute(h.sectorFocus))
	api.GET("/documents/focus/territoire", documentRoute(h.portrait))
	api.GET("/documents/synthese", h.synthesisDocument)

	// Workshops: small JSON bodies; the event stream has no deadline.
	ws := api.Group("/workshops", middleware.BodyLimit(strconv.Itoa(maxBody>>10)+"K"), workshopSeq)
	ws.POST("", h.createWorkshop)
	ws.GET("/:code", h.getWorkshop)
	ws.PATCH("/:code", h.updateWorkshop)
	ws.POST("/:code/close", h.closeWorkshop)
	ws.POST("/:code/reopen", h.reopenWorkshop)
	ws.POST("/:code/participants", h.joinWorkshop)
	ws.GET("/:code/participants", h.listParticipants)
	ws.PUT("/:code/presence", h.putPresence)
	ws.PUT("/:code/view", h.putView)
	ws.POST("/:code/pointer", h.postPointer)
	ws.POST("/:code/steps", h.addStep)
	ws.PATCH("/:code/steps/:step", h.renameStep)
	ws.DELETE("/:code/steps/:step", h.deleteStep)
	ws.GET("/:code/qr.svg", h.workshopQR)
	ws.DELETE("/:code", h.deleteWorkshop)
	ws.POST("/:code/contributions", h.contribute)
	ws.PATCH("/:code/contributions/:contribution", h.updateContribution)
	ws.DELETE("/:code/contributions/:contribution", h.deleteContribution)
	ws.PUT("/:code/phase", h.putPhase)
	ws.PATCH("/:code/board", h.updateBoard)
	ws.POST("/:code/votes", h.vote)
	ws.DELETE("/:code/votes", h.unvote)
	ws.POST("/:code/polls", h.createPoll)
	ws.PATCH("/:code/polls/:poll", h.updatePoll)
	ws.PUT("/:code/polls/:poll/answer", h.answerPoll)
	ws.GET("/:code/synthesis", h.synthesis)
	e.GET("/api/v1/workshops/:code/events", h.workshopEvents, problems)
	// The embeddable map and its oEmbed (embed.go, oembed.go).
	e.GET("/embed", h.embed, bounded...)
	e.GET("/embed/example", h.embedExample)
	e.GET("/oembed", h.oembed, bounded...)
	e.RouteNotFound("/*", newWebFrontEnd(cfg.Web).handle)
}
