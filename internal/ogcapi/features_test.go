package ogcapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

type featureDoc struct {
	Type       string          `json:"type"`
	ID         uint64          `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties map[string]any  `json:"properties"`
	Links      []link          `json:"links"`
}

type itemsDoc struct {
	Type           string       `json:"type"`
	TimeStamp      string       `json:"timeStamp"`
	NumberMatched  int          `json:"numberMatched"`
	NumberReturned int          `json:"numberReturned"`
	Features       []featureDoc `json:"features"`
	Links          []link       `json:"links"`
}

type collectionDoc struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Extent struct {
		Spatial struct {
			BBox [][4]float64 `json:"bbox"`
		} `json:"spatial"`
	} `json:"extent"`
	CRS        []string `json:"crs"`
	StorageCRS string   `json:"storageCrs"`
	Links      []link   `json:"links"`
}

const (
	crs84   = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
	lambert = "http://www.opengis.net/def/crs/EPSG/0/2154"
)

// One fixture for the contract's tests: importing the territories takes
// most of the time.
func TestFeatures(t *testing.T) {
	f := setup(t)
	for _, c := range []struct {
		name string
		test func(*testing.T, fixture)
	}{
		{"landing", testLanding},
		{"collections", testCollections},
		{"paging", testPaging},
		{"limit", testLimit},
		{"unknown parameters", testUnknownParams},
		{"bbox", testBBox},
		{"properties", testProperties},
		{"crs", testCRS},
		{"one feature", testOneFeature},
		{"indicator values", testIndicatorValues},
		{"formats", testFormats},
	} {
		t.Run(c.name, func(t *testing.T) { c.test(t, f) })
	}
}

func testLanding(t *testing.T, f fixture) {
	var doc struct {
		Links []link `json:"links"`
	}
	r := getJSON(t, f.srv.URL+"/ogc", &doc)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	for _, want := range []link{
		{Rel: "self", Type: "application/json", Href: f.srv.URL + "/ogc"},
		{Rel: "service-desc", Type: "application/vnd.oai.openapi+json;version=3.0", Href: f.srv.URL + "/ogc/api"},
		{Rel: "service-doc", Type: "text/html", Href: f.srv.URL + "/api/docs#tag-ogc"},
		{Rel: "conformance", Type: "application/json", Href: f.srv.URL + "/ogc/conformance"},
		{Rel: "data", Type: "application/json", Href: f.srv.URL + "/ogc/collections"},
	} {
		if l, ok := linkOf(doc.Links, want.Rel); !ok || l != want {
			t.Errorf("link %s: %+v, want %+v", want.Rel, l, want)
		}
	}
	// The service description is the OGC paths of the served OpenAPI
	// document relative to /ogc, where clients look up the limit's bounds
	// they page by; its landing page is /ogc/ as well as /ogc.
	var api struct {
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
		Paths map[string]struct {
			Get struct {
				Parameters []struct {
					Ref string `json:"$ref"`
				} `json:"parameters"`
			} `json:"get"`
		} `json:"paths"`
		Components struct {
			Parameters map[string]struct {
				Name   string `json:"name"`
				Schema struct {
					Minimum, Maximum, Default float64
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"components"`
	}
	r = getJSON(t, f.srv.URL+"/ogc/api", &api)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/vnd.oai.openapi+json") {
		t.Errorf("service-desc Content-Type %q", ct)
	}
	limitOK := false
	if len(api.Servers) != 1 || api.Servers[0].URL != "/ogc" {
		t.Errorf("servers %+v, want /ogc", api.Servers)
	}
	for p := range api.Paths {
		if strings.HasPrefix(p, "/ogc") || strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/tiles") {
			t.Errorf("path %s in the OGC API's description", p)
		}
	}
	if _, ok := api.Paths["/"]; !ok {
		t.Error("no landing page / in the OGC API's description")
	}
	var again struct {
		Links []link `json:"links"`
	}
	getJSON(t, f.srv.URL+"/ogc/", &again)
	if len(again.Links) != len(doc.Links) {
		t.Errorf("/ogc/ has %d links, /ogc %d", len(again.Links), len(doc.Links))
	}
	for _, p := range api.Paths["/collections/{collectionId}/items"].Get.Parameters {
		c := api.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
		if c.Name == "limit" {
			limitOK = c.Schema.Minimum == 1 && c.Schema.Maximum == 1000 && c.Schema.Default == 100
		}
	}
	if !limitOK {
		t.Errorf("the items path of the OpenAPI document has no limit with minimum 1, maximum 1000, default 100")
	}
	var conf struct {
		ConformsTo []string `json:"conformsTo"`
	}
	getJSON(t, f.srv.URL+"/ogc/conformance", &conf)
	for _, c := range []string{"ogcapi-features-1/1.0/conf/core", "ogcapi-features-1/1.0/conf/geojson", "ogcapi-features-1/1.0/conf/oas30",
		"ogcapi-features-2/1.0/conf/crs", "ogcapi-tiles-1/1.0/conf/core", "ogcapi-tiles-1/1.0/conf/tileset", "ogcapi-tiles-1/1.0/conf/mvt"} {
		if !slices.Contains(conf.ConformsTo, "http://www.opengis.net/spec/"+c) {
			t.Errorf("conformance lacks %s", c)
		}
	}
}

