package ogcapi

import (
	"context"
	"math"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

// The one tiling scheme served, by its registered URI (clients compare
// the URI, not the id).
const (
	tmsID         = "WebMercatorQuad"
	tmsURI        = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
	relTiling     = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
	relGeodata    = "http://www.opengis.net/def/rel/ogc/1.0/geodata"
	tmsMaxZoom    = 24
	tileCache     = "public, max-age=3600" // as /tiles: revalidated by ETag
	valueTileLife = "public, max-age=300"  // values change with indicator imports
)

// WebMercatorQuad's level 0, from OGC 17-083r4 (TMS 2.0), Annex D.1: a
// 256-pixel tile of 0.28 mm pixels covers the square world.
const (
	scaleDenominator0 = 559082264.028717
	cellSize0         = 156543.033928041
)

type tileMatrix struct {
	ID               string     `json:"id"`
	ScaleDenominator float64    `json:"scaleDenominator"`
	CellSize         float64    `json:"cellSize"`
	CornerOfOrigin   string     `json:"cornerOfOrigin"`
	PointOfOrigin    [2]float64 `json:"pointOfOrigin"`
	TileWidth        int        `json:"tileWidth"`
	TileHeight       int        `json:"tileHeight"`
	MatrixWidth      int        `json:"matrixWidth"`
	MatrixHeight     int        `json:"matrixHeight"`
}

func (h *handlers) tileMatrixSets(c echo.Context) error {
	if err := checkQuery(c); err != nil {
		return err
	}
	r := root(c)
	return sendJSON(c, typeJSON, map[string]any{
		"links": []link{{Href: r + "/tileMatrixSets", Rel: "self", Type: typeJSON}},
		"tileMatrixSets": []map[string]any{{
			"id": tmsID, "title": "Google Maps Compatible for the World", "uri": tmsURI, "crs": mercator.URI,
			"links": []link{{Href: r + "/tileMatrixSets/" + tmsID, Rel: relTiling, Type: typeJSON, Title: tmsID}},
		}},
	})
}

func (h *handlers) webMercatorQuad(c echo.Context) error {
	if err := checkQuery(c); err != nil {
		return err
	}
	ms := make([]tileMatrix, tmsMaxZoom+1)
	for z := range ms {
		n := 1 << z
		ms[z] = tileMatrix{ID: strconv.Itoa(z), ScaleDenominator: scaleDenominator0 / float64(n), CellSize: cellSize0 / float64(n),
			CornerOfOrigin: "topLeft", PointOfOrigin: [2]float64{-webMercatorMax, webMercatorMax},
			TileWidth: 256, TileHeight: 256, MatrixWidth: n, MatrixHeight: n}
	}
	return sendJSON(c, typeJSON, map[string]any{
		"id": tmsID, "title": "Google Maps Compatible for the World", "uri": tmsURI, "crs": mercator.URI,
		"orderedAxes": []string{"X", "Y"}, "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
		"tileMatrices": ms,
	})
}

// limit is the rectangle of tiles of one zoom that covers a layer.
type limit struct {
	TileMatrix string `json:"tileMatrix"`
	MinTileRow int    `json:"minTileRow"`
	MaxTileRow int    `json:"maxTileRow"`
	MinTileCol int    `json:"minTileCol"`
	MaxTileCol int    `json:"maxTileCol"`
}

// limits are the tiles covering the layer's bounds at every zoom it
// serves, from its first zoom to its last (clients overzoom beyond).
func limits(k coll) []limit {
	b := k.Layer.Bounds
	out := make([]limit, 0, k.Layer.MaxZoom-k.Layer.MinZoom+1)
	for z := k.Layer.MinZoom; z <= k.Layer.MaxZoom; z++ {
		nw := maptile.At(orb.Point{b[0], math.Min(b[3], 85.0511)}, maptile.Zoom(z))
		se := maptile.At(orb.Point{b[2], math.Max(b[1], -85.0511)}, maptile.Zoom(z))
		out = append(out, limit{TileMatrix: strconv.Itoa(z), MinTileRow: int(nw.Y), MaxTileRow: int(se.Y), MinTileCol: int(nw.X), MaxTileCol: int(se.X)})
	}
	return out
}

// tileQuery is what an indicator's tiles carry over from the request.
func tileQuery(c echo.Context, k coll) string {
	v := url.Values{}
	for _, p := range indicatorParams {
		if s := c.QueryParam(p); s != "" && k.Entry != nil {
			v.Set(p, s)
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

func (h *handlers) tilesetSummary(r string, c echo.Context, k coll) map[string]any {
	base := r + "/collections/" + k.ID + "/tiles/" + tmsID
	return map[string]any{
		"title": h.describe(r, k).Title, "dataType": "vector", "crs": mercator.URI, "tileMatrixSetURI": tmsURI,
		"links": []link{
			{Href: base + tileQuery(c, k), Rel: "self", Type: typeJSON, Title: "Tuiles " + tmsID},
			{Href: r + "/tileMatrixSets/" + tmsID, Rel: relTiling, Type: typeJSON, Title: tmsID},
		},
	}
}

func (h *handlers) tilesets(c echo.Context) error {
	k, err := h.find(c.Request().Context(), c.Param("collectionId"))
	if err != nil {
		return err
	}
	if err := checkQueryFor(c, k); err != nil {
		return err
	}
	r := root(c)
	return sendJSON(c, typeJSON, map[string]any{
		"links":    []link{{Href: r + "/collections/" + k.ID + "/tiles", Rel: "self", Type: typeJSON}},
		"tilesets": []map[string]any{h.tilesetSummary(r, c, k)},
	})
}

func (h *handlers) tileset(c echo.Context) error {
	k, err := h.find(c.Request().Context(), c.Param("collectionId"))
	if err != nil {
		return err
	}
	if err := checkQueryFor(c, k); err != nil {
		return err
	}
	r := root(c)
	d := h.tilesetSummary(r, c, k)
	b := outward(k.Layer.Bounds)
	d["description"] = h.describe(r, k).Description
	d["tileMatrixSetLimits"] = limits(k)
	d["boundingBox"] = map[string]any{"lowerLeft": [2]float64{b[0], b[1]}, "upperRight": [2]float64{b[2], b[3]}, "crs": crs84.URI}
	d["minTileMatrix"], d["maxTileMatrix"] = strconv.Itoa(k.Layer.MinZoom), strconv.Itoa(k.Layer.MaxZoom)
	fields := map[string]any{}
	for _, p := range k.properties() {
		t := "string"
		if p == "value" || p == "class" {
			t = "number"
		}
		fields[p] = map[string]any{"type": t}
	}
	if k.Entry != nil {
		fields["class"] = map[string]any{"type": "number", "description": "classe de la légende par défaut"}
		delete(fields, "indicator")
		delete(fields, "period")
		delete(fields, "sex")
		delete(fields, "sector")
	}
	d["layers"] = []map[string]any{{"id": k.Layer.Name, "dataType": "vector", "geometryDimension": 2,
		"minTileMatrix": strconv.Itoa(k.Layer.MinZoom), "maxTileMatrix": strconv.Itoa(k.Layer.MaxZoom),
		"propertiesSchema": map[string]any{"type": "object", "properties": fields}}}
	links := d["links"].([]link)
	links = append(links,
		link{Href: r + "/collections/" + k.ID + "/tiles/" + tmsID + "/{tileMatrix}/{tileRow}/{tileCol}" + tileQuery(c, k), Rel: "item", Type: typeMVT, Templated: true, Title: "Tuile"},
		link{Href: r + "/collections/" + k.ID, Rel: relGeodata, Type: typeJSON, Title: "La collection"})
	if k.Entry == nil {
		site := r[:len(r)-len("/ogc")]
		links = append(links, link{Href: site + "/tiles/" + k.Layer.Name + ".json", Rel: "describedby", Type: typeJSON, Title: "TileJSON"})
	}
	d["links"] = links
	return sendJSON(c, typeJSON, d)
}

// tile serves tile {tileMatrix}/{tileRow}/{tileCol}: the same bytes as
// /tiles/{layer}/{z}/{x}/{y}.mvt (with values baked in for an indicator's
// collection), from the same cache; a tile outside the layer's limits is a
// 404, an empty one inside them a 204.
func (h *handlers) tile(c echo.Context) error {
	ctx := c.Request().Context()
	k, err := h.find(ctx, c.Param("collectionId"))
	if err != nil {
		return err
	}
	if err := checkQueryFor(c, k); err != nil {
		return err
	}
	var zxy [3]int
	for i, p := range []string{"tileMatrix", "tileCol", "tileRow"} {
		n, err := strconv.Atoi(c.Param(p))
		if err != nil {
			return httpx.BadParam(p, "un entier")
		}
		zxy[i] = n
	}
	z, x, y := zxy[0], zxy[1], zxy[2]
	if z < k.Layer.MinZoom || z > k.Layer.MaxZoom {
		return httpx.NotFound("niveau de tuile " + strconv.Itoa(z) + " hors de " + strconv.Itoa(k.Layer.MinZoom) + "…" + strconv.Itoa(k.Layer.MaxZoom) + " pour " + k.ID)
	}
	lim := limits(k)[z-k.Layer.MinZoom]
	if y < lim.MinTileRow || y > lim.MaxTileRow || x < lim.MinTileCol || x > lim.MaxTileCol {
		return httpx.NotFound("tuile " + c.Param("tileMatrix") + "/" + c.Param("tileRow") + "/" + c.Param("tileCol") + " hors des limites de " + k.ID)
	}
	var b *blob.Body
	cache := tileCache
	if k.Entry == nil {
		b, err = h.tiles.Tile(ctx, k.Layer, z, x, y)
	} else {
		cache = valueTileLife
		b, err = h.valueTile(ctx, c, k, z, x, y)
	}
	if err != nil {
		return err
	}
	return httpx.SendEncoded(c, b, typeMVT, cache)
}

func (h *handlers) valueTile(ctx context.Context, c echo.Context, k coll, z, x, y int) (*blob.Body, error) {
	return h.diag.ValueTile(ctx, k.Layer, z, x, y, diagnostic.TileQuery{Indicator: k.Entry.ID(),
		Period: c.QueryParam("period"), Sex: c.QueryParam("sex"), Sector: c.QueryParam("sector")})
}
