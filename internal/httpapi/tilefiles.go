package httpapi

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/export/tileset"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
	webmap "github.com/atlas-sante-travail/atlas/web-map"
)

// This file is the surface of `atlas serve --mbtiles`: tile files served
// with no database, for a partner portal or a workshop laptop that only
// needs tiles. The routes are the live server's, answered from the files:
// the tiles as stored (the gzip bytes, never compressed again, with the
// live server's ETags), TileJSON made from the files' metadata, an empty
// indicator catalogue and a default view, so that the map opens on the
// files' layers; what needs the database answers a 503 problem saying so.

// TileFile is a tile set read from a file: an mbtiles.Reader or a
// pmtiles.Reader.
type TileFile interface {
	Metadata() tileset.Metadata
	// Tile is tile z/x/y (XYZ) as stored, gzip-compressed MVT; nil when
	// the file holds none.
	Tile(ctx context.Context, z, x, y int) ([]byte, error)
}

// NamedTileFile is a file and the name its tiles are served under
// (/tiles/{name}/{z}/{x}/{y}.mvt).
type NamedTileFile struct {
	Name  string
	File  TileFile
	Tiles int // tiles the file holds, for /readyz
}

// FilesConfig is what the tile files' surface needs.
type FilesConfig struct {
	Files []NamedTileFile
	// Cache keeps tiles read (with their uncompressed form); nil: 64 MiB.
	Cache blob.Cache
	// Timeout bounds each request's reading of a file.
	Timeout time.Duration
	// Web holds the built front end; nil is the one embedded in the binary.
	Web fs.FS
}

type fileHandlers struct {
	byName map[string]NamedTileFile
	names  []string
	cache  blob.Cache
}

// MountFiles adds the routes of a server of tile files to e.
func MountFiles(e *echo.Echo, cfg FilesConfig) {
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Web == nil {
		cfg.Web = webmap.Dist()
	}
	if cfg.Cache == nil {
		cfg.Cache = blob.NewLRU(64 << 20)
	}
	h := &fileHandlers{byName: map[string]NamedTileFile{}, cache: cfg.Cache}
	for _, f := range cfg.Files {
		h.byName[f.Name] = f
		h.names = append(h.names, f.Name)
	}
	bounded := []echo.MiddlewareFunc{httpx.Timeout(cfg.Timeout), problems}
	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", h.readyz)
	e.GET("/tiles.json", h.catalogue)
	e.GET("/tiles/:name", h.tileJSON)
	e.GET("/tiles/:layer/:z/:x/:y", h.tile, bounded...)
	api := e.Group("/api/v1")
	// The map asks for these at start: honest answers, no indicator.
	api.GET("/indicators", func(c echo.Context) error {
		c.Response().Header().Set("Cache-Control", catalogueCache)
		return c.JSON(http.StatusOK, indicatorList{Indicators: []diagnostic.IndicatorInfo{}})
	})
	api.GET("/default-view", func(c echo.Context) error {
		return c.JSON(http.StatusOK, DefaultViewBody{})
	})
	api.Any("/*", noDatabase)
	e.RouteNotFound("/*", newWebFrontEnd(cfg.Web).handle)
}

// noDatabase answers what needs the database.
func noDatabase(c echo.Context) error {
	return &httpx.Problem{Type: "/problems/no-database", Title: "Service indisponible sans base de données", Status: http.StatusServiceUnavailable,
		Detail: "ce serveur ne sert que des fichiers de tuiles (atlas serve --mbtiles) : " + c.Request().URL.Path + " demande la base de données"}
}

// readyz is ready as soon as the files are open: there is no database to
// wait for.
func (h *fileHandlers) readyz(c echo.Context) error {
	layers := map[string]int{}
	for _, f := range h.byName {
		layers[f.Name] = f.Tiles
	}
	return c.JSON(http.StatusOK, map[string]any{"status": "ready", "database": "none: tiles from files", "layers": layers})
}

// fileTileJSON is a file's TileJSON; Atlas carries what the file says of
// the indicator its tiles hold (atlas:... metadata, without the prefix),
// for the map to draw its legend.
type fileTileJSON struct {
	tiles.TileJSON
	Atlas map[string]string `json:"atlas,omitempty"`
}

