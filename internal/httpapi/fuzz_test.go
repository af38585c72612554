package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

// FuzzFilesRequest sends any method, path, query and Accept-Encoding to
// the tile files' server (the surface that needs no database, whole with
// its middleware): it never answers a 500, and its 400s are problems
// naming the parameter at fault. Tile paths are the main diet: layer, z,
// x, y with any suffix.
func FuzzFilesRequest(f *testing.F) {
	for _, s := range [][3]string{
		{"GET", "/tiles/occitanie/5/16/11.mvt", "gzip"}, {"GET", "/tiles/occitanie/5/16/11.pbf?indicator=x", ""},
		{"HEAD", "/tiles/occitanie/23/0/0.mvt", "br, gzip;q=0"}, {"GET", "/tiles/occitanie/5/-1/11.mvt", "*"},
		{"GET", "/tiles/occitanie/5/16/11", "identity"}, {"GET", "/tiles/inconnue/0/0/0.mvt", ""},
		{"GET", "/tiles/occitanie.json", ""}, {"GET", "/tiles", ""}, {"GET", "/tiles/occitanie/99999999999999999999/0/0.mvt", ""},
		{"POST", "/tiles/occitanie/5/16/11.mvt", ""}, {"GET", "/api/v1/indicators?theme=x", ""}, {"GET", "/readyz", ""},
		{"GET", "/tiles/occitanie/4/8/5.mvt?classes=3&sex=f", "gzip"}, {"GET", "/tiles/%2e%2e/0/0/0.mvt", ""},
		{"GET", "/a/../../tiles/occitanie/6/32/23.mvt", ""}, {"OPTIONS", "/tiles/occitanie/5/16/11.mvt", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	e, _ := fileFixture(f)
	f.Fuzz(func(t *testing.T, method, target, acceptEncoding string) {
		req, err := http.NewRequest(method, "http://atlas.test"+target, nil)
		if err != nil || !strings.HasPrefix(req.URL.Path, "/") {
			return // not a request a client can send
		}
		req.Header.Set("Accept-Encoding", acceptEncoding)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code == http.StatusInternalServerError {
			t.Fatalf("%s %s (Accept-Encoding %q): 500 %s", method, target, acceptEncoding, rec.Body)
		}
		if rec.Code == http.StatusBadRequest && method != http.MethodHead {
			var p httpx.Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || len(p.InvalidParams) == 0 || p.InvalidParams[0].Name == "" {
				t.Fatalf("%s %s: 400 without a parameter named: %s", method, target, rec.Body)
			}
		}
	})
}
