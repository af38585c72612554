package geofile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/paulmach/orb"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
)

func TestReadGeoJSONReal(t *testing.T) {
	mirror := os.DirFS(datasettest.Mirror(t))
	tests := []struct {
		file     string
		features int
		fields   string
		codeKey  string
		codes    []string
	}{
		{"departements/departements-avec-outre-mer.geojson", 101, "code,nom", "code", []string{"2A", "2B", "01", "971", "976"}},
		{"regions/regions-avec-outre-mer.geojson", 18, "code,nom", "code", []string{"76", "84", "01"}},
		{"derived/ze2020_2022.geojson", 306, "ze2020,libze2020,nb_com", "ze2020", []string{"7625", "0059"}},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.file), func(t *testing.T) {
			src, err := ReadGeoJSON(mirror, tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(src.Features) != tc.features || src.SRID != 4326 {
				t.Errorf("%d features, SRID %d; want %d, 4326", len(src.Features), src.SRID, tc.features)
			}
			if got := strings.Join(src.Fields, ","); got != tc.fields {
				t.Errorf("fields %q, want %q", got, tc.fields)
			}
			codes := make(map[string]bool)
			for i, f := range src.Features {
				if f.Index != i || f.Geometry == nil {
					t.Errorf("feature %d: index %d, geometry %v", i, f.Index, f.Geometry)
				}
				codes[f.Properties[tc.codeKey]] = true
				checkConventions(t, f)
			}
			if len(codes) != tc.features {
				t.Errorf("%d distinct codes, want %d", len(codes), tc.features)
			}
			for _, c := range tc.codes {
				if !codes[c] {
					t.Errorf("code %q missing", c)
				}
			}
		})
	}
}

// geojsonTest is a case of TestReadGeoJSONSynthetic; the cases also seed
// FuzzReadGeoJSON.
type geojsonTest struct {
	name        string
	json        string
	wantErr     string
	wantFeature int
	check       func(t *testing.T, src *Source)
}

