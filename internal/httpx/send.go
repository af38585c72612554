package httpx

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/blob"
)

// SendEncoded writes a body prepared with its gzip form and ETags, the way
// every cached answer is sent: 204 when empty (an empty tile), gzip when
// accepted and available, a strong ETag per representation and 304 on a
// match, and the length alone for HEAD.
func SendEncoded(c echo.Context, b *blob.Body, contentType, cacheControl string) error {
	req := c.Request()
	hd := c.Response().Header()
	hd.Set("Cache-Control", cacheControl)
	if b.Raw == nil {
		hd.Add("Vary", "Accept-Encoding")
		return c.NoContent(http.StatusNoContent)
	}
	body, tag := b.Raw, b.ETag
	if b.Gzip != nil {
		hd.Add("Vary", "Accept-Encoding")
		if AcceptsGzip(req.Header.Get("Accept-Encoding")) {
			body, tag = b.Gzip, b.GzipETag
			hd.Set(echo.HeaderContentEncoding, "gzip")
		}
	}
	hd.Set("ETag", tag)
	if MatchETag(req.Header.Get("If-None-Match"), b.ETag, b.GzipETag) {
		hd.Del(echo.HeaderContentEncoding)
		return c.NoContent(http.StatusNotModified)
	}
	if IsHead(c) {
		// net/http drops a HEAD body without counting it: say the length.
		hd.Set(echo.HeaderContentType, contentType)
		hd.Set(echo.HeaderContentLength, strconv.Itoa(len(body)))
		return c.NoContent(http.StatusOK)
	}
	return c.Blob(http.StatusOK, contentType, body)
}

// AcceptsGzip tells whether an Accept-Encoding header accepts gzip
// (explicitly, with a q-value above 0).
func AcceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && k == "q" {
				q, _ = strconv.ParseFloat(v, 64)
			}
		}
		return q > 0
	}
	return false
}

// MatchETag tells whether an If-None-Match header names one of tags (the
// representations of one body: identity and gzip) or is "*". Empty tags
// (no gzip form) match nothing.
func MatchETag(inm string, tags ...string) bool {
	if inm == "" {
		return false
	}
	for _, tag := range strings.Split(inm, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || (tag != "" && slices.Contains(tags, tag)) {
			return true
		}
	}
	return false
}