func testCollections(t *testing.T, f fixture) {
	var doc struct {
		Collections []collectionDoc `json:"collections"`
	}
	getJSON(t, f.srv.URL+"/ogc/collections", &doc)
	var ids []string
	for _, c := range doc.Collections {
		ids = append(ids, c.ID)
	}
	if want := []string{"regions", "departements", "regions.taux-at", "departements.taux-at"}; !slices.Equal(ids, want) {
		t.Fatalf("collections %v, want %v", ids, want)
	}
	for _, c := range doc.Collections {
		if !slices.Equal(c.CRS, []string{crs84, lambert, "http://www.opengis.net/def/crs/EPSG/0/3857"}) || c.StorageCRS != crs84 || !slices.Contains(c.CRS, c.StorageCRS) {
			t.Errorf("%s: crs %v, storageCrs %s", c.ID, c.CRS, c.StorageCRS)
		}
		if l, ok := linkOf(c.Links, "items"); !ok || l.Type != "application/geo+json" || l.Href != f.srv.URL+"/ogc/collections/"+c.ID+"/items" {
			t.Errorf("%s: items link %+v", c.ID, l)
		}
		// The extent contains every geometry (edges included).
		level := "departement"
		if strings.HasPrefix(c.ID, "regions") {
			level = "region"
		}
		b := c.Extent.Spatial.BBox[0]
		outside := f.count(t, `SELECT count(*) FROM territory WHERE level = $1 AND NOT ST_Contains(ST_MakeEnvelope($2, $3, $4, $5, 4326), geom)`,
			level, b[0], b[1], b[2], b[3])
		if outside != 0 {
			t.Errorf("%s: %d territories outside the extent %v", c.ID, outside, b)
		}
	}
	var one collectionDoc
	getJSON(t, f.srv.URL+"/ogc/collections/departements.taux-at", &one)
	if one.ID != "departements.taux-at" || !strings.Contains(one.Title, "Taux d'accidents du travail") {
		t.Errorf("collection %+v", one)
	}
	for _, id := range []string{"nope", "departements.nope", "communes"} {
		getProblem(t, f.srv.URL+"/ogc/collections/"+id, http.StatusNotFound, "")
		getProblem(t, f.srv.URL+"/ogc/collections/"+id+"/items", http.StatusNotFound, "")
	}
}

// walk follows every next link from u and returns the pages.
func walk(t *testing.T, u string) []itemsDoc {
	t.Helper()
	var pages []itemsDoc
	for u != "" {
		var p itemsDoc
		r := getJSON(t, u, &p)
		if ct := r.Header.Get("Content-Type"); ct != "application/geo+json" {
			t.Fatalf("%s: Content-Type %q", u, ct)
		}
		pages = append(pages, p)
		u = ""
		if next, ok := linkOf(p.Links, "next"); ok {
			if next.Type != "application/geo+json" || !strings.HasPrefix(next.Href, "http://") {
				t.Fatalf("next link %+v: not absolute geo+json", next)
			}
			u = next.Href
		}
		if len(pages) > 200 {
			t.Fatal("more than 200 pages: next never ends")
		}
	}
	return pages
}

