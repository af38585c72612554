package ogcapi_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden keeps the documents GIS clients read first (the landing page,
// a collection, a tileset) in testdata, with the server's address as HOST:
// a change to them shows in review.
func TestGolden(t *testing.T) {
	f := setup(t)
	for name, path := range map[string]string{
		"landing.json":                         "/ogc",
		"collection-departements-taux-at.json": "/ogc/collections/departements.taux-at",
		"tileset-departements.json":            "/ogc/collections/departements/tiles/WebMercatorQuad",
		"feature-31-lambert-code.json":         "/ogc/collections/departements.taux-at/items?bbox=1.43,43.6,1.45,43.61&crs=EPSG:2154&properties=code,status,value",
	} {
		raw := body(t, get(t, f.srv.URL+path))
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if m, ok := v.(map[string]any); ok {
			delete(m, "timeStamp") // the moment of the answer
			for _, ft := range asSlice(m["features"]) {
				// The outline's thousands of vertices are checked against
				// PostGIS elsewhere; keep the first one.
				g := ft.(map[string]any)["geometry"].(map[string]any)
				c := g["coordinates"].([]any)[0].([]any)[0].([]any)[0]
				g["coordinates"] = c
			}
		}
		got, _ := json.MarshalIndent(v, "", "  ")
		got = append(bytes.ReplaceAll(got, []byte(f.srv.URL), []byte("http://HOST")), '\n')
		file := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (go test -run Golden -update writes it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s:\n%s", path, file, firstDiff(string(got), string(want)))
		}
	}
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// firstDiff shows the first line where two texts part.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + strconv.Itoa(i+1) + ":\n got  " + al[i] + "\n want " + bl[i]
		}
	}
	return "lengths differ"
}
