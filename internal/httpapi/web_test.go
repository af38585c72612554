package httpapi

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

func webServer(fsys fstest.MapFS) *echo.Echo {
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(slog.New(slog.DiscardHandler))
	e.GET("/healthz", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.RouteNotFound("/*", newWebFrontEnd(fsys).handle)
	return e
}

func webDo(e *echo.Echo, method, target string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

var builtFS = fstest.MapFS{
	"index.html":            {Data: []byte(`<!doctype html><html lang="fr"><script type="module" src="/assets/index-abc.js"></script></html>`)},
	"assets/index-abc.js":   {Data: []byte(strings.Repeat("console.log('carte');\n", 100))},
	"assets/index-abc.css":  {Data: []byte("body{margin:0}")},
	"assets/worker-def.mjs": {Data: []byte(strings.Repeat("self.onmessage=()=>{};\n", 50))},
	"README.md":             {Data: []byte("placeholder")},
}

func TestWebServesIndexWithoutCache(t *testing.T) {
	e := webServer(builtFS)
	for _, p := range []string{"/", "/index.html"} {
		rec := webDo(e, http.MethodGet, p, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", p, rec.Code, rec.Body)
		}
		if got := rec.Header().Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("GET %s: content type %q", p, got)
		}
		if got := rec.Header().Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: cache control %q", p, got)
		}
		if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("GET %s: no content security policy", p)
		}
		if !strings.Contains(rec.Body.String(), `lang="fr"`) {
			t.Errorf("GET %s: body %q", p, rec.Body)
		}
		etag := rec.Header().Get("ETag")
		if etag == "" {
			t.Fatalf("GET %s: no ETag", p)
		}
		again := webDo(e, http.MethodGet, p, map[string]string{"If-None-Match": etag})
		if again.Code != http.StatusNotModified || again.Body.Len() != 0 {
			t.Errorf("GET %s with If-None-Match: %d, %d bytes", p, again.Code, again.Body.Len())
		}
	}
	head := webDo(e, http.MethodHead, "/", nil)
	if head.Code != http.StatusOK || head.Body.Len() != 0 {
		t.Errorf("HEAD /: %d, %d bytes", head.Code, head.Body.Len())
	}
}

func TestWebServesAssetsImmutableAndGzipped(t *testing.T) {
	e := webServer(builtFS)
	rec := webDo(e, http.MethodGet, "/assets/index-abc.js", map[string]string{"Accept-Encoding": "gzip"})
	if rec.Code != http.StatusOK {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if got := rec.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("cache control %q", got)
	}
	if got := rec.Header().Get("Content-Type"); got != "text/javascript; charset=utf-8" {
		t.Errorf("content type %q", got)
	}
	if rec.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
		t.Fatalf("not gzipped: %v", rec.Header())
	}
	zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != string(builtFS["assets/index-abc.js"].Data) {
		t.Error("gzip body differs from the file")
	}
	raw := webDo(e, http.MethodGet, "/assets/index-abc.js", nil)
	if raw.Header().Get("Content-Encoding") != "" || raw.Body.String() != string(builtFS["assets/index-abc.js"].Data) {
		t.Error("identity body differs from the file")
	}
	if raw.Header().Get("ETag") == rec.Header().Get("ETag") {
		t.Error("gzip and identity share one ETag")
	}
	// The maplibre worker is an ES module: it must be served as JavaScript.
	w := webDo(e, http.MethodGet, "/assets/worker-def.mjs", nil)
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Errorf("worker: %d %q", w.Code, w.Header().Get("Content-Type"))
	}
}

func TestWebUnknownPathsStayProblems(t *testing.T) {
	e := webServer(builtFS)
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/assets/absent.js"},
		{http.MethodGet, "/README.md"}, // the embed placeholder is not served
		{http.MethodGet, "/api/v1/nope"},
		{http.MethodGet, "/../../etc/passwd"},
		{http.MethodPost, "/"},
	} {
		rec := webDo(e, tc.method, tc.path, nil)
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s %s: %d", tc.method, tc.path, rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("%s %s: content type %q", tc.method, tc.path, ct)
		}
	}
	if rec := webDo(e, http.MethodGet, "/healthz", nil); rec.Code != http.StatusOK {
		t.Errorf("a real route is shadowed: %d", rec.Code)
	}
}

func TestWebNotBuiltIsAnExplicit503(t *testing.T) {
	e := webServer(fstest.MapFS{"README.md": {Data: []byte("placeholder")}})
	rec := webDo(e, http.MethodGet, "/", nil)
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var p httpx.Problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if rec.Header().Get("Content-Type") != "application/problem+json" || !strings.Contains(p.Detail, "la carte n'est pas construite : lancez make run") {
		t.Errorf("%q %+v", rec.Header().Get("Content-Type"), p)
	}
}

// The real server mounts the embedded build: / is the map when web-map/dist
// was built before `go build`, and the explicit 503 otherwise.
func TestNewMountsTheFrontEnd(t *testing.T) {
	e := echo.New()
	e.HTTPErrorHandler = httpx.ErrorHandler(slog.New(slog.DiscardHandler))
	Mount(e, Config{})
	rec := webDo(e, http.MethodGet, "/", nil)
	switch rec.Code {
	case http.StatusOK:
		if !strings.Contains(rec.Body.String(), "Atlas Santé-Travail") {
			t.Errorf("index: %q", rec.Body)
		}
	case http.StatusServiceUnavailable:
		t.Log("web-map/dist not built: / answers 503 as it should")
	default:
		t.Fatalf("GET /: %d %s", rec.Code, rec.Body)
	}
	if rec := webDo(e, http.MethodGet, "/nulle-part", nil); rec.Code != http.StatusNotFound {
		t.Errorf("GET /nulle-part: %d", rec.Code)
	}
}
