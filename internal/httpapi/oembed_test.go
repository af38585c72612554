package httpapi_test

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// The oEmbed tests run inside TestEmbedAndOEmbed (embed_test.go), on its
// server: one database import for both.

func testOEmbed(t *testing.T, base string) {
	embedURL := base + "/embed?i=taux-at&l=departement&title=" + url.QueryEscape("Accidents du travail")
	for _, c := range []struct {
		name          string
		query         string
		width, height int
		title         string
	}{
		{"defaults", "url=" + url.QueryEscape(embedURL) + "&format=json", 800, 500, "Accidents du travail"},
		{"maxwidth", "url=" + url.QueryEscape(embedURL) + "&maxwidth=390", 390, 500, "Accidents du travail"},
		{"both", "url=" + url.QueryEscape(embedURL) + "&maxwidth=1920&maxheight=300", 800, 300, "Accidents du travail"},
		{"indicator label", "url=" + url.QueryEscape(base+"/embed?i=taux-at"), 800, 500, "Taux de test taux-at"},
		{"no indicator", "url=" + url.QueryEscape(base+"/embed"), 800, 500, "Carte Atlas Santé-Travail"},
		// The configured public address is this host too.
		{"public url", "url=" + url.QueryEscape("https://atlas.example.fr/embed?i=taux-at"), 800, 500, "Taux de test taux-at"},
	} {
		r := get(t, base+"/oembed?"+c.query)
		b := body(t, r)
		if r.StatusCode != 200 {
			t.Errorf("%s: %d %s", c.name, r.StatusCode, b)
			continue
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: content type %q", c.name, ct)
		}
		var o struct {
			Version, Type, Title, HTML string
			ProviderName               string `json:"provider_name"`
			ProviderURL                string `json:"provider_url"`
			Width, Height              int
		}
		if err := json.Unmarshal(b, &o); err != nil {
			t.Fatal(err)
		}
		if o.Version != "1.0" || o.Type != "rich" || o.ProviderName != "Atlas Santé-Travail" || o.ProviderURL != "https://atlas.example.fr/" {
			t.Errorf("%s: %+v", c.name, o)
		}
		if o.Width != c.width || o.Height != c.height || o.Title != c.title {
			t.Errorf("%s: %d × %d %q, want %d × %d %q", c.name, o.Width, o.Height, o.Title, c.width, c.height, c.title)
		}
		src := strings.ReplaceAll(mustQuery(t, c.query).Get("url"), "&", "&amp;")
		for _, want := range []string{`<iframe src="` + src + `"`, ` width="` + strconv.Itoa(c.width) + `"`, ` height="` + strconv.Itoa(c.height) + `"`, ` title="` + c.title + `"`} {
			if !strings.Contains(o.HTML, want) {
				t.Errorf("%s: html %s lacks %s", c.name, o.HTML, want)
			}
		}
	}
	// One whole answer, its host replaced, as consumers see it.
	r := get(t, base+"/oembed?url="+url.QueryEscape(embedURL)+"&maxwidth=600")
	raw := strings.ReplaceAll(string(body(t, r)), strings.TrimPrefix(base, "http://"), "HOST")
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatal(err)
	}
	golden(t, "oembed-taux-at.json", v)
}

func testOEmbedRefusals(t *testing.T, base string) {
	own := url.QueryEscape(base + "/embed?i=taux-at")
	for _, c := range []struct {
		name   string
		query  string
		status int
		param  string // named in invalid-params, for 400 and 501
		detail string // in the detail, for 404
	}{
		{"xml", "url=" + own + "&format=xml", 501, "format", ""},
		{"no url", "format=json", 400, "url", ""},
		{"relative url", "url=%2Fembed", 400, "url", ""},
		{"not http", "url=" + url.QueryEscape("javascript:alert(1)"), 400, "url", ""},
		{"bad maxwidth", "url=" + own + "&maxwidth=large", 400, "maxwidth", ""},
		{"zero maxheight", "url=" + own + "&maxheight=0", 400, "maxheight", ""},
		{"other host", "url=" + url.QueryEscape("https://autre.example.fr/embed?i=taux-at"), 404, "", "autre.example.fr"},
		{"lookalike host", "url=" + url.QueryEscape("https://atlas.example.fr.evil.example/embed"), 404, "", "n'est pas une adresse de ce serveur"},
		{"not an embed", "url=" + url.QueryEscape(base+"/api/v1/indicators"), 404, "", "/api/v1/indicators"},
		{"embed prefix", "url=" + url.QueryEscape(base+"/embed/example"), 404, "", "chemin /embed attendu"},
		{"unknown indicator", "url=" + url.QueryEscape(base+"/embed?i=inconnu"), 404, "", "i : "},
		{"bad embed parameter", "url=" + url.QueryEscape(base+"/embed?legend=oui"), 404, "", "legend"},
	} {
		r := get(t, base+"/oembed?"+c.query)
		b := body(t, r)
		if r.StatusCode != c.status || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s, want %d problem\n%s", c.name, r.StatusCode, r.Header.Get("Content-Type"), c.status, b)
			continue
		}
		name, detail := problemParam(t, c.name, b)
		if c.param != "" && name != c.param {
			t.Errorf("%s: names %q (%s), want %q", c.name, name, detail, c.param)
		}
		if c.detail != "" && !strings.Contains(detail, c.detail) {
			t.Errorf("%s: detail %q lacks %q", c.name, detail, c.detail)
		}
	}
}

func mustQuery(t *testing.T, q string) url.Values {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
