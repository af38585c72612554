package httpapi

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

// The embeddable map: /embed renders a chrome-less map for partners'
// <iframe>s from the same URL state as the map (i, l, p, s, sec, m, k, r,
// sel, z, lat, lon, pal), plus legend=, controls= and title=. The page is
// web-map's second entry (embed.html, built by Vite); the handler adds
// what only the server knows: the origins allowed to frame it and to talk
// to it over postMessage (a meta element the page reads: no round trip),
// the oEmbed discovery link of this very URL, and the title. It is the
// only answer with a frame-ancestors other than 'none' (httpx.DenyFraming).
// /embed/example is a host page in French showing the postMessage API.

const (
	embedFile        = "embed.html"
	embedExampleFile = "embed-example.html"
	// maxTitle bounds title=, which the page and the oEmbed answer show.
	maxTitle = 120
)

// embedQuery is an /embed URL's parameters once checked.
type embedQuery struct {
	Indicator string
	Title     string
	Legend    bool // false: the classes folded behind a button (title, notice and source stay)
	Controls  bool
	Map       diagnostic.MapQuery
}

// embedParams maps the read side's parameter names to the short ones of
// the map's URL, so that a problem names the parameter as it was typed.
var embedParams = map[string]string{
	"indicator": "i", "level": "l", "period": "p", "sex": "s", "sector": "sec",
	"method": "m", "classes": "k", "palette": "pal", "within": "r",
}

// embedRanges are the view's numeric parameters and their ranges.
var embedRanges = []struct {
	name     string
	min, max float64
}{{"z", 0, 22}, {"lat", -85, 85}, {"lon", -180, 180}}

// parseEmbedQuery checks what the page itself would read silently: a
// partner who writes legend=oui or z=loin learns it at once, with the
// parameter named, instead of getting a map that ignored it. Unknown
// parameters are let through (hosts add their own, cache busters).
func parseEmbedQuery(q url.Values) (embedQuery, error) {
	out := embedQuery{Legend: true, Controls: true}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"legend", &out.Legend}, {"controls", &out.Controls}} {
		switch v := q.Get(b.name); v {
		case "", "1":
		case "0":
			*b.dst = false
		default:
			return out, httpx.BadParam(b.name, fmt.Sprintf("%q n'est ni 1 ni 0", v), "1", "0")
		}
	}
	out.Title = strings.TrimSpace(q.Get("title"))
	if n := utf8.RuneCountInString(out.Title); n > maxTitle {
		return out, httpx.BadParam("title", fmt.Sprintf("%d caractères, au plus %d", n, maxTitle))
	}
	if !utf8.ValidString(out.Title) || strings.IndexFunc(out.Title, unicode.IsControl) >= 0 {
		return out, httpx.BadParam("title", "caractère de contrôle ou texte non UTF-8")
	}
	for _, c := range embedRanges {
		v := strings.TrimSpace(q.Get(c.name))
		if v == "" {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		// NaN compares false with everything: it would pass the range.
		if err != nil || math.IsNaN(f) || f < c.min || f > c.max {
			return out, httpx.BadParam(c.name, fmt.Sprintf("%q n'est pas un nombre entre %g et %g", v, c.min, c.max))
		}
	}
	r := strings.TrimSpace(q.Get("r"))
	level := strings.TrimSpace(q.Get("l"))
	within := ""
	if r != "" && r != "fr" {
		within = "region:" + r
	}
	if level == "france" {
		within = "" // France has no région around it (the map asks for none)
	}
	out.Indicator = strings.TrimSpace(q.Get("i"))
	out.Map = diagnostic.MapQuery{
		Query: diagnostic.Query{Indicator: out.Indicator, Level: level, Period: q.Get("p"), Sex: q.Get("s"),
			Sector: q.Get("sec"), Within: within},
		Method: q.Get("m"), Classes: q.Get("k"), Palette: q.Get("pal"),
	}
	return out, nil
}

