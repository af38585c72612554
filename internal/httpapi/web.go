package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	webmap "github.com/atlas-sante-travail/atlas/web-map"
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
	body, gz     []byte
	etag, gzETag string
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

// defaultWeb is the front end embedded in the binary.
func defaultWeb() *webFrontEnd { return newWebFrontEnd(webmap.Dist()) }

func (w *webFrontEnd) load() {
	w.files = map[string]*webFile{}
	w.err = fs.WalkDir(w.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if p == "README.md" { // the placeholder that keeps go:embed compiling
			return nil
		}
		body, err := fs.ReadFile(w.fsys, p)
		if err != nil {
			return err
		}
		f := &webFile{body: body, contentType: webContentType(p), cacheControl: webAssetCache}
		if p == "index.html" || !strings.HasPrefix(p, "assets/") {
			f.cacheControl = webIndexCache
		}
		sum := sha256.Sum256(body)
		f.etag = `"` + hex.EncodeToString(sum[:16]) + `"`
		if len(body) > 512 && compressible(f.contentType) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(body) //nolint:errcheck // writes to memory
			zw.Close()     //nolint:errcheck // writes to memory
			if buf.Len() < len(body) {
				f.gz = buf.Bytes()
				f.gzETag = `"` + hex.EncodeToString(sum[:16]) + `-gz"`
			}
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
			return &Problem{Type: "/problems/front-end-not-built", Title: "Carte indisponible", Status: http.StatusServiceUnavailable,
				Detail: "front end not built: run make run (or bash deploy/web.sh, then go build) so that web-map/dist is embedded in the binary"}
		}
		return echo.ErrNotFound
	}
	hd := c.Response().Header()
	hd.Set("Cache-Control", f.cacheControl)
	hd.Set("X-Content-Type-Options", "nosniff")
	if f.contentType == "text/html; charset=utf-8" {
		hd.Set("Content-Security-Policy", webCSP)
		hd.Set("Referrer-Policy", "no-referrer")
	}
	body, tag := f.body, f.etag
	if f.gz != nil {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(req.Header.Get("Accept-Encoding")) {
			body, tag = f.gz, f.gzETag
			hd.Set(echo.HeaderContentEncoding, "gzip")
		}
	}
	hd.Set("ETag", tag)
	if matchETag(req.Header.Get("If-None-Match"), f.etag, f.gzETag) {
		hd.Del(echo.HeaderContentEncoding)
		return c.NoContent(http.StatusNotModified)
	}
	if req.Method == http.MethodHead {
		hd.Set(echo.HeaderContentType, f.contentType)
		hd.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
		return c.NoContent(http.StatusOK)
	}
	return c.Blob(http.StatusOK, f.contentType, body)
}
