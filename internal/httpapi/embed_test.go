package httpapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/server"
)

// embedFS is a built front end with the embed's two pages, as Vite writes
// them (the handler fills in the head).
var embedFS = fstest.MapFS{
	"index.html":                {Data: []byte(`<!doctype html><html lang="fr"><head><title>Atlas Santé-Travail</title></head><body></body></html>`)},
	"embed.html":                {Data: []byte(`<!doctype html><html lang="fr"><head><meta charset="utf-8" /><title>Carte intégrée</title><script type="module" src="/assets/embed-abc.js"></script></head><body><div id="carte"></div></body></html>`)},
	"embed-example.html":        {Data: []byte(`<!doctype html><html lang="fr"><head><title>Exemple</title></head><body><iframe src="/embed"></iframe></body></html>`)},
	"assets/embed-abc.js":       {Data: []byte("console.log('intégrée')")},
	"atlas-embed.js":            {Data: []byte("window.AtlasEmbed={}")},
	"assets/index-abc.js":       {Data: []byte("console.log('carte')")},
	"assets/maplibre-worker.js": {Data: []byte("self.onmessage=()=>{}")},
}

var testEmbedOrigins = []string{"https://portail.example.fr", "http://localhost:5173"}

// setupEmbed serves the territories and indicators of setupIndicators with
// a front end holding the embed pages, two embed origins and a public URL.
func setupEmbed(t *testing.T) string {
	t.Helper()
	f := setupIndicators(t)
	srv := httptest.NewServer(server.New(server.Config{Store: f.st, Tiles: f.svc, Web: embedFS, EmbedOrigins: testEmbedOrigins,
		PublicURL: "https://atlas.example.fr"}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func problemParam(t *testing.T, what string, b []byte) (string, string) {
	t.Helper()
	var p httpx.Problem
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%s: not a problem: %v\n%s", what, err, b)
	}
	if len(p.InvalidParams) == 0 {
		return "", p.Detail
	}
	return p.InvalidParams[0].Name, p.Detail
}

func TestEmbedAndOEmbed(t *testing.T) {
	base := setupEmbed(t)
	t.Run("framing", func(t *testing.T) { testFraming(t, base) })
	t.Run("embed page", func(t *testing.T) { testEmbedPage(t, base) })
	t.Run("embed refusals", func(t *testing.T) { testEmbedRefusals(t, base) })
	t.Run("oembed", func(t *testing.T) { testOEmbed(t, base) })
	t.Run("oembed refusals", func(t *testing.T) { testOEmbedRefusals(t, base) })
}

// Only /embed may be framed, by this server and the configured origins;
// every other answer (the map, the API, the tiles, errors, the example
// page) refuses frames, and the map keeps its own policy.
func testFraming(t *testing.T, base string) {
	allowed := "frame-ancestors 'self' https://portail.example.fr http://localhost:5173"
	for _, c := range []struct {
		path   string
		status int
		csp    []string // parts the one policy must hold
		xfo    string
	}{
		{"/embed?i=taux-at&l=departement", 200, []string{"default-src 'self'", "connect-src 'self'", allowed}, ""},
		{"/embed", 200, []string{"default-src 'self'", allowed}, ""},
		{"/", 200, []string{"default-src 'self'", "frame-ancestors 'none'"}, "DENY"},
		{"/embed/example", 200, []string{"default-src 'self'", "frame-ancestors 'none'"}, "DENY"},
		{"/api/v1/indicators", 200, []string{"frame-ancestors 'none'"}, "DENY"},
		{"/tiles.json", 200, []string{"frame-ancestors 'none'"}, "DENY"},
		{"/oembed?url=" + url.QueryEscape(base+"/embed"), 200, []string{"frame-ancestors 'none'"}, "DENY"},
		{"/embed?legend=oui", 400, []string{"frame-ancestors 'none'"}, "DENY"},
		{"/absent", 404, []string{"frame-ancestors 'none'"}, "DENY"},
		// The embed page is only served with its headers, never raw.
		{"/embed.html", 404, []string{"frame-ancestors 'none'"}, "DENY"},
	} {
		r := get(t, base+c.path)
		body(t, r)
		if r.StatusCode != c.status {
			t.Errorf("GET %s: %d, want %d", c.path, r.StatusCode, c.status)
		}
		policies := r.Header.Values("Content-Security-Policy")
		if len(policies) != 1 {
			t.Errorf("GET %s: %d policies %q, want one", c.path, len(policies), policies)
			continue
		}
		for _, part := range c.csp {
			if !strings.Contains(policies[0], part) {
				t.Errorf("GET %s: policy %q lacks %q", c.path, policies[0], part)
			}
		}
		if c.xfo == "" && strings.Contains(policies[0], "frame-ancestors 'none'") {
			t.Errorf("GET %s: policy %q refuses frames", c.path, policies[0])
		}
		if got := r.Header.Get("X-Frame-Options"); got != c.xfo {
			t.Errorf("GET %s: X-Frame-Options %q, want %q", c.path, got, c.xfo)
		}
	}
}

func testEmbedPage(t *testing.T, base string) {
	q := "/embed?i=taux-at&l=departement&r=76&sel=31&legend=0"
	r := get(t, base+q)
	page := string(body(t, r))
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET %s: %d %s", q, r.StatusCode, r.Header.Get("Content-Type"))
	}
	if r.Header.Get("Cache-Control") != "no-cache" || r.Header.Get("ETag") == "" {
		t.Errorf("GET %s: cache %q, etag %q", q, r.Header.Get("Cache-Control"), r.Header.Get("ETag"))
	}
	self := "https://atlas.example.fr" + q // the public URL names the page
	for _, want := range []string{
		`<meta name="atlas-embed-origins" content="https://portail.example.fr http://localhost:5173" />`,
		`<link rel="alternate" type="application/json+oembed" href="https://atlas.example.fr/oembed?format=json&amp;url=` + url.QueryEscape(self) + `"`,
		`<title>Taux de test taux-at – Atlas Santé-Travail</title>`,
		`<script type="module" src="/assets/embed-abc.js">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("GET %s: page lacks %s:\n%s", q, want, page)
		}
	}
	// title= is the page's title, escaped.
	r = get(t, base+"/embed?title="+url.QueryEscape(`Sinistralité <Occitanie> & "AT"`))
	page = string(body(t, r))
	if !strings.Contains(page, `<title>Sinistralité &lt;Occitanie&gt; &amp; &#34;AT&#34;</title>`) || strings.Contains(page, "<Occitanie>") {
		t.Errorf("title not escaped:\n%s", page)
	}
	// An ETag revalidates.
	etag := r.Header.Get("ETag")
	again := get(t, base+"/embed?title="+url.QueryEscape(`Sinistralité <Occitanie> & "AT"`), "If-None-Match", etag)
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", again.StatusCode)
	}
	r = get(t, base+"/embed/example")
	if b := string(body(t, r)); r.StatusCode != 200 || !strings.Contains(b, `<iframe src="/embed">`) {
		t.Errorf("GET /embed/example: %d %s", r.StatusCode, b)
	}
}