// checkEmbed validates an embed URL's map against the catalogue and the
// territories, as the choropleth route would (it is the map the page will
// ask for), and names the parameter at fault in the URL's own words.
func (h *handlers) checkEmbed(c echo.Context, q url.Values) (embedQuery, string, error) {
	eq, err := parseEmbedQuery(q)
	if err != nil {
		return eq, "", err
	}
	if eq.Indicator == "" {
		return eq, "", nil // the page opens on the instance's default indicator
	}
	ms, err := h.diag.SelectMap(c.Request().Context(), eq.Map)
	if err != nil {
		var pe *diagnostic.ParamError
		if errors.As(err, &pe) {
			named := *pe
			if short, ok := embedParams[pe.Name]; ok {
				named.Name = short
			}
			if pe.Name == "within" { // built from r: say it in r's words
				named.Reason = "région inconnue ou code INSEE invalide : " + strings.TrimSpace(q.Get("r"))
				named.Allowed = nil
			}
			return eq, "", problemOf(&named)
		}
		var nf *diagnostic.NotFoundError
		if errors.As(err, &nf) {
			return eq, "", httpx.UnknownParam("i", nf.What+" introuvable")
		}
		return eq, "", err
	}
	ind := ms.Entry.Indicator
	// A period without values would draw an empty map that looks like
	// missing data: name it instead (the choropleth route does the same).
	if ms.Period != "" && !slices.Contains(ind.Vintages, ms.Period) {
		return eq, "", httpx.UnknownParam("p", "période sans valeurs pour cet indicateur : "+ms.Period, ind.Vintages...)
	}
	return eq, ind.Label, nil
}

// embedPages holds embed.html and the example page, read once from the
// built front end.
type embedPages struct {
	fsys    fs.FS
	once    sync.Once
	page    []byte
	example *blob.Body
	err     error
}

func (p *embedPages) load() {
	p.once.Do(func() {
		var err error
		if p.page, err = fs.ReadFile(p.fsys, embedFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
			p.err = err
			return
		}
		raw, err := fs.ReadFile(p.fsys, embedExampleFile)
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		if err == nil {
			p.example, err = blob.NewIfSmaller(raw, 512)
		}
		p.err = err
	})
}

// notBuilt is the answer when web-map/dist holds no embed page.
func notBuilt() error {
	return &httpx.Problem{Type: "/problems/front-end-not-built", Title: "Carte indisponible", Status: http.StatusServiceUnavailable,
		Detail: "la carte intégrable n'est pas construite : lancez make run (ou bash deploy/web.sh, puis go build) pour que web-map/dist soit incluse dans le binaire"}
}

// embedCSP is the map's policy, with the frames allowed to hold it.
func embedCSP(origins []string) string {
	return webCSP + "; " + httpx.FrameAncestors(origins)
}

func (h *handlers) embed(c echo.Context) error {
	eq, label, err := h.checkEmbed(c, c.QueryParams())
	if err != nil {
		return err
	}
	h.embeds.load()
	if h.embeds.err != nil {
		return h.embeds.err
	}
	if h.embeds.page == nil {
		return notBuilt()
	}
	title := eq.Title
	if title == "" && label != "" {
		title = label + " – Atlas Santé-Travail"
	}
	if title == "" {
		title = "Carte – Atlas Santé-Travail"
	}
	// Absolute, as oEmbed consumers (CMS servers) read the link out of the page.
	base := h.publicBase(c)
	self := base + c.Request().URL.RequestURI()
	oembed := base + "/oembed?" + url.Values{"url": {self}, "format": {"json"}}.Encode()
	head := `<meta name="atlas-embed-origins" content="` + html.EscapeString(strings.Join(h.cfg.EmbedOrigins, " ")) + `" />` +
		`<link rel="alternate" type="application/json+oembed" href="` + html.EscapeString(oembed) + `" title="` + html.EscapeString(title) + `" />`
	page := h.embeds.page
	if i, j := bytes.Index(page, []byte("<title>")), bytes.Index(page, []byte("</title>")); i >= 0 && j > i {
		page = bytes.Join([][]byte{page[:i+len("<title>")], []byte(html.EscapeString(title)), page[j:]}, nil)
	}
	page = bytes.Replace(page, []byte("</head>"), []byte(head+"</head>"), 1)
	body, err := blob.NewIfSmaller(page, 512)
	if err != nil {
		return err
	}
	hd := c.Response().Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", embedCSP(h.cfg.EmbedOrigins))
	// The host learns the embed's origin from the frame itself; the
	// embed's own requests need not tell the tiles where it is shown.
	hd.Set("Referrer-Policy", "no-referrer")
	return httpx.SendEncoded(c, body, "text/html; charset=utf-8", webIndexCache)
}

func (h *handlers) embedExample(c echo.Context) error {
	h.embeds.load()
	if h.embeds.err != nil {
		return h.embeds.err
	}
	if h.embeds.example == nil {
		return notBuilt()
	}
	hd := c.Response().Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", webCSP)
	hd.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	return httpx.SendEncoded(c, h.embeds.example, "text/html; charset=utf-8", webIndexCache)
}
