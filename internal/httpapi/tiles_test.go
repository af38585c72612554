package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/server"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func mirrorFile(t testing.TB, name string) string { return datasettest.File(t, name) }

type fixture struct {
	st  *store.Store
	svc *tiles.Service
	srv *httptest.Server
}

// setup imports départements and zones d'emploi into a fresh database and
// serves them on a loopback server.
func setup(t *testing.T) fixture {
	t.Helper()
	st := storetest.New(t)
	ctx := context.Background()
	for _, o := range []importer.TerritoryOptions{
		{Level: territory.Departement, Files: []string{mirrorFile(t, "departements/departements-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom",
			ParentTable: mirrorFile(t, "derived/ze2020_composition_communale_geo2023.csv"), ParentKey: "DEP", ParentColumns: map[territory.Level]string{territory.Region: "REG"}},
		{Level: territory.ZoneEmploi, Files: []string{mirrorFile(t, "zones-emploi/ze2020_2022.shp")}, CodeField: "ze2020", NameField: "libze2020", Vintage: "ZE2020"},
	} {
		if _, err := importer.ImportTerritories(ctx, st, o); err != nil {
			t.Fatal(err)
		}
	}
	metrics := httpx.NewMetrics()
	svc := tiles.NewService(st, blob.NewLRU(64<<20), tiles.Options{PrewarmMaxZoom: 4, Observer: metrics})
	if err := svc.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{Store: st, Tiles: svc, Metrics: metrics}))
	t.Cleanup(srv.Close)
	return fixture{st: st, svc: svc, srv: srv}
}

func get(t *testing.T, url string, headers ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	// The default transport would add and strip gzip behind our back.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func body(t *testing.T, r *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tileSummary is what the golden files hold: the decoded content of a tile,
// stable across encoder details that do not change what a client sees.
type tileSummary struct {
	Layer    string           `json:"layer"`
	Version  uint32           `json:"version"`
	Extent   uint32           `json:"extent"`
	Features []featureSummary `json:"features"`
}

type featureSummary struct {
	ID         uint64         `json:"id"`
	Properties map[string]any `json:"properties"`
	Type       string         `json:"type"`
	Rings      int            `json:"rings"`
}

func decode(t *testing.T, raw []byte) []tileSummary {
	t.Helper()
	layers, err := mvt.Unmarshal(raw)
	if err != nil {
		t.Fatal(err)
	}
	var out []tileSummary
	for _, l := range layers {
		s := tileSummary{Layer: l.Name, Version: l.Version, Extent: l.Extent}
		for _, f := range l.Features {
			rings := 0
			switch g := f.Geometry.(type) {
			case orb.Polygon:
				rings = len(g)
				checkWinding(t, f.Properties.MustString("code"), orb.MultiPolygon{g})
			case orb.MultiPolygon:
				for _, p := range g {
					rings += len(p)
				}
				checkWinding(t, f.Properties.MustString("code"), g)
			}
			id, _ := f.ID.(float64)
			s.Features = append(s.Features, featureSummary{ID: uint64(id), Properties: f.Properties, Type: f.Geometry.GeoJSONType(), Rings: rings})
		}
		sort.Slice(s.Features, func(i, j int) bool { return s.Features[i].ID < s.Features[j].ID })
		out = append(out, s)
	}
	return out
}

// checkWinding applies the MVT 2.1 rule: exterior rings have a positive
// area by the surveyor's formula in tile coordinates, interior ones negative.
func checkWinding(t *testing.T, code string, mp orb.MultiPolygon) {
	t.Helper()
	for _, p := range mp {
		for i, r := range p {
			var a float64
			for k := 0; k+1 < len(r); k++ {
				a += r[k][0]*r[k+1][1] - r[k+1][0]*r[k][1]
			}
			if (i == 0) != (a > 0) {
				t.Errorf("%s: ring %d has area %g (exterior must be > 0, holes < 0)", code, i, a)
			}
		}
	}
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, _ := json.MarshalIndent(v, "", "  ")
	got = append(got, '\n')
	p := filepath.Join("testdata", name)
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("golden file: %v (run go test -update once)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n%s", name, got)
	}
}

