package httpapi

import (
	"io/fs"
	"math"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

// The workshop map (web-map/, built by Vite) is served by the binary itself
// so that a workshop runs with no internet. Its files come from an fs.FS
// (the embedded web-map/dist in production, a fstest.MapFS in tests), read
// once into memory with their gzip form and strong ETag.
//
// It is mounted as echo's "route not found" handler rather than as routes:
// the front end is not part of the HTTP API (api/openapi.yaml), and every
// path that is neither an API route nor a front-end file still gets the
// same 404 problem as before.

const (
	// Vite names assets by content hash: they never change under one name.
	webAssetCache = "public, max-age=31536000, immutable"
	// index.html names the current assets: always revalidate it (ETag).
	webIndexCache = "no-cache"
	// Everything the page loads comes from the binary: the policy makes an
	// accidental CDN, basemap or font URL fail loudly in the browser.
	webCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data: blob:; worker-src 'self' blob:; child-src 'self' blob:; " +
		"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'"
)

type webFile struct {
	body         *blob.Body
	contentType  string
	cacheControl string
}

type webFrontEnd struct {
	fsys  fs.FS
	once  sync.Once
	files map[string]*webFile // by URL path without the leading slash
	err   error
}

func newWebFrontEnd(fsys fs.FS) *webFrontEnd {
	return &webFrontEnd{fsys: fsys}
}

func (w *webFrontEnd) load() {
	w.files = map[string]*webFile{}
	w.err = fs.WalkDir(w.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if p == "README.md" { // the placeholder that keeps go:embed compiling
			return nil
		}
		if p == embedFile || p == embedExampleFile {
			return nil // served by their routes, with their own headers (embed.go)
		}
		raw, err := fs.ReadFile(w.fsys, p)
		if err != nil {
			return err
		}
		f := &webFile{contentType: webContentType(p), cacheControl: webAssetCache}
		if p == "index.html" || !strings.HasPrefix(p, "assets/") {
			f.cacheControl = webIndexCache
		}
		minGzip := 512
		if !compressible(f.contentType) {
			minGzip = math.MaxInt // images and fonts are compressed already
		}
		if f.body, err = blob.NewIfSmaller(raw, minGzip); err != nil {
			return err
		}
		w.files[p] = f
		return nil
	})
}

func webContentType(p string) string {
	switch path.Ext(p) {
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".json", ".map":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	case ".pbf":
		return "application/x-protobuf"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.HasPrefix(ct, "application/json") ||
		strings.HasPrefix(ct, "image/svg") || strings.HasPrefix(ct, "application/x-protobuf")
}

// handle answers GET and HEAD for the front end's files; anything else is
// the ordinary 404 problem.
func (w *webFrontEnd) handle(c echo.Context) error {
	req := c.Request()
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		return echo.ErrNotFound
	}
	w.once.Do(w.load)
	if w.err != nil {
		return w.err // logged, answered as a 500 problem
	}
	name := strings.TrimPrefix(path.Clean("/"+req.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	f, ok := w.files[name]
	if !ok {
		if name == "index.html" {
			return &httpx.Problem{Type: "/problems/front-end-not-built", Title: "Carte indisponible", Status: http.StatusServiceUnavailable,
				Detail: "la carte n'est pas construite : lancez make run (ou bash deploy/web.sh, puis go build) pour que web-map/dist soit incluse dans le binaire"}
		}
		return echo.ErrNotFound
	}
	hd := c.Response().Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	if f.contentType == "text/html; charset=utf-8" {
		hd.Set("Content-Security-Policy", webCSP)
		hd.Set("Referrer-Policy", "no-referrer")
	}
	return httpx.SendEncoded(c, f.body, f.contentType, f.cacheControl)
}