// Bad parameters of the embed URL get a problem naming them as typed.
func testEmbedRefusals(t *testing.T, base string) {
	long := strings.Repeat("é", 121)
	for _, c := range []struct {
		query  string
		status int
		param  string
	}{
		{"legend=oui", 400, "legend"},
		{"controls=2", 400, "controls"},
		{"title=" + url.QueryEscape(long), 400, "title"},
		{"title=a%01b", 400, "title"},
		{"z=loin", 400, "z"},
		{"lat=91", 400, "lat"},
		{"lon=-200", 400, "lon"},
		{"i=inconnu", 404, "i"},
		{"i=taux-at&l=canton", 400, "l"},
		{"i=taux-at&l=departement&p=1999", 404, "p"},
		{"i=taux-at&s=autre", 400, "s"},
		{"i=taux-at&m=au-hasard", 400, "m"},
		{"i=taux-at&k=12", 400, "k"},
		{"i=taux-at&l=departement&r=99", 404, "r"},
	} {
		r := get(t, base+"/embed?"+c.query)
		b := body(t, r)
		if r.StatusCode != c.status || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("/embed?%s: %d %s, want %d problem\n%s", c.query, r.StatusCode, r.Header.Get("Content-Type"), c.status, b)
			continue
		}
		if name, detail := problemParam(t, c.query, b); name != c.param {
			t.Errorf("/embed?%s: names %q (%s), want %q", c.query, name, detail, c.param)
		}
	}
}