func TestTiles(t *testing.T) {
	f := setup(t)
	base := f.srv.URL

	t.Run("Toulouse at z8", func(t *testing.T) {
		for _, c := range []struct {
			layer, code, name, parent string
		}{
			{"zones-emploi", "7625", "Toulouse", "region=76"},
			{"departements", "31", "Haute-Garonne", "region=76"},
		} {
			r := get(t, base+"/tiles/"+c.layer+"/8/129/93.mvt")
			if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
				t.Fatalf("%s: status %d, type %s", c.layer, r.StatusCode, r.Header.Get("Content-Type"))
			}
			s := decode(t, body(t, r))
			if len(s) != 1 || s[0].Layer != c.layer || s[0].Extent != 4096 || s[0].Version != 2 {
				t.Fatalf("%s: layers %+v", c.layer, s)
			}
			found := false
			for _, ft := range s[0].Features {
				if ft.Properties["code"] == c.code {
					found = true
					k, v, _ := strings.Cut(c.parent, "=")
					if ft.Properties["name"] != c.name || ft.Properties[k] != v {
						t.Errorf("%s %s: properties %v", c.layer, c.code, ft.Properties)
					}
					lv, _ := territory.ParseLevel(c.layer)
					if ft.ID != territory.FeatureID(lv, c.code) {
						t.Errorf("%s %s: id %d", c.layer, c.code, ft.ID)
					}
				}
			}
			if !found {
				t.Errorf("%s: tile 8/129/93 lacks %s", c.layer, c.code)
			}
			golden(t, c.layer+"-8-129-93.json", s)
		}
	})

	t.Run("same id at every zoom", func(t *testing.T) {
		want := territory.FeatureID(territory.ZoneEmploi, "7625")
		for z := 0; z <= 13; z++ {
			n := 1 << z
			x := int((1.444 + 180) / 360 * float64(n))
			y := tileY(43.604, z)
			r := get(t, fmt.Sprintf("%s/tiles/zones-emploi/%d/%d/%d.mvt", base, z, x, y))
			if r.StatusCode != 200 {
				t.Fatalf("z%d: status %d", z, r.StatusCode)
			}
			ok := false
			for _, ft := range decode(t, body(t, r))[0].Features {
				if ft.Properties["code"] == "7625" {
					ok = ft.ID == want
				}
			}
			if !ok {
				t.Errorf("z%d/%d/%d: 7625 missing or with another id", z, x, y)
			}
		}
	})

	t.Run("errors and empty tiles", func(t *testing.T) {
		for _, c := range []struct {
			path   string
			status int
			param  string
		}{
			{"/tiles/zones-emploi/3/0/0.mvt", 204, ""}, // open Arctic ocean
			{"/tiles/zones-emploi/23/0/0.mvt", 400, "z"},
			{"/tiles/zones-emploi/2/4/0.mvt", 400, "x"},
			{"/tiles/zones-emploi/2/0/-1.mvt", 400, "y"},
			{"/tiles/zones-emploi/a/0/0.mvt", 400, "z"},
			{"/tiles/zones-emploi/2/0/0.png", 400, "y"},
			{"/tiles/cantons/2/0/0.mvt", 404, "layer"},
			{"/tiles/cantons.json", 404, "layer"},
		} {
			r := get(t, base+c.path)
			if r.StatusCode != c.status {
				t.Errorf("%s: status %d, want %d", c.path, r.StatusCode, c.status)
				continue
			}
			if c.status == 204 {
				continue
			}
			var p httpx.Problem
			if r.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(body(t, r), &p) != nil {
				t.Errorf("%s: not problem+json", c.path)
				continue
			}
			if len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != c.param || p.Status != c.status {
				t.Errorf("%s: problem %+v, want parameter %s", c.path, p, c.param)
			}
		}
	})

	t.Run("gzip, ETag, 304, cache headers, CORS", func(t *testing.T) {
		url := base + "/tiles/departements/6/32/22.mvt"
		plain := get(t, url, "Origin", "https://portail.example")
		raw := body(t, plain)
		zr := get(t, url, "Accept-Encoding", "gzip, deflate")
		if zr.Header.Get("Content-Encoding") != "gzip" {
			t.Fatal("no gzip")
		}
		gz, err := gzip.NewReader(bytes.NewReader(body(t, zr)))
		if err != nil {
			t.Fatal(err)
		}
		unz, _ := io.ReadAll(gz)
		if !bytes.Equal(unz, raw) {
			t.Error("gzip body differs from the plain one")
		}
		tag := plain.Header.Get("ETag")
		if !strings.HasPrefix(tag, `"`) || tag == zr.Header.Get("ETag") {
			t.Errorf("ETags %q and %q: must be strong and differ per encoding", tag, zr.Header.Get("ETag"))
		}
		if plain.Header.Get("Cache-Control") == "" || !strings.Contains(strings.Join(plain.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("headers %v", plain.Header)
		}
		if plain.Header.Get("Access-Control-Allow-Origin") == "" {
			t.Error("no CORS header")
		}
		nm := get(t, url, "If-None-Match", tag)
		if nm.StatusCode != 304 || len(body(t, nm)) != 0 {
			t.Errorf("If-None-Match: status %d", nm.StatusCode)
		}
	})

	t.Run("GDAL reads the tiles", func(t *testing.T) {
		if _, err := exec.LookPath("ogrinfo"); err != nil {
			t.Fatal("ogrinfo (Debian gdal-bin) is needed: `make test` installs it")
		}
		dir := t.TempDir()
		p := filepath.Join(dir, "93.mvt")
		os.WriteFile(p, body(t, get(t, base+"/tiles/zones-emploi/8/129/93.mvt")), 0o644)
		out, err := exec.Command("ogrinfo", "-ro", "-al", "-so", "-oo", "Z=8", "-oo", "X=129", "-oo", "Y=93", p).CombinedOutput()
		if err != nil {
			t.Fatalf("ogrinfo: %v\n%s", err, out)
		}
		s := string(out)
		if !strings.Contains(s, "Layer name: zones-emploi") || !strings.Contains(s, "code: String") || !strings.Contains(s, "Feature Count:") {
			t.Errorf("ogrinfo output:\n%s", s)
		}
		full, _ := exec.Command("ogrinfo", "-ro", "-al", "-oo", "Z=8", "-oo", "X=129", "-oo", "Y=93", "-where", "code='7625'", p).CombinedOutput()
		if !strings.Contains(string(full), "name (String) = Toulouse") || !strings.Contains(string(full), "MULTIPOLYGON") && !strings.Contains(string(full), "POLYGON") {
			t.Errorf("ogrinfo does not show Toulouse:\n%.2000s", full)
		}
	})

	t.Run("TileJSON and catalogue", func(t *testing.T) {
		var tj tiles.TileJSON
		if err := json.Unmarshal(body(t, get(t, base+"/tiles/zones-emploi.json")), &tj); err != nil {
			t.Fatal(err)
		}
		if tj.TileJSON != "3.0.0" || tj.MaxZoom != 11 || tj.Tiles[0] != base+"/tiles/zones-emploi/{z}/{x}/{y}.mvt" ||
			len(tj.VectorLayers) != 1 || tj.VectorLayers[0].Fields["code"] == "" || tj.VectorLayers[0].Fields["region"] == "" {
			t.Errorf("TileJSON %+v", tj)
		}
		tj.Tiles = []string{strings.Replace(tj.Tiles[0], base, "http://HOST", 1)}
		golden(t, "tilejson-zones-emploi.json", tj)
		var cat []tiles.TileJSON
		json.Unmarshal(body(t, get(t, base+"/tiles.json")), &cat)
		if len(cat) != 2 || cat[0].Name != "departements" || cat[1].Name != "zones-emploi" {
			t.Errorf("catalogue: %d layers", len(cat))
		}
	})

	t.Run("operations", func(t *testing.T) {
		if r := get(t, base+"/healthz"); r.StatusCode != 200 {
			t.Errorf("healthz %d", r.StatusCode)
		}
		r := get(t, base+"/readyz")
		b := body(t, r)
		if r.StatusCode != 200 || !strings.Contains(string(b), `"zones-emploi":306`) {
			t.Errorf("readyz %d %s", r.StatusCode, b)
		}
		m := string(body(t, get(t, base+"/metrics")))
		for _, want := range []string{
			`atlas_http_requests_total{route="/tiles/:layer/:z/:x/:y",status="200"}`,
			`atlas_http_requests_total{route="/tiles/:layer/:z/:x/:y",status="400"}`,
			`atlas_tile_cache_total{layer="zones-emploi",result="hit"}`,
			`atlas_tile_cache_total{layer="zones-emploi",result="miss"}`,
			`atlas_http_request_duration_seconds_bucket{route="/tiles/:layer/:z/:x/:y"`,
		} {
			if !strings.Contains(m, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})

	t.Run("territory search and detail", func(t *testing.T) {
		type result struct {
			Count       int                        `json:"count"`
			Territories []diagnostic.TerritoryItem `json:"territories"`
		}
		for _, c := range []struct {
			query string
			first string
			count int
		}{
			{"q=ariege&level=departement", "09", 1},
			{"q=ARIÈGE", "09", 1},
			{"q=saint%20etienne&level=zone-emploi", "8428", 1},
			{"q=31", "31", -1},
			{"level=zone-emploi&parent=region:76", "7601", 25},
			{"level=departement&parent=region:76", "09", 13},
		} {
			var r result
			if err := json.Unmarshal(body(t, get(t, base+"/api/v1/territories?"+c.query)), &r); err != nil {
				t.Fatalf("%s: %v", c.query, err)
			}
			if len(r.Territories) == 0 || r.Territories[0].Code != c.first || (c.count >= 0 && r.Count != c.count) {
				t.Errorf("%s: %d results, first %+v", c.query, r.Count, r.Territories)
			}
		}
		for _, c := range []struct{ query, param string }{
			{"level=canton", "level"}, {"parent=76", "parent"}, {"limit=0", "limit"},
		} {
			r := get(t, base+"/api/v1/territories?"+c.query)
			var p httpx.Problem
			json.Unmarshal(body(t, r), &p)
			if r.StatusCode != 400 || len(p.InvalidParams) != 1 || p.InvalidParams[0].Name != c.param {
				t.Errorf("%s: status %d, problem %+v", c.query, r.StatusCode, p)
			}
		}
		var d diagnostic.TerritoryDetail
		if err := json.Unmarshal(body(t, get(t, base+"/api/v1/territories/zone-emploi/7625")), &d); err != nil {
			t.Fatal(err)
		}
		if d.Name != "Toulouse" || len(d.Parents) != 1 || d.Parents[0].Code != "76" ||
			d.Centroid[0] < d.BBox[0] || d.Centroid[0] > d.BBox[2] || d.BBox[1] < 42 || d.BBox[3] > 45 {
			t.Errorf("7625: %+v", d)
		}
		var dep diagnostic.TerritoryDetail
		json.Unmarshal(body(t, get(t, base+"/api/v1/territories/departement/31")), &dep)
		if dep.Name != "Haute-Garonne" || len(dep.Children) != 0 {
			t.Errorf("31: %+v", dep)
		}
		if r := get(t, base+"/api/v1/territories/departement/2C"); r.StatusCode != 400 {
			t.Errorf("2C: status %d", r.StatusCode)
		}
		if r := get(t, base+"/api/v1/territories/departement/976"); r.StatusCode != 200 {
			t.Errorf("976: status %d", r.StatusCode)
		}
		if r := get(t, base+"/api/v1/territories/zone-emploi/9999"); r.StatusCode != 404 {
			t.Errorf("9999: status %d", r.StatusCode)
		}
	})

	t.Run("re-import reloads and invalidates", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go f.svc.Watch(ctx)
		time.Sleep(200 * time.Millisecond) // LISTEN in place
		url := base + "/tiles/zones-emploi/5/16/11.mvt"
		before := get(t, url).Header.Get("ETag")
		_, err := importer.ImportTerritories(ctx, f.st, importer.TerritoryOptions{
			Level: territory.ZoneEmploi, Files: []string{mirrorFile(t, "derived/ze2020_2022-simplifiee.geojson")},
			CodeField: "ze2020", NameField: "libze2020", Vintage: "ZE2020 simplifiée"})
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			l, _ := f.svc.Layer("zones-emploi")
			if l != nil && l.Vintage == "ZE2020 simplifiée" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the server did not reload the re-imported level")
			}
			time.Sleep(50 * time.Millisecond)
		}
		if after := get(t, url).Header.Get("ETag"); after == before {
			t.Error("a re-import did not change the tile")
		}
	})
}

func tileY(lat float64, z int) int {
	r := lat * math.Pi / 180
	return int((1 - math.Log(math.Tan(r)+1/math.Cos(r))/math.Pi) / 2 * math.Exp2(float64(z)))
}
