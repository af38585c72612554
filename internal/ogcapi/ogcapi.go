// Package ogcapi is the OGC API surface of Atlas, under /ogc: Features
// (Part 1 Core with GeoJSON and OpenAPI 3.0, Part 2 CRS by reference) for
// the territories of every loaded level and for each indicator at each of
// its levels, and Tiles (Part 1) for the same collections' vector tiles,
// in the WebMercatorQuad tiling scheme. GIS desktops (QGIS, GDAL's OAPIF
// driver) and other portals read Atlas through it without knowing its own
// API. Handlers parse the request, make one call to the read side
// (diagnostic) or the tiles, and encode; api/openapi.yaml documents every
// route and parameter, as OGC clients read it to know what is allowed.
package ogcapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/api"
	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// Media types of the answers and links.
const (
	typeJSON    = "application/json"
	typeGeoJSON = "application/geo+json"
	typeSchema  = "application/schema+json"
	typeOpenAPI = "application/vnd.oai.openapi+json;version=3.0"
	typeHTML    = "text/html"
	typeMVT     = "application/vnd.mapbox-vector-tile"
)

// Config is everything the surface needs.
type Config struct {
	Diagnostic *diagnostic.Service
	Tiles      *tiles.Service
	// Timeout bounds each request's work, its database queries included.
	Timeout time.Duration
}

type handlers struct {
	diag  *diagnostic.Service
	tiles *tiles.Service
	// definition is the OGC paths of api/openapi.yaml relative to /ogc,
	// computed on first use.
	definitionBody func() (*blob.Body, error)
}

// Mount adds the OGC API routes under /ogc.
func Mount(e *echo.Echo, cfg Config) {
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	h := &handlers{diag: cfg.Diagnostic, tiles: cfg.Tiles, definitionBody: sync.OnceValues(func() (*blob.Body, error) {
		doc, err := api.Scoped("/ogc", "/ogc")
		if err != nil {
			return nil, err
		}
		return blob.New(doc)
	})}
	g := e.Group("/ogc", httpx.Timeout(cfg.Timeout), problems)
	g.GET("", h.landing)
	g.GET("/", h.landing)
	g.GET("/api", h.definition)
	g.GET("/conformance", h.conformance)
	g.GET("/collections", h.collections)
	g.GET("/collections/:collectionId", h.collection)
	g.GET("/collections/:collectionId/schema", h.schema)
	g.GET("/collections/:collectionId/items", h.items)
	g.GET("/collections/:collectionId/items/:featureId", h.item)
	g.GET("/collections/:collectionId/tiles", h.tilesets)
	g.GET("/collections/:collectionId/tiles/WebMercatorQuad", h.tileset)
	g.GET("/collections/:collectionId/tiles/WebMercatorQuad/:tileMatrix/:tileRow/:tileCol", h.tile)
	g.GET("/tileMatrixSets", h.tileMatrixSets)
	g.GET("/tileMatrixSets/WebMercatorQuad", h.webMercatorQuad)
}

// definition serves the OGC API's own OpenAPI document: its paths relative
// to /ogc, where clients look up a path's parameters (the limit's bounds).
func (h *handlers) definition(c echo.Context) error {
	if err := checkQuery(c); err != nil {
		return err
	}
	body, err := h.definitionBody()
	if err != nil {
		return fmt.Errorf("OGC API definition: %w", err)
	}
	return httpx.SendEncoded(c, body, typeOpenAPI, "no-cache")
}

// link is an OGC API link (RFC 8288 in JSON).
type link struct {
	Href      string `json:"href"`
	Rel       string `json:"rel"`
	Type      string `json:"type,omitempty"`
	Title     string `json:"title,omitempty"`
	Templated bool   `json:"templated,omitempty"`
}

// root is the absolute URL of /ogc as the client reached it, so that
// links work behind any host name: clients follow them as they are.
func root(c echo.Context) string {
	return c.Scheme() + "://" + c.Request().Host + "/ogc"
}

// checkQuery refuses a query parameter the route does not declare (OGC
// API Features /req/core/query-param-unknown), and f other than json:
// the answers are JSON only.
func checkQuery(c echo.Context, allowed ...string) error {
	q := c.QueryParams()
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names) // the same parameter named first, whatever the order
	allowed = append(allowed, "f")
	for _, k := range names {
		if !slices.Contains(allowed, k) {
			return httpx.BadParam(k, "paramètre inconnu sur cette ressource", allowed...)
		}
	}
	if f := q.Get("f"); q.Has("f") && f != "json" {
		return httpx.BadParam("f", "format non disponible : les réponses sont en JSON", "json")
	}
	return nil
}

// acceptsJSON tells whether the Accept header lets the answer be JSON:
// absent, */*, application/* or a JSON type among those it lists.
func acceptsJSON(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		mt := strings.ToLower(strings.TrimSpace(fields[0]))
		q := 1.0
		for _, p := range fields[1:] {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.TrimSpace(k) == "q" {
				q, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
			}
		}
		if q <= 0 {
			continue // refused explicitly
		}
		if mt == "*/*" || mt == "application/*" || mt == typeJSON || mt == typeGeoJSON || strings.HasSuffix(mt, "+json") {
			return true
		}
	}
	return false
}

// sendJSON sends v with the given JSON media type, or a 406 problem when
// the client accepts no JSON.
func sendJSON(c echo.Context, mediaType string, v any) error {
	if !acceptsJSON(c.Request().Header.Get("Accept")) {
		return &httpx.Problem{Type: "about:blank", Title: "Format non disponible", Status: http.StatusNotAcceptable,
			Detail: "les réponses de l'API OGC sont en JSON (" + mediaType + ")"}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.Blob(http.StatusOK, mediaType, b)
}

// problems turns the read side's typed errors into problem details: a
// ParamError names the parameter (404 when it names something absent), a
// NotFoundError is a 404; other errors go on to the error handler.
func problems(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		err := next(c)
		var pe *diagnostic.ParamError
		var nf *diagnostic.NotFoundError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &pe):
			if pe.Unknown {
				return httpx.UnknownParam(pe.Name, pe.Reason, pe.Allowed...)
			}
			return httpx.BadParam(pe.Name, pe.Reason, pe.Allowed...)
		case errors.As(err, &nf):
			return httpx.NotFound(nf.What + " introuvable")
		}
		return err
	}
}
