package httpx

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/blob"
)

func sendWith(t *testing.T, b *blob.Body, method string, hdr map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	e := echo.New()
	req := httptest.NewRequest(method, "/x", nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	if err := SendEncoded(e.NewContext(req, rec), b, "application/json", "public, max-age=60"); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestSendEncoded(t *testing.T) {
	b, err := blob.New([]byte(strings.Repeat(`{"code":"31"}`, 50)))
	if err != nil {
		t.Fatal(err)
	}
	small, _ := blob.NewIfSmaller([]byte(`{}`), 512)
	empty, _ := blob.New(nil)
	for _, c := range []struct {
		name     string
		body     *blob.Body
		method   string
		hdr      map[string]string
		status   int
		encoding string
		etag     string
		vary     bool
		length   int // of the body written, -1 for any
	}{
		{"identity", b, http.MethodGet, nil, 200, "", b.ETag, true, len(b.Raw)},
		{"gzip", b, http.MethodGet, map[string]string{"Accept-Encoding": "gzip, deflate"}, 200, "gzip", b.GzipETag, true, len(b.Gzip)},
		{"br preferred to gzip", b, http.MethodGet, map[string]string{"Accept-Encoding": "br, gzip"}, 200, "br", b.BrETag, true, len(b.Br)},
		{"gzip by q-value", b, http.MethodGet, map[string]string{"Accept-Encoding": "br;q=0.5, gzip"}, 200, "gzip", b.GzipETag, true, len(b.Gzip)},
		{"304 on the br tag", b, http.MethodGet, map[string]string{"If-None-Match": b.BrETag, "Accept-Encoding": "gzip, br"}, 304, "", b.BrETag, true, 0},
		{"304 on the tag held, not the one chosen", b, http.MethodGet, map[string]string{"If-None-Match": b.GzipETag, "Accept-Encoding": "br"}, 304, "", b.GzipETag, true, 0},
		{"304 on * carries the chosen tag", b, http.MethodGet, map[string]string{"If-None-Match": "*", "Accept-Encoding": "br"}, 304, "", b.BrETag, true, 0},
		{"200 on another body's br tag", b, http.MethodGet, map[string]string{"If-None-Match": `"autre-br"`, "Accept-Encoding": "br"}, 200, "br", b.BrETag, true, len(b.Br)},
		{"gzip refused by q=0", b, http.MethodGet, map[string]string{"Accept-Encoding": "gzip;q=0"}, 200, "", b.ETag, true, len(b.Raw)},
		{"304 on the identity tag", b, http.MethodGet, map[string]string{"If-None-Match": b.ETag}, 304, "", b.ETag, true, 0},
		{"304 on the gzip tag, weak, in a list", b, http.MethodGet, map[string]string{"If-None-Match": `"x", W/` + b.GzipETag, "Accept-Encoding": "gzip"}, 304, "", b.GzipETag, true, 0},
		{"304 on *", b, http.MethodGet, map[string]string{"If-None-Match": "*"}, 304, "", b.ETag, true, 0},
		{"200 on another tag", b, http.MethodGet, map[string]string{"If-None-Match": `"autre"`}, 200, "", b.ETag, true, len(b.Raw)},
		{"HEAD says the length", b, http.MethodHead, map[string]string{"Accept-Encoding": "gzip"}, 200, "gzip", b.GzipETag, true, 0},
		{"no gzip form", small, http.MethodGet, map[string]string{"Accept-Encoding": "gzip"}, 200, "", small.ETag, false, 2},
		{"empty body is 204", empty, http.MethodGet, nil, 204, "", "", true, 0},
	} {
		rec := sendWith(t, c.body, c.method, c.hdr)
		h := rec.Header()
		if rec.Code != c.status || h.Get("Content-Encoding") != c.encoding || h.Get("ETag") != c.etag {
			t.Errorf("%s: %d, encoding %q, etag %q; want %d, %q, %q", c.name, rec.Code, h.Get("Content-Encoding"), h.Get("ETag"), c.status, c.encoding, c.etag)
		}
		if got := strings.Contains(h.Get("Vary"), "Accept-Encoding"); got != c.vary {
			t.Errorf("%s: Vary %q", c.name, h.Get("Vary"))
		}
		if c.length >= 0 && rec.Body.Len() != c.length {
			t.Errorf("%s: %d bytes written, want %d", c.name, rec.Body.Len(), c.length)
		}
		if h.Get("Cache-Control") != "public, max-age=60" {
			t.Errorf("%s: Cache-Control %q", c.name, h.Get("Cache-Control"))
		}
	}
	rec := sendWith(t, b, http.MethodHead, map[string]string{"Accept-Encoding": "gzip"})
	if rec.Header().Get("Content-Length") != strconv.Itoa(len(b.Gzip)) || rec.Header().Get("Content-Type") != "application/json" {
		t.Errorf("HEAD headers %v", rec.Header())
	}
	// Every answer says its length: a large body is not sent chunked.
	rec = sendWith(t, b, http.MethodGet, map[string]string{"Accept-Encoding": "br"})
	if rec.Header().Get("Content-Length") != strconv.Itoa(len(b.Br)) {
		t.Errorf("br Content-Length %q, want %d", rec.Header().Get("Content-Length"), len(b.Br))
	}
	// The br body decodes to the very bytes.
	back, err := io.ReadAll(brotli.NewReader(rec.Body))
	if err != nil || !bytes.Equal(back, b.Raw) {
		t.Errorf("br body does not decode to the body: %v", err)
	}
	// A body built by hand (no header values made beforehand) is sent the
	// same.
	bare := &blob.Body{Raw: b.Raw, Gzip: b.Gzip, ETag: b.ETag, GzipETag: b.GzipETag}
	rec = sendWith(t, bare, http.MethodGet, map[string]string{"Accept-Encoding": "br, gzip"})
	if rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("ETag") != b.GzipETag || rec.Header().Get("Content-Length") != strconv.Itoa(len(b.Gzip)) {
		t.Errorf("hand-made body: %v", rec.Header())
	}
}

// TestNegotiate: the coding of highest q among those there are, br first
// when equal, identity when nothing else is acceptable.
func TestNegotiate(t *testing.T) {
	const id, gz, br = blob.Identity, blob.Gzip, blob.Brotli
	for _, c := range []struct {
		ae        string
		gzip, brf bool // forms available
		want      blob.Encoding
	}{
		{"", true, true, id},
		{"identity", true, true, id},
		{"gzip", true, true, gz},
		{"br", true, true, br},
		{"gzip, deflate, br, zstd", true, true, br},
		{"gzip, deflate, br, zstd", true, false, gz},
		{"gzip, deflate, br, zstd", false, true, br},
		{"gzip, br", false, false, id},
		{"BR, GZIP", true, true, br},
		{"br;q=0.5, gzip;q=0.8", true, true, gz},
		{"br;q=0.8, gzip;q=0.8", true, true, br},
		{"br;q=1.0, gzip;q=1", true, true, br},
		{"br;q=0, gzip", true, true, gz},
		{"br; q=0.001, gzip;q=0", true, true, br},
		{"gzip;q=0, br;q=0", true, true, id},
		{"*", true, true, br},
		{"*;q=0.5, gzip", true, true, gz},
		{"*, br;q=0", true, true, gz},
		{"identity;q=1, gzip;q=0.5", true, true, id},
		{"identity;q=0.5, gzip", true, true, gz},
		{"gzip;q=2", true, true, id},      // malformed: refused
		{"gzip;q=0.5555", true, true, id}, // more than three decimals
		{"gzip;q=abc, br", true, true, br},
		{" gzip ; q=0.7 ,br;q=0.6", true, true, gz},
		{"x-gzip", true, true, id},
		{",,;,", true, true, id},
	} {
		if got := Negotiate(c.ae, c.gzip, c.brf); got != c.want {
			t.Errorf("Negotiate(%q, gzip %v, br %v) = %d, want %d", c.ae, c.gzip, c.brf, got, c.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { Negotiate("gzip, deflate, br;q=0.9, zstd", true, true) }); n != 0 {
		t.Errorf("Negotiate allocates %g times", n)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for ae, want := range map[string]bool{
		"":                    false,
		"gzip":                true,
		"GZIP":                true,
		"deflate, gzip;q=0.5": true,
		"gzip;q=0":            false,
		"gzip; q=0.0":         false,
		"br":                  false,
		"x-gzip":              false,
	} {
		if got := AcceptsGzip(ae); got != want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", ae, got, want)
		}
	}
}

func TestMatchETag(t *testing.T) {
	for _, c := range []struct {
		inm  string
		want bool
	}{
		{"", false},
		{`"a"`, true},
		{`W/"a"`, true},
		{`"b", "a-gz"`, true},
		{`"b"`, false},
		{"*", true},
	} {
		if got := MatchETag(c.inm, `"a"`, `"a-gz"`); got != c.want {
			t.Errorf("MatchETag(%q) = %v, want %v", c.inm, got, c.want)
		}
	}
	if MatchETag(`""`, `"a"`, "") {
		t.Error("an empty tag matched a body without gzip form")
	}
}
