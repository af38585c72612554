package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// New mounts the shared middleware and the surfaces: without a database
// the server still answers, and says it is not ready.
func TestNewWithoutDatabase(t *testing.T) {
	svc := tiles.NewService(nil, blob.NewLRU(1<<20), tiles.Options{PrewarmMaxZoom: -1})
	e := New(Config{Tiles: svc, CORSOrigins: []string{"https://portail.example"},
		Web: fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>Atlas Santé-Travail</title>")}}})
	do := func(path string, hdr ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	if rec := do("/healthz"); rec.Code != 200 {
		t.Errorf("healthz %d", rec.Code)
	}
	rec := do("/readyz")
	var ready map[string]any
	if json.Unmarshal(rec.Body.Bytes(), &ready) != nil || rec.Code != 503 || ready["database"] != "unreachable" {
		t.Errorf("readyz %d %s", rec.Code, rec.Body)
	}
	if rec := do("/", "Origin", "https://portail.example"); rec.Code != 200 || rec.Header().Get("Access-Control-Allow-Origin") != "https://portail.example" {
		t.Errorf("index %d, CORS %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	}
	if rec := do("/tiles.json", "Origin", "https://ailleurs.example"); rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("an origin not configured is allowed: %q", rec.Header().Get("Access-Control-Allow-Origin"))
	}
	rec = do("/tiles/regions/0/0/0.mvt")
	var p httpx.Problem
	if json.Unmarshal(rec.Body.Bytes(), &p) != nil || rec.Code != 404 || p.InvalidParams[0].Name != "layer" {
		t.Errorf("unknown layer: %d %s", rec.Code, rec.Body)
	}
	if rec := do("/metrics"); !strings.Contains(rec.Body.String(), `atlas_http_requests_total{route="/tiles/:layer/:z/:x/:y",status="404"} 1`) {
		t.Errorf("metrics:\n%.2000s", rec.Body)
	}
}
