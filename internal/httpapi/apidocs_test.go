package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/atlas-sante-travail/atlas/api"
	"github.com/atlas-sante-travail/atlas/internal/server"
)

// docsServer serves the routes of the document, which need no database.
func docsServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(server.New(server.Config{}))
	t.Cleanup(srv.Close)
	return srv
}

func fetchDoc(t *testing.T, url string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	// Set explicitly, so that the transport hands gzip bodies back as sent.
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, b
}

// TestOpenAPIJSONIsTheYAML: /api/openapi.json is the YAML document decoded,
// keys in the same order, with the media type OGC API clients expect; the
// YAML route serves the file itself.
func TestOpenAPIJSONIsTheYAML(t *testing.T) {
	srv := docsServer(t)
	res, js := fetchDoc(t, srv.URL+"/api/openapi.json", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/vnd.oai.openapi+json;version=3.0" {
		t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var fromJSON any
	if err := json.Unmarshal(js, &fromJSON); err != nil {
		t.Fatal(err)
	}
	var fromYAML any
	if err := yaml.Unmarshal(api.OpenAPI(), &fromYAML); err != nil {
		t.Fatal(err)
	}
	// YAML integers become JSON numbers: compare both as JSON values.
	raw, err := json.Marshal(fromYAML)
	if err != nil {
		t.Fatal(err)
	}
	var want any
	json.Unmarshal(raw, &want)
	if !reflect.DeepEqual(fromJSON, want) {
		t.Error("the JSON document differs from the YAML one")
	}
	// The paths come in the YAML's order.
	var doc yaml.Node
	yaml.Unmarshal(api.OpenAPI(), &doc)
	last := -1
	for _, p := range yamlPaths(t) {
		i := bytes.Index(js, []byte(`"`+p+`":{`))
		if i <= last {
			t.Errorf("path %s out of order in the JSON (at %d, after %d)", p, i, last)
		}
		last = i
	}

	res, y := fetchDoc(t, srv.URL+"/api/openapi.yaml", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/yaml" || !bytes.Equal(y, api.OpenAPI()) {
		t.Errorf("yaml: %d %s, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(y))
	}
}

// yamlPaths lists the document's paths in order.
func yamlPaths(t *testing.T) []string {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	for i := 0; i < len(root.Content); i += 2 {
		if root.Content[i].Value == "paths" {
			var out []string
			for j, n := range root.Content[i+1].Content {
				if j%2 == 0 {
					out = append(out, n.Value)
				}
			}
			return out
		}
	}
	t.Fatal("no paths")
	return nil
}

// TestAPIDocsPageListsEverything: every operation of the document is on
// the page (method and path, in the contents and as a section), every tag
// and component schema too, every link on the page lands, and the CSP
// allows exactly the page's own style.
func TestAPIDocsPageListsEverything(t *testing.T) {
	srv := docsServer(t)
	res, page := fetchDoc(t, srv.URL+"/api/docs", nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("%d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// Paths break after their slashes (<wbr>): read them whole.
	body := strings.ReplaceAll(string(page), "<wbr>", "")
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
		Tags  []struct {
			Name string `yaml:"name"`
		} `yaml:"tags"`
		Components struct {
			Schemas map[string]any `yaml:"schemas"`
		} `yaml:"components"`
	}
	if err := yaml.Unmarshal(api.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	type want struct{ what, text string }
	var wants []want
	for path, ops := range doc.Paths {
		for method, node := range ops {
			if method == "parameters" {
				continue
			}
			var op struct {
				Summary     string `yaml:"summary"`
				OperationID string `yaml:"operationId"`
			}
			if err := node.Decode(&op); err != nil {
				t.Fatal(err)
			}
			m, p := strings.ToUpper(method), html.EscapeString(path)
			wants = append(wants,
				want{m + " " + path + " (section)", `<h3><span class="method m-` + m + `">` + m + `</span><span class="path">` + p + `</span></h3>`},
				want{m + " " + path + " (contents)", `<span class="method m-` + m + `">` + m + `</span><a class="path" href="#op-` + method + `-`})
			if op.OperationID != "" {
				wants = append(wants, want{m + " " + path + " (operationId)", `<code>` + html.EscapeString(op.OperationID) + `</code>`})
			}
			if op.Summary != "" {
				wants = append(wants, want{m + " " + path + " (summary)", html.EscapeString(op.Summary)})
			}
		}
	}
	for _, tag := range doc.Tags {
		wants = append(wants, want{"tag " + tag.Name, `">` + html.EscapeString(tag.Name) + `</h2>`})
	}
	for name := range doc.Components.Schemas {
		wants = append(wants, want{"schema " + name, `<section class="schema" id="schema-` + name + `"><h3>` + name + `</h3>`})
	}
	for _, w := range wants {
		t.Run(w.what, func(t *testing.T) {
			// The page escapes quotes its own way: compare unescaped text.
			if !strings.Contains(html.UnescapeString(body), html.UnescapeString(w.text)) {
				t.Errorf("the page lacks %q", w.text)
			}
		})
	}
	// Each operation's entry in the contents links to its own section.
	entries := regexp.MustCompile(`<span class="method m-([A-Z]+)">[A-Z]+</span><a class="path" href="#([^"]+)">([^<]+)</a>`).FindAllStringSubmatch(body, -1)
	if sections := strings.Count(body, `<section class="op"`); len(entries) != sections || sections < len(doc.Paths) {
		t.Errorf("%d entries in the contents, %d operations on the page, %d paths in the document", len(entries), sections, len(doc.Paths))
	}
	for _, m := range entries {
		section := `<section class="op" id="` + m[2] + `">` + "\n" + `<h3><span class="method m-` + m[1] + `">` + m[1] + `</span><span class="path">` + m[3] + `</span></h3>`
		if !strings.Contains(body, section) {
			t.Errorf("the contents' %s %s does not lead to its section", m[1], m[3])
		}
	}
	// French chrome, parameters with their schemas, responses.
	for _, s := range []string{`<html lang="fr">`, "Sommaire", "Paramètres", "Corps de la requête", "Réponses", "Schémas", "obligatoire",
		`<a href="/api/openapi.json">openapi.json</a>`, `<meta name="viewport"`} {
		if !strings.Contains(body, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	// Every in-page link lands on an anchor; nothing comes from elsewhere.
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		ids[m[1]] = true
	}
	for _, m := range regexp.MustCompile(`href="#([^"]*)"`).FindAllStringSubmatch(body, -1) {
		if !ids[m[1]] {
			t.Errorf("link to #%s, which is not on the page", m[1])
		}
	}
	if regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(body) || strings.Contains(body, "<script") {
		t.Error("the page loads something from elsewhere, or a script")
	}
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(body)
	if style == nil {
		t.Fatal("no style")
	}
	sum := sha256.Sum256([]byte(style[1]))
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") ||
		!strings.HasPrefix(csp, "default-src 'none'") {
		t.Errorf("CSP %q does not allow the page's style alone", csp)
	}
}

// TestAPIDocsConditional: each route has a strong ETag per encoding, a
// 304 on a match of either, and revalidation (no-cache).
func TestAPIDocsConditional(t *testing.T) {
	srv := docsServer(t)
	for _, path := range []string{"/api/openapi.yaml", "/api/openapi.json", "/api/docs"} {
		t.Run(path, func(t *testing.T) {
			res, plain := fetchDoc(t, srv.URL+path, nil)
			tag := res.Header.Get("ETag")
			if res.StatusCode != 200 || !strings.HasPrefix(tag, `"`) || res.Header.Get("Cache-Control") != "no-cache" {
				t.Fatalf("%d ETag %q Cache-Control %q", res.StatusCode, tag, res.Header.Get("Cache-Control"))
			}
			res, zipped := fetchDoc(t, srv.URL+path, map[string]string{"Accept-Encoding": "gzip"})
			gzTag := res.Header.Get("ETag")
			if res.Header.Get("Content-Encoding") != "gzip" || gzTag == tag || !strings.HasPrefix(gzTag, `"`) {
				t.Fatalf("gzip: %q ETag %q", res.Header.Get("Content-Encoding"), gzTag)
			}
			zr, err := gzip.NewReader(bytes.NewReader(zipped))
			if err != nil {
				t.Fatal(err)
			}
			if unz, _ := io.ReadAll(zr); !bytes.Equal(unz, plain) {
				t.Error("the gzip form is not the same document")
			}
			for _, inm := range []string{tag, gzTag, "W/" + tag, `"other", ` + tag} {
				res, b := fetchDoc(t, srv.URL+path, map[string]string{"If-None-Match": inm})
				if res.StatusCode != http.StatusNotModified || len(b) != 0 {
					t.Errorf("If-None-Match %s: %d, %d bytes", inm, res.StatusCode, len(b))
				}
			}
			if res, _ := fetchDoc(t, srv.URL+path, map[string]string{"If-None-Match": `"stale"`}); res.StatusCode != 200 {
				t.Errorf("a stale ETag: %d", res.StatusCode)
			}
		})
	}
}
