package ogcapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"testing"
)

const (
	tmsURI    = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
	relTiling = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
)

type tilesetDoc struct {
	DataType            string `json:"dataType"`
	TileMatrixSetURI    string `json:"tileMatrixSetURI"`
	CRS                 string `json:"crs"`
	TileMatrixSetLimits []struct {
		TileMatrix string `json:"tileMatrix"`
		MinTileRow int    `json:"minTileRow"`
		MaxTileRow int    `json:"maxTileRow"`
		MinTileCol int    `json:"minTileCol"`
		MaxTileCol int    `json:"maxTileCol"`
	} `json:"tileMatrixSetLimits"`
	Links []link `json:"links"`
}

func TestTiles(t *testing.T) {
	f := setup(t)

	// The tiling scheme, by its registered URI, and its definition.
	var sets struct {
		TileMatrixSets []struct {
			ID    string `json:"id"`
			URI   string `json:"uri"`
			Links []link `json:"links"`
		} `json:"tileMatrixSets"`
	}
	getJSON(t, f.srv.URL+"/ogc/tileMatrixSets", &sets)
	if len(sets.TileMatrixSets) != 1 || sets.TileMatrixSets[0].URI != tmsURI || sets.TileMatrixSets[0].Links[0].Href != f.srv.URL+"/ogc/tileMatrixSets/WebMercatorQuad" {
		t.Errorf("tileMatrixSets %+v", sets)
	}
	var tms struct {
		URI          string `json:"uri"`
		CRS          string `json:"crs"`
		TileMatrices []struct {
			ID               string     `json:"id"`
			ScaleDenominator float64    `json:"scaleDenominator"`
			MatrixWidth      int        `json:"matrixWidth"`
			PointOfOrigin    [2]float64 `json:"pointOfOrigin"`
		} `json:"tileMatrices"`
	}
	getJSON(t, f.srv.URL+"/ogc/tileMatrixSets/WebMercatorQuad", &tms)
	if len(tms.TileMatrices) != 25 || tms.URI != tmsURI || tms.CRS != "http://www.opengis.net/def/crs/EPSG/0/3857" {
		t.Fatalf("WebMercatorQuad: %d matrices, %s %s", len(tms.TileMatrices), tms.URI, tms.CRS)
	}
	if m := tms.TileMatrices[10]; m.ID != "10" || m.MatrixWidth != 1024 || int(m.ScaleDenominator) != 545978 || m.PointOfOrigin[0] > -20037508.34 {
		t.Errorf("matrix 10: %+v", m)
	}

	// Each collection links its tilesets with the full-URI relation.
	var coll struct {
		Links []link `json:"links"`
	}
	getJSON(t, f.srv.URL+"/ogc/collections/departements", &coll)
	if l, ok := linkOf(coll.Links, "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"); !ok || l.Href != f.srv.URL+"/ogc/collections/departements/tiles" {
		t.Errorf("tilesets-vector link %+v", l)
	}
	var list struct {
		Tilesets []tilesetDoc `json:"tilesets"`
	}
	getJSON(t, f.srv.URL+"/ogc/collections/departements/tiles", &list)
	if len(list.Tilesets) != 1 || list.Tilesets[0].TileMatrixSetURI != tmsURI || list.Tilesets[0].DataType != "vector" {
		t.Fatalf("tilesets %+v", list)
	}
	if l, ok := linkOf(list.Tilesets[0].Links, relTiling); !ok || l.Href != f.srv.URL+"/ogc/tileMatrixSets/WebMercatorQuad" {
		t.Errorf("tiling-scheme link %+v", l)
	}

	// The tileset: a limit for every zoom the layer serves, each one
	// holding the layer's tiles.
	layer, _ := f.svc.Layer("departements")
	var ts tilesetDoc
	getJSON(t, f.srv.URL+"/ogc/collections/departements/tiles/WebMercatorQuad", &ts)
	if len(ts.TileMatrixSetLimits) != layer.MaxZoom-layer.MinZoom+1 || ts.TileMatrixSetURI != tmsURI {
		t.Fatalf("limits %+v for zooms %d..%d", ts.TileMatrixSetLimits, layer.MinZoom, layer.MaxZoom)
	}
	for i, l := range ts.TileMatrixSetLimits {
		n := 1 << (layer.MinZoom + i)
		if l.TileMatrix != strconv.Itoa(layer.MinZoom+i) || l.MinTileRow > l.MaxTileRow || l.MinTileCol > l.MaxTileCol || l.MaxTileRow >= n || l.MaxTileCol >= n || l.MinTileRow < 0 || l.MinTileCol < 0 {
			t.Errorf("limit %+v", l)
		}
	}
	item, ok := linkOf(ts.Links, "item")
	if want := f.srv.URL + "/ogc/collections/departements/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"; !ok || item.Href != want || !item.Templated ||
		item.Type != "application/vnd.mapbox-vector-tile" {
		t.Errorf("item link %+v", item)
	}
	if l, ok := linkOf(ts.Links, "describedby"); !ok || l.Href != f.srv.URL+"/tiles/departements.json" {
		t.Errorf("TileJSON link %+v", l)
	}

	// z/y/x serves the bytes of /tiles/{layer}/{z}/{x}/{y}.mvt: Toulouse at zoom 5 is column 16, row 11.
	for _, c := range []struct{ ogc, tiles string }{
		{"/ogc/collections/departements/tiles/WebMercatorQuad/5/11/16", "/tiles/departements/5/16/11.mvt"},
		{"/ogc/collections/regions/tiles/WebMercatorQuad/0/0/0", "/tiles/regions/0/0/0.mvt"},
		{"/ogc/collections/departements.taux-at/tiles/WebMercatorQuad/5/11/16", "/tiles/departements/5/16/11.mvt?indicator=taux-at"},
		{"/ogc/collections/departements.taux-at/tiles/WebMercatorQuad/5/11/16?period=2021", "/tiles/departements/5/16/11.mvt?indicator=taux-at&period=2021"},
	} {
		a, b := get(t, f.srv.URL+c.ogc, "Accept-Encoding", "gzip"), get(t, f.srv.URL+c.tiles, "Accept-Encoding", "gzip")
		ab, bb := body(t, a), body(t, b)
		if a.StatusCode != http.StatusOK || b.StatusCode != http.StatusOK || len(ab) == 0 || !bytes.Equal(ab, bb) ||
			a.Header.Get("ETag") != b.Header.Get("ETag") || a.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
			t.Errorf("%s (%d, %d bytes, %s) is not %s (%d, %d bytes, %s)", c.ogc, a.StatusCode, len(ab), a.Header.Get("ETag"), c.tiles, b.StatusCode, len(bb), b.Header.Get("ETag"))
		}
	}
	var withPeriod tilesetDoc
	getJSON(t, f.srv.URL+"/ogc/collections/departements.taux-at/tiles/WebMercatorQuad?period=2021", &withPeriod)
	if l, _ := linkOf(withPeriod.Links, "item"); l.Href != f.srv.URL+"/ogc/collections/departements.taux-at/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}?period=2021" {
		t.Errorf("the item link drops the period: %s", l.Href)
	}

	// Out of the limits: 404; not a number: 400.
	lim5 := ts.TileMatrixSetLimits[5-layer.MinZoom]
	for _, p := range []string{
		fmt.Sprintf("%d/0/0", layer.MaxZoom+1), "25/0/0",
		fmt.Sprintf("5/%d/%d", lim5.MaxTileRow+1, lim5.MinTileCol), fmt.Sprintf("5/%d/%d", lim5.MinTileRow, lim5.MaxTileCol+1),
		fmt.Sprintf("5/%d/%d", lim5.MinTileRow-1, lim5.MinTileCol), "5/99999/16",
	} {
		getProblem(t, f.srv.URL+"/ogc/collections/departements/tiles/WebMercatorQuad/"+p, http.StatusNotFound, "")
	}
	getProblem(t, f.srv.URL+"/ogc/collections/departements/tiles/WebMercatorQuad/5/x/16", http.StatusBadRequest, "tileRow")
	getProblem(t, f.srv.URL+"/ogc/collections/nope/tiles/WebMercatorQuad/5/11/16", http.StatusNotFound, "")
}
