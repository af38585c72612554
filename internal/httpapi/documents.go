package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/document"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/report/html"
	"github.com/atlas-sante-travail/atlas/internal/workshop"
)

// A document is the same until an import, as a map is: encoded once, sent
// with its ETag.
const documentCache = "public, max-age=300"

func keyFiguresQuery(c echo.Context) document.KeyFiguresQuery {
	return document.KeyFiguresQuery{Territory: c.QueryParam("territory"), Period: c.QueryParam("period"), From: c.QueryParam("from"),
		Themes: c.QueryParam("themes"), Indicators: c.QueryParam("indicators"), Sections: c.QueryParam("sections")}
}

// documentRoute answers a document route with what render makes of the
// request's parameters.
func documentRoute(render func(ctx context.Context, c echo.Context, format string) (*document.Rendered, error)) echo.HandlerFunc {
	return func(c echo.Context) error {
		r, err := render(c.Request().Context(), c, c.QueryParam("format"))
		if err != nil {
			return err
		}
		return sendDocument(c, r)
	}
}

func (h *handlers) keyFiguresDocument(ctx context.Context, c echo.Context, format string) (*document.Rendered, error) {
	return h.docs.KeyFigures(ctx, keyFiguresQuery(c), format)
}

// populationFocus is the chiffres clés of one sex (sex= required).
func (h *handlers) populationFocus(ctx context.Context, c echo.Context, format string) (*document.Rendered, error) {
	q := keyFiguresQuery(c)
	q.Sex = c.QueryParam("sex")
	if q.Sex == "" {
		q.Sex = "-" // refused by name, as any unknown sex
	}
	return h.docs.KeyFigures(ctx, q, format)
}

func focusQuery(c echo.Context) document.FocusQuery {
	return document.FocusQuery{Territory: c.QueryParam("territory"), Level: c.QueryParam("level"), Period: c.QueryParam("period"),
		Theme: c.QueryParam("theme"), Sector: c.QueryParam("sector")}
}

func (h *handlers) themeFocus(ctx context.Context, c echo.Context, format string) (*document.Rendered, error) {
	return h.docs.ThemeFocus(ctx, focusQuery(c), format)
}

func (h *handlers) sectorFocus(ctx context.Context, c echo.Context, format string) (*document.Rendered, error) {
	return h.docs.SectorFocus(ctx, focusQuery(c), format)
}

func (h *handlers) portrait(ctx context.Context, c echo.Context, format string) (*document.Rendered, error) {
	return h.docs.Portrait(ctx, focusQuery(c), format)
}

// synthesisDocument is the synthèse du diagnostic of the workshops of
// workshop= (comma-separated), each read with its own bearer token, the
// tokens comma-separated in the same order (one token serves them all),
// as the workshop synthesis route reads its one. Never cached.
func (h *handlers) synthesisDocument(c echo.Context) error {
	ctx := c.Request().Context()
	var codes []string
	for _, code := range strings.Split(c.QueryParam("workshop"), ",") {
		if code = strings.TrimSpace(code); code != "" {
			codes = append(codes, code)
		}
	}
	if len(codes) == 0 {
		return &diagnostic.ParamError{Name: "workshop", Reason: "obligatoire : le code d'un atelier ou plusieurs, séparés par des virgules"}
	}
	tokens := strings.Split(httpx.Bearer(c), ",")
	syns := make([]workshop.Synthesis, 0, len(codes))
	for i, code := range codes {
		token := tokens[0]
		if len(tokens) == len(codes) {
			token = tokens[i]
		}
		syn, err := h.ws.Synthesis(ctx, code, strings.TrimSpace(token))
		if err != nil {
			return err
		}
		syns = append(syns, syn)
	}
	r, err := h.docs.Synthesis(ctx, syns, c.QueryParam("format"))
	if err != nil {
		return err
	}
	documentHeaders(c, r)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, r.ContentType, r.Body.Raw)
}

func sendDocument(c echo.Context, r *document.Rendered) error {
	documentHeaders(c, r)
	return httpx.SendEncoded(c, r.Body, r.ContentType, documentCache)
}

// documentHeaders name the file and, for HTML, allow its inline styles only.
func documentHeaders(c echo.Context, r *document.Rendered) {
	hd := c.Response().Header()
	hd.Set(echo.HeaderContentDisposition, `inline; filename="`+r.FileName+`"`)
	if r.ContentType != "application/pdf" {
		hd.Set("Content-Security-Policy", html.CSP)
	}
}

// staticMap is the choropleth drawn as SVG, with the choropleth's
// parameters.
func (h *handlers) staticMap(c echo.Context) error {
	b, err := h.docs.StaticMapSVG(c.Request().Context(), diagnostic.MapQuery{Query: query(c), Method: c.QueryParam("method"),
		Classes: c.QueryParam("classes"), Palette: c.QueryParam("palette"), Breaks: c.QueryParam("breaks")})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	return httpx.SendEncoded(c, b, "image/svg+xml", mapCache)
}