func geojsonSyntheticTests() []geojsonTest {
	const (
		square   = `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}`
		cwSquare = `{"type":"Polygon","coordinates":[[[0,0],[0,1],[1,1],[1,0],[0,0]],[[0.2,0.2],[0.4,0.2],[0.4,0.4],[0.2,0.2]]]}`
	)
	feature := func(props, geom string) string {
		return `{"type":"Feature","properties":` + props + `,"geometry":` + geom + `}`
	}
	collection := func(features ...string) string {
		return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",\n") + `]}`
	}
	return []geojsonTest{
		{
			name: "properties as text, fields in order",
			json: collection(
				feature(`{"code":"2A","pop":190.0,"rate":12.50,"big":123456789012345678,"none":null,"ok":true,"tags":["a", "b"],"nom":" Corse-du-Sud "}`, square),
				feature(`{"extra":1e3,"code":"2B"}`, square),
			),
			check: func(t *testing.T, src *Source) {
				if got := strings.Join(src.Fields, ","); got != "code,pop,rate,big,none,ok,tags,nom,extra" {
					t.Errorf("fields %q", got)
				}
				want := map[string]string{"code": "2A", "pop": "190", "rate": "12.5", "big": "123456789012345678",
					"none": "", "ok": "true", "tags": `["a","b"]`, "nom": "Corse-du-Sud"}
				for k, v := range want {
					if got := src.Features[0].Properties[k]; got != v {
						t.Errorf("%s = %q, want %q", k, got, v)
					}
				}
				if got := src.Features[1].Properties["extra"]; got != "1000" {
					t.Errorf("extra = %q, want 1000", got)
				}
			},
		},
		{
			name: "single feature, null geometry and properties",
			json: feature(`null`, `null`),
			check: func(t *testing.T, src *Source) {
				if len(src.Features) != 1 || src.Features[0].Geometry != nil || src.Features[0].Properties == nil {
					t.Errorf("features %+v", src.Features)
				}
			},
		},
		{
			name: "rings rewound and closed",
			json: collection(feature(`{}`, cwSquare),
				feature(`{}`, `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1]]],[[[5,5],[5,6],[6,6],[5,5]]]]}`)),
			check: func(t *testing.T, src *Source) {
				checkConventions(t, src.Features[0])
				checkConventions(t, src.Features[1])
				if n := countPoints(src.Features[1].Geometry); n != 9 {
					t.Errorf("%d points, want 9 once closed", n)
				}
			},
		},
		{
			name: "legacy crs EPSG:2154",
			json: `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:2154"}},"features":[]}`,
			check: func(t *testing.T, src *Source) {
				if src.SRID != 2154 {
					t.Errorf("SRID %d", src.SRID)
				}
			},
		},
		{
			name: "legacy crs URN",
			json: `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},"features":[]}`,
			check: func(t *testing.T, src *Source) {
				if src.SRID != 2154 {
					t.Errorf("SRID %d", src.SRID)
				}
			},
		},
		{
			name: "legacy crs CRS84",
			json: `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"features":[]}`,
			check: func(t *testing.T, src *Source) {
				if src.SRID != 4326 {
					t.Errorf("SRID %d", src.SRID)
				}
			},
		},
		{
			name: "2008 crs by code",
			json: `{"type":"FeatureCollection","crs":{"type":"EPSG","properties":{"code":27572}},"features":[]}`,
			check: func(t *testing.T, src *Source) {
				if src.SRID != 27572 {
					t.Errorf("SRID %d", src.SRID)
				}
			},
		},
		{
			name:        "unknown crs",
			json:        `{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"IGNF:LAMB93"}},"features":[]}`,
			wantErr:     `"IGNF:LAMB93" in the "crs" member; use the --srid option`,
			wantFeature: -1,
		},
		{
			name:        "LineString",
			json:        collection(feature(`{}`, square), feature(`{}`, square), feature(`{}`, `{"type":"LineString","coordinates":[[0,0],[1,1]]}`)),
			wantErr:     "feature 2: LineString geometry; only Polygon and MultiPolygon",
			wantFeature: 2,
		},
		{
			name:        "GeometryCollection",
			json:        collection(feature(`{}`, `{"type":"GeometryCollection","geometries":[`+square+`]}`)),
			wantErr:     "GeometryCollection geometry",
			wantFeature: 0,
		},
		{
			name:        "unknown geometry type",
			json:        collection(feature(`{}`, square), feature(`{}`, `{"type":"Circle","coordinates":[0,0]}`)),
			wantErr:     "invalid geometry",
			wantFeature: 1,
		},
		{
			name:        "ring with 3 points",
			json:        collection(feature(`{}`, square), feature(`{}`, `{"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}`)),
			wantErr:     "feature 1: ring has 3 points",
			wantFeature: 1,
		},
		{
			name:        "hole with 2 points in a MultiPolygon",
			json:        collection(feature(`{}`, `{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[5,5],[6,5],[6,6],[5,5]],[[5.1,5.1],[5.2,5.2]]]]}`)),
			wantErr:     "ring has 2 points (ring 2 of 2) (polygon 2 of 2)",
			wantFeature: 0,
		},
		{
			name: "elevations dropped, escaped keys, foreign members",
			json: collection(`{"type":"Feature","id":7,"bbox":[0,0,1,1],"properties":{"n\u00e9":"x"},` +
				`"geometry":{"bbox":[0,0,1,1],"coordinates":[[[0,0,5],[1,0,5],[1,1,5],[0,0,5]]],"typ\u0065":"Polygon"}}`),
			check: func(t *testing.T, src *Source) {
				p, ok := src.Features[0].Geometry.(orb.Polygon)
				if !ok || len(p) != 1 || p[0][1] != (orb.Point{1, 0}) {
					t.Errorf("geometry %v", src.Features[0].Geometry)
				}
				if src.Features[0].Properties["né"] != "x" {
					t.Errorf("properties %v", src.Features[0].Properties)
				}
			},
		},
		{
			name: "invalid UTF-8 replaced in keys and nested values, as encoding/json does for strings",
			json: collection(feature("{\"n\xe6\":\"a\xe6\",\"tags\":[\"\xe6\"]}", square)),
			check: func(t *testing.T, src *Source) {
				want := map[string]string{"n\uFFFD": "a\uFFFD", "tags": "[\"\uFFFD\"]"}
				if got := src.Features[0].Properties; !reflect.DeepEqual(got, want) || strings.Join(src.Fields, ",") != "n\uFFFD,tags" {
					t.Errorf("properties %q, fields %q; want %q", got, src.Fields, want)
				}
			},
		},
		{
			name:        "position with one coordinate",
			json:        collection(feature(`{}`, `{"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]}`)),
			wantErr:     "position with 1 coordinates",
			wantFeature: 0,
		},
		{
			name:        "coordinates nested too shallow",
			json:        collection(feature(`{}`, square), feature(`{}`, `{"type":"MultiPolygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`)),
			wantErr:     "expected an array",
			wantFeature: 1,
		},
		{
			name:        "string in coordinates",
			json:        collection(feature(`{}`, `{"type":"Polygon","coordinates":[[["0",0],[1,0],[1,1],[0,0]]]}`)),
			wantErr:     "expected a number",
			wantFeature: 0,
		},
		{
			name:        "polygon without coordinates",
			json:        collection(feature(`{}`, `{"type":"Polygon"}`)),
			wantErr:     "Polygon without coordinates",
			wantFeature: 0,
		},
		{
			name:        "geometry not an object",
			json:        collection(feature(`{}`, `[1,2]`)),
			wantErr:     "geometry is not an object",
			wantFeature: 0,
		},
		{
			name:        "not a feature",
			json:        collection(square),
			wantErr:     "where a Feature was expected",
			wantFeature: 0,
		},
		{
			name:        "properties not an object",
			json:        collection(feature(`[1]`, square)),
			wantErr:     "not an object",
			wantFeature: 0,
		},
		{
			name:        "bare geometry",
			json:        square,
			wantErr:     `GeoJSON object of type "Polygon"`,
			wantFeature: -1,
		},
		{
			name:        "malformed JSON",
			json:        "{\"type\":\"FeatureCollection\",\n\"features\":[\n  {\"type\":\"Feature\" \"geometry\":null}]}",
			wantErr:     "invalid GeoJSON at line 3, column 21",
			wantFeature: -1,
		},
		{
			name:        "features not an array",
			json:        `{"type":"FeatureCollection","features":{}}`,
			wantErr:     "invalid GeoJSON at line 1",
			wantFeature: -1,
		},
		{
			name:        "empty file",
			json:        "",
			wantErr:     "invalid GeoJSON",
			wantFeature: -1,
		},
	}
}

