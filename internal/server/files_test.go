package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// NewFiles gets the middleware every server has: CORS as configured,
// framing refused, metrics counted; with no file, no tile and no database.
func TestNewFilesSharesTheMiddleware(t *testing.T) {
	e := NewFiles(Config{CORSOrigins: []string{"https://portail.example"},
		Web: fstest.MapFS{"index.html": {Data: []byte("<!doctype html><title>Atlas</title>")}}}, nil)
	do := func(path string, hdr ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	rec := do("/tiles.json", "Origin", "https://portail.example")
	if rec.Code != 200 || strings.TrimSpace(rec.Body.String()) != "[]" || rec.Header().Get("Access-Control-Allow-Origin") != "https://portail.example" {
		t.Errorf("tiles.json %d %q, CORS %q", rec.Code, rec.Body, rec.Header().Get("Access-Control-Allow-Origin"))
	}
	if rec := do("/"); rec.Code != 200 || rec.Header().Get("X-Frame-Options") != "DENY" {
		t.Errorf("index %d, X-Frame-Options %q", rec.Code, rec.Header().Get("X-Frame-Options"))
	}
	if rec := do("/tiles/regions/0/0/0.mvt"); rec.Code != 404 {
		t.Errorf("a tile of no file: %d", rec.Code)
	}
	if rec := do("/metrics"); !strings.Contains(rec.Body.String(), `atlas_http_requests_total{route="/tiles/:layer/:z/:x/:y",status="404"} 1`) {
		t.Errorf("metrics:\n%.2000s", rec.Body)
	}
}