func (h *fileHandlers) tileJSONOf(c echo.Context, f NamedTileFile) fileTileJSON {
	md := f.File.Metadata()
	out := fileTileJSON{TileJSON: tiles.TileJSON{
		TileJSON: "3.0.0", Name: f.Name, Description: md.Description, Version: md.Version, Attribution: md.Attribution,
		Scheme: "xyz", Tiles: []string{baseURL(c) + "/" + f.Name + "/{z}/{x}/{y}.mvt"},
		MinZoom: md.MinZoom, MaxZoom: md.MaxZoom, Bounds: md.Bounds, Center: md.Center,
	}}
	if out.Version == "" {
		out.Version = "1.0.0"
	}
	for _, l := range md.VectorLayers {
		out.VectorLayers = append(out.VectorLayers, tiles.VectorLayer{ID: l.ID, Description: l.Description, MinZoom: l.MinZoom, MaxZoom: l.MaxZoom, Fields: l.Fields})
	}
	for k, v := range md.Extra {
		if name, ok := strings.CutPrefix(k, "atlas:"); ok {
			if out.Atlas == nil {
				out.Atlas = map[string]string{}
			}
			out.Atlas[name] = v
		}
	}
	return out
}

func (h *fileHandlers) catalogue(c echo.Context) error {
	out := make([]fileTileJSON, 0, len(h.names))
	for _, n := range h.names {
		out = append(out, h.tileJSONOf(c, h.byName[n]))
	}
	c.Response().Header().Set("Cache-Control", catalogueCache)
	return c.JSON(http.StatusOK, out)
}

func (h *fileHandlers) tileJSON(c echo.Context) error {
	name, ok := strings.CutSuffix(c.Param("name"), ".json")
	if !ok {
		return httpx.NotFound("ressource inconnue : /tiles/" + c.Param("name"))
	}
	f, err := h.file(name)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", catalogueCache)
	return c.JSON(http.StatusOK, h.tileJSONOf(c, f))
}

func (h *fileHandlers) file(name string) (NamedTileFile, error) {
	f, ok := h.byName[name]
	if !ok {
		return f, httpx.UnknownParam("layer", "couche inconnue de ces fichiers : "+name, h.names...)
	}
	return f, nil
}

// fileTileRejects are the parameters of live tiles that a file cannot
// honour: its values, if any, are those it was exported with.
var fileTileRejects = append([]string{"indicator", "period", "sex", "sector"}, valueTileRejects...)

func (h *fileHandlers) tile(c echo.Context) error {
	f, err := h.file(c.Param("layer"))
	if err != nil {
		return err
	}
	z, x, y, err := tileAt(c)
	if err != nil {
		return err
	}
	q := c.QueryParams()
	for _, p := range fileTileRejects {
		if q.Has(p) {
			return httpx.BadParam(p, "non accepté : ce serveur sert des fichiers de tuiles, dont les valeurs sont celles de l'export")
		}
	}
	md := f.File.Metadata()
	if z > md.MaxZoom {
		// The live server would cut it from its last zoom; a file cannot,
		// and its TileJSON tells clients to overzoom instead.
		return httpx.NotFound(fmt.Sprintf("le fichier %s s'arrête au zoom %d : les clients agrandissent ses tuiles au-delà", f.Name, md.MaxZoom))
	}
	key := "file/" + f.Name + "/" + strconv.Itoa(z) + "/" + strconv.Itoa(x) + "/" + strconv.Itoa(y)
	ctx := c.Request().Context()
	b, ok := h.cache.Get(ctx, key)
	if !ok {
		data, err := f.File.Tile(ctx, z, x, y)
		if err != nil {
			return err
		}
		if data == nil {
			b = &blob.Body{} // empty, as the live server's tiles where no territory is
		} else if b, err = blob.FromGzip(data); err != nil {
			return fmt.Errorf("%s: tile %d/%d/%d: %w", f.Name, z, x, y, err)
		}
		h.cache.Set(ctx, key, b)
	}
	return httpx.SendEncoded(c, b, mvtType, tileCache)
}
