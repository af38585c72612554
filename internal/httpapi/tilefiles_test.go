package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/export/mbtiles"
	"github.com/atlas-sante-travail/atlas/internal/export/tileset"
	"github.com/atlas-sante-travail/atlas/internal/httpapi"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/server"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// fileFixture writes an MBTiles file of one square near Toulouse at zooms
// 4 to 6 and serves it as "occitanie" with no database.
func fileFixture(t testing.TB) (*echo.Echo, map[maptile.Tile][]byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "occitanie.mbtiles")
	w, err := mbtiles.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[maptile.Tile][]byte{}
	for z := maptile.Zoom(4); z <= 6; z++ {
		tile := maptile.At(orb.Point{1.44, 43.6}, z)
		fc := geojson.NewFeatureCollection()
		f := geojson.NewFeature(orb.Polygon{{{1.4, 43.57}, {1.48, 43.57}, {1.48, 43.64}, {1.4, 43.64}, {1.4, 43.57}}})
		f.Properties = geojson.Properties{"code": "31", "class": 2}
		fc.Append(f)
		layers := mvt.NewLayers(map[string]*geojson.FeatureCollection{"departements": fc})
		layers.ProjectToTile(tile)
		raw, err := mvt.Marshal(layers)
		if err != nil {
			t.Fatal(err)
		}
		b, err := blob.New(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Put(int(tile.Z), int(tile.X), int(tile.Y), b.Gzip); err != nil {
			t.Fatal(err)
		}
		stored[tile] = b.Gzip
	}
	if _, err := w.Close(tileset.Metadata{Name: "Occitanie", Description: "Départements d'Occitanie", Attribution: "IGN",
		Bounds: [4]float64{-0.33, 42.33, 4.85, 45.05}, Center: [3]float64{2.2, 43.7, 5}, MinZoom: 4, MaxZoom: 6,
		VectorLayers: []tileset.VectorLayer{{ID: "departements", MinZoom: 4, MaxZoom: 6, Fields: map[string]string{"code": "String", "class": "Number"}}},
		Extra:        map[string]string{"atlas:indicator": "taux-at", "atlas:legend": `{"colors":["#fee5d9"]}`}}); err != nil {
		t.Fatal(err)
	}
	r, err := mbtiles.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	e := server.NewFiles(server.Config{Web: fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>Atlas</title>")}}},
		[]httpapi.NamedTileFile{{Name: "occitanie", File: r, Tiles: len(stored)}})
	return e, stored
}

func serve(e http.Handler, method, path string, hdr ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// TestFilesTiles: the tiles as stored to clients that take gzip, unzipped
// for the others, with the live server's ETags, 304s, 204 where the file
// has no tile and the problems of the live server for bad coordinates.
func TestFilesTiles(t *testing.T) {
	e, stored := fileFixture(t)
	tile := maptile.At(orb.Point{1.44, 43.6}, 5)
	gz := stored[tile]
	raw, err := tileset.Gunzip(gz)
	if err != nil {
		t.Fatal(err)
	}
	live, _ := blob.New(raw)
	url := "/tiles/occitanie/5/" + itoa(int(tile.X)) + "/" + itoa(int(tile.Y)) + ".mvt"

	rec := serve(e, http.MethodGet, url, "Accept-Encoding", "gzip")
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "gzip" || !bytes.Equal(rec.Body.Bytes(), gz) ||
		rec.Header().Get("ETag") != live.GzipETag || rec.Header().Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
		t.Errorf("gzip: %d %v, %d bytes (stored %d)", rec.Code, rec.Header(), rec.Body.Len(), len(gz))
	}
	rec = serve(e, http.MethodGet, url)
	if rec.Code != 200 || rec.Header().Get("Content-Encoding") != "" || !bytes.Equal(rec.Body.Bytes(), raw) || rec.Header().Get("ETag") != live.ETag {
		t.Errorf("identity: %d %v, %d bytes (raw %d)", rec.Code, rec.Header(), rec.Body.Len(), len(raw))
	}
	if rec := serve(e, http.MethodGet, url, "If-None-Match", live.GzipETag, "Accept-Encoding", "gzip"); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", rec.Code)
	}

	for _, tc := range []struct {
		name, path string
		status     int
		param      string // the invalid parameter named, if any
	}{
		{"no tile there", "/tiles/occitanie/5/0/0.mvt", http.StatusNoContent, ""},
		{"below the file's zooms", "/tiles/occitanie/2/2/1.mvt", http.StatusNoContent, ""},
		{"beyond the file's zooms", "/tiles/occitanie/9/257/187.mvt", http.StatusNotFound, ""},
		{"x out of range", "/tiles/occitanie/5/32/11.mvt", http.StatusBadRequest, "x"},
		{"not .mvt", "/tiles/occitanie/5/16/11.png", http.StatusBadRequest, "y"},
		{"unknown file", "/tiles/departements/5/16/11.mvt", http.StatusNotFound, "layer"},
		{"values asked of a file", "/tiles/occitanie/5/16/11.mvt?indicator=taux-at", http.StatusBadRequest, "indicator"},
		{"unknown TileJSON", "/tiles/departements.json", http.StatusNotFound, "layer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := serve(e, http.MethodGet, tc.path)
			if rec.Code != tc.status {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			if tc.status >= 400 {
				var p httpx.Problem
				if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != tc.status || p.Detail == "" && len(p.InvalidParams) == 0 {
					t.Fatalf("problem %s (%v)", rec.Body, err)
				}
				if tc.param != "" && (len(p.InvalidParams) == 0 || p.InvalidParams[0].Name != tc.param) {
					t.Errorf("problem names %+v, want %s", p.InvalidParams, tc.param)
				}
			}
		})
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestFilesMetadataAndMap: TileJSON from the file's metadata, and what the
// map asks at start answered honestly: no indicator, a default view, 503
// for what needs the database; ready without one.
func TestFilesMetadataAndMap(t *testing.T) {
	e, _ := fileFixture(t)
	var cat []struct {
		tiles.TileJSON
		Atlas map[string]string `json:"atlas"`
	}
	rec := serve(e, http.MethodGet, "/tiles.json")
	if err := json.Unmarshal(rec.Body.Bytes(), &cat); err != nil || len(cat) != 1 {
		t.Fatalf("tiles.json %d %s", rec.Code, rec.Body)
	}
	tj := cat[0]
	if tj.Name != "occitanie" || tj.Tiles[0] != "http://example.com/tiles/occitanie/{z}/{x}/{y}.mvt" || tj.MinZoom != 4 || tj.MaxZoom != 6 ||
		tj.Bounds != [4]float64{-0.33, 42.33, 4.85, 45.05} || tj.Scheme != "xyz" || len(tj.VectorLayers) != 1 ||
		tj.VectorLayers[0].ID != "departements" || tj.VectorLayers[0].Fields["class"] != "Number" ||
		tj.Atlas["indicator"] != "taux-at" || tj.Atlas["legend"] == "" {
		t.Errorf("TileJSON %+v", tj)
	}
	if rec := serve(e, http.MethodGet, "/tiles/occitanie.json"); rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte(`"name":"occitanie"`)) {
		t.Errorf("/tiles/occitanie.json %d %s", rec.Code, rec.Body)
	}
	for _, tc := range []struct {
		method, path string
		status       int
		body         string
	}{
		{http.MethodGet, "/healthz", 200, `{"status":"ok"}`},
		{http.MethodGet, "/readyz", 200, `{"database":"none: tiles from files","layers":{"occitanie":3},"status":"ready"}`},
		{http.MethodGet, "/api/v1/indicators", 200, `{"count":0,"indicators":[]}`},
		{http.MethodGet, "/api/v1/default-view", 200, `{"region":null,"indicator":null}`},
		{http.MethodGet, "/api/v1/territories?level=region", 503, ""},
		{http.MethodGet, "/api/v1/indicators/taux-at/choropleth", 503, ""},
		{http.MethodPost, "/api/v1/workshops", 503, ""},
		{http.MethodGet, "/", 200, ""},
		{http.MethodGet, "/nulle-part", 404, ""},
	} {
		rec := serve(e, tc.method, tc.path)
		body := bytes.TrimSpace(rec.Body.Bytes())
		if rec.Code != tc.status || tc.body != "" && string(body) != tc.body {
			t.Errorf("%s %s: %d %s", tc.method, tc.path, rec.Code, body)
		}
		if tc.status == 503 {
			var p httpx.Problem
			if json.Unmarshal(body, &p) != nil || p.Type != "/problems/no-database" || rec.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: %s %s", tc.path, rec.Header().Get("Content-Type"), body)
			}
		}
	}
}

// TestFilesRoutesAreDocumented: the file server's routes are routes of the
// live server, so api/openapi.yaml (checked against those) covers them.
func TestFilesRoutesAreDocumented(t *testing.T) {
	e, _ := fileFixture(t)
	live := map[string]bool{}
	for _, r := range server.New(server.Config{}).Routes() {
		live[r.Method+" "+r.Path] = true
	}
	for _, r := range e.Routes() {
		if r.Path == "/*" || r.Path == "/api/v1/*" || r.Method == echo.RouteNotFound {
			continue // the front end, and the 503 of everything needing the database
		}
		if !live[r.Method+" "+r.Path] {
			t.Errorf("%s %s is not a route of the live server", r.Method, r.Path)
		}
	}
}
