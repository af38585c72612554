package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

const (
	mvtType = "application/vnd.mapbox-vector-tile"
	// Territory tiles change with a territory import only, and their URL
	// does not say which: an hour, revalidated by ETag.
	tileCache = "public, max-age=3600"
	// Values change with indicator imports: a shorter life.
	valueTileCache = "public, max-age=300"
	catalogueCache = "public, max-age=60"
)

// baseURL rebuilds the public URL of the tiles root from the request, so
// that TileJSON works behind any host name or proxy.
func baseURL(c echo.Context) string {
	return c.Scheme() + "://" + c.Request().Host + "/tiles"
}

func (h *handlers) catalogue(c echo.Context) error {
	out := []tiles.TileJSON{}
	for _, l := range h.tiles.Layers() {
		out = append(out, l.TileJSON(baseURL(c)))
	}
	c.Response().Header().Set("Cache-Control", catalogueCache)
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) tileJSON(c echo.Context) error {
	name, ok := strings.CutSuffix(c.Param("name"), ".json")
	if !ok {
		return httpx.NotFound("ressource inconnue : /tiles/" + c.Param("name"))
	}
	l, err := h.layer(name)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", catalogueCache)
	return c.JSON(http.StatusOK, l.TileJSON(baseURL(c)))
}

// layer returns a loaded layer, or the 404 naming the parameter and the
// layers there are.
func (h *handlers) layer(name string) (*tiles.Layer, error) {
	l, ok := h.tiles.Layer(name)
	if !ok {
		var names []string
		for _, l := range h.tiles.Layers() {
			names = append(names, l.Name)
		}
		return nil, httpx.UnknownParam("layer", "couche inconnue ou non importée : "+name, names...)
	}
	return l, nil
}

// valueTileRejects are the map parameters a tile with values does not
// take: its level is its layer's and its classes the default ones.
var valueTileRejects = []string{"level", "method", "classes", "palette", "breaks"}

// tileAt reads a tile's coordinates from its path (…/{z}/{x}/{y}.mvt), for
// the live tiles and the files' alike.
func tileAt(c echo.Context) (z, x, y int, err error) {
	ys, ok := strings.CutSuffix(c.Param("y"), ".mvt")
	if !ok {
		ys, ok = strings.CutSuffix(c.Param("y"), ".pbf")
	}
	if !ok {
		return 0, 0, 0, httpx.BadParam("y", "la tuile doit finir par .mvt (par exemple /tiles/departements/5/16/11.mvt)")
	}
	z, x, y, err = tiles.ParseTile(c.Param("z"), c.Param("x"), ys)
	if err == nil {
		return z, x, y, nil // before errors.As, whose target escapes
	}
	var te *tiles.TileCoordError
	if errors.As(err, &te) {
		return 0, 0, 0, httpx.BadParam(te.Param, te.Reason)
	}
	return z, x, y, err
}

func (h *handlers) tile(c echo.Context) error {
	l, err := h.layer(c.Param("layer"))
	if err != nil {
		return err
	}
	z, x, y, err := tileAt(c)
	if err != nil {
		return err
	}
	// A territory tile has no query to parse (parsing allocates the map).
	var q url.Values
	if c.Request().URL.RawQuery != "" {
		q = c.QueryParams()
	}
	if !q.Has("indicator") {
		t, err := h.tiles.Tile(c.Request().Context(), l, z, x, y)
		if err != nil {
			return err
		}
		return httpx.SendEncoded(c, t, mvtType, tileCache)
	}
	for _, p := range valueTileRejects {
		if q.Get(p) != "" {
			return httpx.BadParam(p, "non accepté sur les tuiles : elles suivent la classification par défaut")
		}
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.cfg.Timeout)
	defer cancel()
	t, err := h.diag.ValueTile(ctx, l, z, x, y, diagnostic.TileQuery{
		Indicator: q.Get("indicator"), Period: q.Get("period"), Sex: q.Get("sex"), Sector: q.Get("sector")})
	if err != nil {
		return err
	}
	return httpx.SendEncoded(c, t, mvtType, valueTileCache)
}