func TestReadGeoJSONSynthetic(t *testing.T) {
	tests := geojsonSyntheticTests()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const path = "zones.geojson"
			src, err := ReadGeoJSON(fstest.MapFS{path: {Data: []byte(tc.json)}}, path)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, src)
				return
			}
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err %v (%T), want a *FileError", err, err)
			}
			if fe.File != path || fe.Feature != tc.wantFeature || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err %q at feature %d, want feature %d and %q", err, fe.Feature, tc.wantFeature, tc.wantErr)
			}
		})
	}
}

func TestCheckGeoJSONGeometryEmpty(t *testing.T) {
	for _, g := range []orb.Geometry{orb.Polygon{}, orb.MultiPolygon{}} {
		got, err := checkGeoJSONGeometry(g)
		if err != nil || got != nil {
			t.Errorf("checkGeoJSONGeometry(%#v) = %v, %v; want nil, nil", g, got, err)
		}
	}
}

func BenchmarkReadGeoJSON(b *testing.B) {
	benchmarkRead(b, "derived/ze2020_2022.geojson", ReadGeoJSON)
}

// FuzzReadGeoJSON feeds ReadGeoJSON arbitrary documents: it must return a
// Source that keeps the package conventions, or a FileError.
func FuzzReadGeoJSON(f *testing.F) {
	for _, tc := range geojsonSyntheticTests() {
		f.Add([]byte(tc.json))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := ReadGeoJSON(fstest.MapFS{"f.geojson": {Data: data}}, "f.geojson")
		checkRead(t, src, err)
	})
}
