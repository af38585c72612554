package httpapi

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

// oEmbed (oembed.com, §2): a partner's CMS given an /embed URL of this
// server asks GET /oembed?url=… and gets the <iframe> to paste. Like uMap,
// it answers only for URLs on this server's own host, so that it never
// vouches for someone else's page; format=xml is a 501, as the spec says
// for a format a provider does not offer.

const (
	// The default frame: wide enough for the legend beside the map.
	oembedWidth  = 800
	oembedHeight = 500
	// oembedCacheAge lets consumers keep an answer an hour: it depends on
	// the catalogue's labels only.
	oembedCacheAge = 3600
)

// OEmbed is the answer of GET /oembed: a "rich" oEmbed 1.0 response.
type OEmbed struct {
	Version      string `json:"version"`
	Type         string `json:"type"`
	Title        string `json:"title"`
	ProviderName string `json:"provider_name"`
	ProviderURL  string `json:"provider_url"`
	CacheAge     int    `json:"cache_age"`
	HTML         string `json:"html"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
}

// maxDim reads maxwidth or maxheight: a positive number of pixels, or 0
// when absent.
func maxDim(q url.Values, name string) (int, error) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 10000 {
		return 0, httpx.BadParam(name, fmt.Sprintf("%q n'est pas un nombre de pixels entre 1 et 10000", v))
	}
	return n, nil
}

// ownHost tells whether host (from a URL of scheme) names this server: the
// configured public address or the one the request came to.
func (h *handlers) ownHost(c echo.Context, scheme, host string) bool {
	host = httpx.CanonicalHost(scheme, host)
	mine := []string{httpx.CanonicalHost(c.Scheme(), c.Request().Host)}
	if pu, err := url.Parse(h.cfg.PublicURL); err == nil && pu.Host != "" {
		mine = append(mine, httpx.CanonicalHost(pu.Scheme, pu.Host))
	}
	for _, m := range mine {
		if host == m {
			return true
		}
	}
	return false
}

func (h *handlers) oembed(c echo.Context) error {
	q := c.QueryParams()
	if f := q.Get("format"); f != "" && f != "json" {
		return &httpx.Problem{Type: "/problems/format-not-implemented", Title: "Format non proposé", Status: http.StatusNotImplemented,
			Detail:        fmt.Sprintf("format : %q n'est pas proposé, seulement json", f),
			InvalidParams: []httpx.InvalidParam{{Name: "format", Reason: "seul json est proposé", Allowed: []string{"json"}}}}
	}
	maxW, err := maxDim(q, "maxwidth")
	if err != nil {
		return err
	}
	maxH, err := maxDim(q, "maxheight")
	if err != nil {
		return err
	}
	raw := strings.TrimSpace(q.Get("url"))
	if raw == "" {
		return httpx.BadParam("url", "obligatoire : l'adresse d'une carte intégrable (…/embed?…)")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return httpx.BadParam("url", fmt.Sprintf("%q n'est pas une adresse http(s) absolue", raw))
	}
	if !h.ownHost(c, u.Scheme, u.Host) {
		return httpx.NotFound(fmt.Sprintf("url : %s n'est pas une adresse de ce serveur", u.Host))
	}
	if u.Path != "/embed" {
		return httpx.NotFound(fmt.Sprintf("url : %s n'est pas une carte intégrable (chemin /embed attendu)", u.Path))
	}
	eq, label, err := h.checkEmbed(c, u.Query())
	if err != nil {
		// The URL names no map this server can draw: there is nothing to
		// represent (404), and the problem says which of its parameters.
		if p, ok := err.(*httpx.Problem); ok && p.Status < 500 {
			return httpx.NotFound("url : carte impossible à dessiner (" + p.Detail + ")")
		}
		return err
	}
	w, hgt := oembedWidth, oembedHeight
	if maxW > 0 && w > maxW {
		w = maxW
	}
	if maxH > 0 && hgt > maxH {
		hgt = maxH
	}
	title := eq.Title
	if title == "" {
		title = label
	}
	if title == "" {
		title = "Carte Atlas Santé-Travail"
	}
	src := u.String()
	frame := fmt.Sprintf(`<iframe src="%s" width="%d" height="%d" title="%s" style="border:0;max-width:100%%" loading="lazy" allow="fullscreen" referrerpolicy="strict-origin-when-cross-origin"></iframe>`,
		html.EscapeString(src), w, hgt, html.EscapeString(title))
	c.Response().Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(oembedCacheAge))
	return c.JSON(http.StatusOK, OEmbed{Version: "1.0", Type: "rich", Title: title, ProviderName: "Atlas Santé-Travail",
		ProviderURL: h.publicBase(c) + "/", CacheAge: oembedCacheAge, HTML: frame, Width: w, Height: hgt})
}
