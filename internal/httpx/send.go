package httpx

import (
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/blob"
)

// Header values every encoded answer shares, assigned as they are (the
// keys canonical): a tile must cost no allocation for its headers. They
// are never modified; an Add to one of them reallocates, as its capacity is
// its length.
var (
	varyAcceptEncoding = []string{"Accept-Encoding"}
	codingValues       = [...][]string{blob.Gzip: {"gzip"}, blob.Brotli: {"br"}}
)

// SendEncoded writes a body prepared with its compressed forms and ETags,
// the way every cached answer is sent: 204 when empty (an empty tile), the
// coding Accept-Encoding prefers among the forms there are (Negotiate), a
// strong ETag per representation and 304 when If-None-Match names one, and
// the length alone for HEAD.
func SendEncoded(c echo.Context, b *blob.Body, contentType, cacheControl string) error {
	req := c.Request()
	hd := c.Response().Header()
	hd["Cache-Control"] = headerValue(cacheControl)
	if b.Raw == nil {
		addVary(hd)
		return c.NoContent(http.StatusNoContent)
	}
	enc := blob.Identity
	if b.Gzip != nil || b.Br != nil {
		addVary(hd)
		enc = Negotiate(req.Header.Get("Accept-Encoding"), b.Gzip != nil, b.Br != nil)
	}
	body, _ := b.Form(enc)
	etag, length := b.HeaderValues(enc)
	if held, ok := matchedForm(req.Header.Get("If-None-Match"), b, enc); ok {
		// The client's copy is still good: a 304 carries the tag of the
		// representation it holds, which its cache keeps with it.
		if held != enc {
			etag, _ = b.HeaderValues(held)
		}
		hd["Etag"] = etag
		return c.NoContent(http.StatusNotModified)
	}
	hd["Etag"] = etag
	if enc != blob.Identity {
		hd["Content-Encoding"] = codingValues[enc]
	}
	hd["Content-Type"] = headerValue(contentType)
	// Said, so that a large body is not sent chunked (and HEAD, whose body
	// net/http drops without counting it, says how long it is).
	hd["Content-Length"] = length
	c.Response().WriteHeader(http.StatusOK)
	if IsHead(c) {
		return nil
	}
	_, err := c.Response().Write(body)
	return err
}

// addVary adds Accept-Encoding to the Vary header, without allocating
// when it is the only value.
func addVary(hd http.Header) {
	if v, ok := hd["Vary"]; ok {
		hd["Vary"] = append(v, "Accept-Encoding")
		return
	}
	hd["Vary"] = varyAcceptEncoding
}

// headerValues interns the few header values callers pass as constants
// (content types, cache policies), so that assigning one allocates
// nothing. Bounded: past maxInterned values, each is allocated per use.
var headerValues = struct {
	sync.RWMutex
	m map[string][]string
}{m: map[string][]string{}}

const maxInterned = 256

func headerValue(v string) []string {
	headerValues.RLock()
	s, ok := headerValues.m[v]
	headerValues.RUnlock()
	if ok {
		return s
	}
	s = []string{v}
	headerValues.Lock()
	if len(headerValues.m) < maxInterned {
		headerValues.m[strings.Clone(v)] = s
	}
	headerValues.Unlock()
	return s
}

// Negotiate chooses the content coding of an answer from an
// Accept-Encoding header (RFC 9110 §12.5.3) among the compressed forms
// available: the one of highest q-value above 0 (an unlisted coding takes
// the q of "*", if any), br before gzip when equal, and identity when
// neither is acceptable, or when identity is listed with a higher q than
// both. It allocates nothing: it runs on every tile.
func Negotiate(ae string, gzip, br bool) blob.Encoding {
	qBr, qGzip, qIdentity, qStar := -1, -1, -1, -1 // in thousandths; -1: not listed
	for ae != "" {
		var part string
		part, ae, _ = strings.Cut(ae, ",")
		name, params, _ := strings.Cut(part, ";")
		q := 1000
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && (k == "q" || k == "Q") {
				q = parseQ(strings.TrimSpace(v))
			}
		}
		switch name = strings.TrimSpace(name); {
		case strings.EqualFold(name, "br"):
			qBr = q
		case strings.EqualFold(name, "gzip"):
			qGzip = q
		case strings.EqualFold(name, "identity"):
			qIdentity = q
		case name == "*":
			qStar = q
		}
	}
	unlisted := func(q int) int {
		if q < 0 {
			return max(qStar, 0)
		}
		return q
	}
	if !br {
		qBr = 0
	}
	if !gzip {
		qGzip = 0
	}
	qBr, qGzip = unlisted(qBr), unlisted(qGzip)
	best, q := blob.Identity, 0
	if qBr > 0 {
		best, q = blob.Brotli, qBr
	}
	if qGzip > q {
		best, q = blob.Gzip, qGzip
	}
	if best != blob.Identity && qIdentity > q {
		return blob.Identity
	}
	return best
}

// parseQ reads a qvalue ("0", "0.5", "1.000") in thousandths; a malformed
// one is 0, refusing the coding as strconv.ParseFloat's zero did.
func parseQ(v string) int {
	if v == "" || (v[0] != '0' && v[0] != '1') {
		return 0
	}
	n, scale := int(v[0]-'0')*1000, 100
	if len(v) > 1 {
		if v[1] != '.' || len(v) > 5 {
			return 0
		}
		for _, d := range v[2:] {
			if d < '0' || d > '9' {
				return 0
			}
			n += int(d-'0') * scale
			scale /= 10
		}
	}
	return min(n, 1000)
}

// AcceptsGzip tells whether an Accept-Encoding header accepts gzip
// (explicitly, with a q-value above 0).
func AcceptsGzip(ae string) bool { return Negotiate(ae, true, false) == blob.Gzip }

// matchedForm tells which representation of b an If-None-Match header
// names (the chosen one for "*"), if any; weak comparison, as RFC 9110
// wants for If-None-Match.
func matchedForm(inm string, b *blob.Body, chosen blob.Encoding) (blob.Encoding, bool) {
	for inm != "" {
		var tag string
		tag, inm, _ = strings.Cut(inm, ",")
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "" {
			continue
		}
		if tag == "*" {
			return chosen, true
		}
		for e := blob.Identity; e <= blob.Brotli; e++ {
			if _, t := b.Form(e); t != "" && t == tag {
				return e, true
			}
		}
	}
	return 0, false
}

// MatchETag tells whether an If-None-Match header names one of tags (the
// representations of one body) or is "*". Empty tags (no such form) match
// nothing.
func MatchETag(inm string, tags ...string) bool {
	for inm != "" {
		var tag string
		tag, inm, _ = strings.Cut(inm, ",")
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" {
			return true
		}
		for _, t := range tags {
			if tag != "" && t == tag {
				return true
			}
		}
	}
	return false
}