func testPaging(t *testing.T, f fixture) {
	want := f.count(t, `SELECT count(*) FROM territory WHERE level = 'departement'`)
	pages := walk(t, f.srv.URL+"/ogc/collections/departements/items?limit=7")
	seen := map[uint64]bool{}
	for i, p := range pages {
		if p.NumberMatched != want {
			t.Errorf("page %d: numberMatched %d, want %d", i, p.NumberMatched, want)
		}
		if p.NumberReturned != len(p.Features) || (i < len(pages)-1 && p.NumberReturned != 7) {
			t.Errorf("page %d: numberReturned %d of %d features", i, p.NumberReturned, len(p.Features))
		}
		if _, ok := linkOf(p.Links, "prev"); ok != (i > 0) {
			t.Errorf("page %d: prev link %v", i, ok)
		}
		for _, ft := range p.Features {
			if seen[ft.ID] {
				t.Errorf("feature %d twice", ft.ID)
			}
			seen[ft.ID] = true
		}
	}
	if len(seen) != want {
		t.Errorf("walked %d features in %d pages, the database has %d", len(seen), len(pages), want)
	}
	// A collection that fits one page has no next link.
	var one itemsDoc
	getJSON(t, f.srv.URL+"/ogc/collections/departements/items?limit=1000", &one)
	if _, ok := linkOf(one.Links, "next"); ok || one.NumberReturned != want {
		t.Errorf("one page of %d: next %v, returned %d", want, ok, one.NumberReturned)
	}
	// Exactly a multiple of the limit: the last full page has no next.
	last := walk(t, fmt.Sprintf("%s/ogc/collections/departements/items?limit=%d", f.srv.URL, want))
	if len(last) != 1 {
		t.Errorf("limit = numberMatched: %d pages", len(last))
	}
	// Paging keeps every filter: walk a bbox in Lambert-93 with properties.
	q := url.Values{"bbox": {"500000,6200000,700000,6400000"}, "bbox-crs": {lambert}, "properties": {"code"}, "crs": {lambert}, "limit": {"2"}}
	pages = walk(t, f.srv.URL+"/ogc/collections/departements.taux-at/items?"+q.Encode())
	n := 0
	for _, p := range pages {
		n += len(p.Features)
		next, _ := linkOf(p.Links, "next")
		for k, v := range q {
			if next.Href != "" && k != "limit" && !strings.Contains(mustUnescape(t, next.Href), k+"="+v[0]) {
				t.Errorf("next link %s lacks %s=%s", next.Href, k, v[0])
			}
		}
		for _, ft := range p.Features {
			if len(ft.Properties) != 1 {
				t.Errorf("properties %v after paging", ft.Properties)
			}
		}
	}
	inBox := f.count(t, `SELECT count(*) FROM territory WHERE level = 'departement'
		AND ST_Intersects(geom, ST_Transform(ST_Segmentize(ST_MakeEnvelope(500000, 6200000, 700000, 6400000, 2154), 1000), 4326))`)
	if n != inBox || pages[0].NumberMatched != inBox || inBox < 3 {
		t.Errorf("bbox walk: %d features, numberMatched %d, PostGIS %d", n, pages[0].NumberMatched, inBox)
	}
}

func mustUnescape(t *testing.T, s string) string {
	t.Helper()
	u, err := url.QueryUnescape(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func testLimit(t *testing.T, f fixture) {
	var p itemsDoc
	getJSON(t, f.srv.URL+"/ogc/collections/departements/items?limit=5000", &p)
	self, _ := linkOf(p.Links, "self")
	if p.NumberReturned != p.NumberMatched || !strings.Contains(self.Href, "limit=1000") {
		t.Errorf("limit 5000: %d of %d, self %s", p.NumberReturned, p.NumberMatched, self.Href)
	}
	getJSON(t, f.srv.URL+"/ogc/collections/departements/items", &p)
	if p.NumberReturned != 100 && p.NumberReturned != p.NumberMatched {
		t.Errorf("default limit: %d", p.NumberReturned)
	}
	for _, bad := range []string{"limit=0", "limit=-1", "limit=abc", "limit=unlimited"} {
		getProblem(t, f.srv.URL+"/ogc/collections/departements/items?"+bad, http.StatusBadRequest, "limit")
	}
	getProblem(t, f.srv.URL+"/ogc/collections/departements/items?offset=-3", http.StatusBadRequest, "offset")
	// Beyond the end: an empty page, still counted.
	getJSON(t, f.srv.URL+"/ogc/collections/departements/items?offset=100000", &p)
	if p.NumberReturned != 0 || p.NumberMatched == 0 {
		t.Errorf("offset past the end: %d of %d", p.NumberReturned, p.NumberMatched)
	}
}

func testUnknownParams(t *testing.T, f fixture) {
	for _, path := range []string{"/ogc", "/ogc/conformance", "/ogc/collections", "/ogc/collections/departements",
		"/ogc/collections/departements/items", "/ogc/collections/departements/items/100000031", "/ogc/collections/departements/schema",
		"/ogc/collections/departements/tiles", "/ogc/collections/departements/tiles/WebMercatorQuad",
		"/ogc/collections/departements/tiles/WebMercatorQuad/5/11/16", "/ogc/tileMatrixSets", "/ogc/tileMatrixSets/WebMercatorQuad"} {
		getProblem(t, f.srv.URL+path+"?limitt=10", http.StatusBadRequest, "limitt")
	}
	// period is the indicators' only.
	getProblem(t, f.srv.URL+"/ogc/collections/departements/items?period=2022", http.StatusBadRequest, "period")
	getProblem(t, f.srv.URL+"/ogc/collections/departements/items?bbox-crs="+lambert, http.StatusBadRequest, "bbox-crs")
}

func codes(fs []featureDoc) []string {
	var out []string
	for _, ft := range fs {
		out = append(out, ft.Properties["code"].(string))
	}
	slices.Sort(out)
	return out
}

func testBBox(t *testing.T, f fixture) {
	items := f.srv.URL + "/ogc/collections/departements/items?limit=1000&"
	for _, c := range []struct {
		name  string
		query string
		sql   string // PostGIS's answer: the envelopes in WGS84
	}{
		{"Toulouse CRS84", "bbox=1.3,43.5,1.5,43.7", `ST_MakeEnvelope(1.3, 43.5, 1.5, 43.7, 4326)`},
		{"six numbers", "bbox=1.3,43.5,0,1.5,43.7,100", `ST_MakeEnvelope(1.3, 43.5, 1.5, 43.7, 4326)`},
		{"Lambert-93", "bbox=560000,6270000,590000,6290000&bbox-crs=" + lambert,
			`ST_Transform(ST_Segmentize(ST_MakeEnvelope(560000, 6270000, 590000, 6290000, 2154), 500), 4326)`},
		{"Web Mercator short name", "bbox=144000,5390000,167000,5420000&bbox-crs=EPSG:3857",
			`ST_Transform(ST_MakeEnvelope(144000, 5390000, 167000, 5420000, 3857), 4326)`},
		// West of east: across the antimeridian, from 55° E to 180° and on
		// from -180° to -179°: La Réunion, nothing of metropolitan France.
		{"antimeridian", "bbox=55,-22,-179,-20", `ST_Union(ST_MakeEnvelope(55, -22, 180, -20, 4326), ST_MakeEnvelope(-180, -22, -179, -20, 4326))`},
	} {
		var p itemsDoc
		getJSON(t, items+c.query, &p)
		var want []string
		rows, err := f.db.Query(context.Background(), `SELECT code FROM territory WHERE level = 'departement' AND ST_Intersects(geom, `+c.sql+`) ORDER BY code`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			want = append(want, s)
		}
		if got := codes(p.Features); len(want) == 0 || !slices.Equal(got, want) || p.NumberMatched != len(want) {
			t.Errorf("%s: %v (matched %d), PostGIS %v", c.name, got, p.NumberMatched, want)
		}
	}
	for _, bad := range []string{"bbox=1,2,3", "bbox=1,95,3,96", "bbox=1,-91,3,4", "bbox=a,b,c,d", "bbox=1,44,2,43", "bbox=190,1,191,2",
		"bbox=600000,6200000,500000,6300000&bbox-crs=" + lambert} {
		getProblem(t, items+bad, http.StatusBadRequest, "bbox")
	}
	getProblem(t, items+"bbox=1,2,3,4&bbox-crs=EPSG:4326", http.StatusBadRequest, "bbox-crs")
}

func testProperties(t *testing.T, f fixture) {
	var p itemsDoc
	getJSON(t, f.srv.URL+"/ogc/collections/departements/items?limit=3&properties=name,code", &p)
	for _, ft := range p.Features {
		if len(ft.Properties) != 2 || ft.Properties["code"] == nil || ft.Properties["name"] == nil || ft.Geometry == nil {
			t.Errorf("properties=name,code: %v", ft.Properties)
		}
	}
	var none itemsDoc
	getJSON(t, f.srv.URL+"/ogc/collections/departements/items?limit=3&properties=", &none)
	if len(none.Features[0].Properties) != 0 {
		t.Errorf("properties= : %v", none.Features[0].Properties)
	}
	getJSON(t, f.srv.URL+"/ogc/collections/departements/items?limit=3", &p)
	for _, k := range []string{"code", "name", "region"} {
		if _, ok := p.Features[0].Properties[k]; !ok {
			t.Errorf("default properties %v lack %s", p.Features[0].Properties, k)
		}
	}
	getProblem(t, f.srv.URL+"/ogc/collections/departements/items?properties=code,population", http.StatusBadRequest, "properties")
	getProblem(t, f.srv.URL+"/ogc/collections/departements/items?properties=value", http.StatusBadRequest, "properties")
}

// firstVertex is the first point of the first exterior ring of a GeoJSON
// MultiPolygon.
func firstVertex(t *testing.T, raw json.RawMessage) [2]float64 {
	t.Helper()
	var g struct {
		Type        string           `json:"type"`
		Coordinates [][][][2]float64 `json:"coordinates"`
	}
	if err := json.Unmarshal(raw, &g); err != nil || g.Type != "MultiPolygon" {
		t.Fatalf("geometry %v %.200s", err, raw)
	}
	return g.Coordinates[0][0][0]
}

// postgisVertex is the same vertex, transformed by PostGIS.
func (f fixture) postgisVertex(t *testing.T, code string, srid int) [2]float64 {
	t.Helper()
	var p [2]float64
	err := f.db.QueryRow(context.Background(), `SELECT ST_X(v), ST_Y(v) FROM (SELECT ST_PointN(ST_ExteriorRing(ST_GeometryN(ST_Transform(geom, $2::int), 1)), 1) AS v
		FROM territory WHERE level = 'departement' AND code = $1) x`, code, srid).Scan(&p[0], &p[1])
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func testCRS(t *testing.T, f fixture) {
	items := f.srv.URL + "/ogc/collections/departements/items?bbox=1.43,43.6,1.45,43.61&"
	for _, c := range []struct {
		query, header string
		srid          int
		tolerance     float64
	}{
		{"", crs84, 4326, 1e-6},
		{"crs=" + url.QueryEscape(lambert), lambert, 2154, 0.01},
		{"crs=EPSG:2154", lambert, 2154, 0.01},
		{"crs=http://www.opengis.net/def/crs/EPSG/0/3857", "http://www.opengis.net/def/crs/EPSG/0/3857", 3857, 0.01},
	} {
		var p itemsDoc
		r := getJSON(t, items+c.query, &p)
		if h := r.Header.Get("Content-Crs"); h != "<"+c.header+">" {
			t.Errorf("%s: Content-Crs %q", c.query, h)
		}
		if len(p.Features) != 1 || p.Features[0].Properties["code"] != "31" {
			t.Fatalf("%s: %v", c.query, codes(p.Features))
		}
		got, want := firstVertex(t, p.Features[0].Geometry), f.postgisVertex(t, "31", c.srid)
		if d := math.Hypot(got[0]-want[0], got[1]-want[1]); d > c.tolerance {
			t.Errorf("%s: vertex %v, PostGIS %v (%.3g apart)", c.query, got, want, d)
		}
		if c.srid == 2154 && (got[0] < 100000 || got[0] > 1300000 || got[1] < 6000000 || got[1] > 7200000) {
			t.Errorf("Lambert-93 vertex %v is not easting, northing in France", got)
		}
	}
	for _, bad := range []string{"crs=EPSG:4326", "crs=http://www.opengis.net/def/crs/EPSG/0/4326", "crs=nope"} {
		getProblem(t, items+bad, http.StatusBadRequest, "crs")
	}
}

func testOneFeature(t *testing.T, f fixture) {
	var fid uint64
	if err := f.db.QueryRow(context.Background(), `SELECT fid FROM territory WHERE level = 'departement' AND code = '2A'`).Scan(&fid); err != nil {
		t.Fatal(err)
	}
	var ft featureDoc
	r := getJSON(t, fmt.Sprintf("%s/ogc/collections/departements/items/%d?crs=EPSG:2154", f.srv.URL, fid), &ft)
	if ft.ID != fid || ft.Properties["code"] != "2A" || ft.Type != "Feature" || r.Header.Get("Content-Type") != "application/geo+json" ||
		r.Header.Get("Content-Crs") != "<"+lambert+">" {
		t.Errorf("feature %d: %+v, headers %v", fid, ft.Properties, r.Header)
	}
	if self, _ := linkOf(ft.Links, "self"); self.Href != fmt.Sprintf("%s/ogc/collections/departements/items/%d", f.srv.URL, fid) {
		t.Errorf("self %+v", self)
	}
	for _, id := range []string{"1", "abc", "0", "-5", "99999999999999999999"} {
		getProblem(t, f.srv.URL+"/ogc/collections/departements/items/"+id, http.StatusNotFound, "")
	}
}

func testIndicatorValues(t *testing.T, f fixture) {
	for _, c := range []struct {
		query  string
		period string
		values map[string]any // code -> value, nil: null
		status map[string]string
	}{
		{"", "2022", map[string]any{"31": 5.0, "09": nil, "48": nil, "75": nil},
			map[string]string{"31": "published", "09": "secret", "48": "missing", "75": "missing"}},
		{"&period=2021", "2021", map[string]any{"31": 1.0, "09": nil}, map[string]string{"31": "published", "09": "missing"}},
	} {
		u := f.srv.URL + "/ogc/collections/departements.taux-at/items?limit=1000" + c.query
		var p itemsDoc
		getJSON(t, u, &p)
		by := map[string]featureDoc{}
		for _, ft := range p.Features {
			// Coordinates may hold any digits; the properties may not.
			if b, _ := json.Marshal(ft.Properties); strings.Contains(string(b), "77.7") || strings.Contains(string(b), "777") {
				t.Errorf("%s leaks the secret figure: %s", u, b)
			}
			by[ft.Properties["code"].(string)] = ft
			if ft.Properties["status"] == nil || ft.Properties["period"] != c.period || ft.Properties["indicator"] != indicatorID {
				t.Errorf("%s: feature %v", u, ft.Properties)
			}
			if ft.Properties["notice"] == nil {
				t.Errorf("%s: demo figures without their notice: %v", u, ft.Properties)
			}
		}
		for code, want := range c.values {
			// A secret or missing value is null: the key stays for GIS schemas.
			got, ok := by[code].Properties["value"]
			if !ok || got != want {
				t.Errorf("%s: %s value %v (present %v), want %v", u, code, got, ok, want)
			}
			if st := by[code].Properties["status"]; st != c.status[code] {
				t.Errorf("%s: %s status %v, want %s", u, code, st, c.status[code])
			}
		}
	}
	var reg itemsDoc
	getJSON(t, f.srv.URL+"/ogc/collections/regions.taux-at/items?bbox=1.4,43.6,1.5,43.7", &reg)
	if len(reg.Features) != 1 || reg.Features[0].Properties["value"] != 6.0 {
		t.Errorf("région 76: %+v", reg.Features)
	}
	getProblem(t, f.srv.URL+"/ogc/collections/departements.taux-at/items?period=2022-13", http.StatusBadRequest, "period")
	getProblem(t, f.srv.URL+"/ogc/collections/departements.taux-at/items?sex=autre", http.StatusBadRequest, "sex")
}

func testFormats(t *testing.T, f fixture) {
	start := time.Now().UTC().Truncate(time.Millisecond)
	for _, accept := range []string{"", "*/*", "application/json", "application/geo+json", "text/html,application/xhtml+xml,*/*;q=0.8"} {
		var p itemsDoc
		r := getJSON(t, f.srv.URL+"/ogc/collections/departements/items?limit=1", &p, "Accept", accept)
		if r.Header.Get("Content-Type") != "application/geo+json" {
			t.Errorf("Accept %q: %s", accept, r.Header.Get("Content-Type"))
		}
		ts, err := time.Parse(time.RFC3339Nano, p.TimeStamp)
		if err != nil || ts.Before(start) {
			t.Errorf("timeStamp %q (%v) before the request %s", p.TimeStamp, err, start)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/ogc/collections", nil)
	req.Header.Set("Accept", "text/html")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != http.StatusNotAcceptable {
		t.Errorf("Accept text/html: %d", r.StatusCode)
	}
	var doc map[string]any
	getJSON(t, f.srv.URL+"/ogc/collections?f=json", &doc)
	getProblem(t, f.srv.URL+"/ogc/collections?f=html", http.StatusBadRequest, "f")
}
