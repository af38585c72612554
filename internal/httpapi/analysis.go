package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

// The analysis maps are computed once per import and served from the read
// side's cache with a strong ETag, as the choropleth is.

func mapQuery(c echo.Context) diagnostic.MapQuery {
	return diagnostic.MapQuery{Query: query(c), Method: c.QueryParam("method"),
		Classes: c.QueryParam("classes"), Breaks: c.QueryParam("breaks")}
}

func (h *handlers) evolution(c echo.Context) error {
	ctx := c.Request().Context()
	es, err := h.diag.SelectEvolution(ctx, diagnostic.EvolutionQuery{MapQuery: mapQuery(c),
		From: c.QueryParam("from"), To: c.QueryParam("to"), Change: c.QueryParam("change")})
	if err != nil {
		return err
	}
	b, err := h.diag.EvolutionBody(ctx, es)
	if err != nil {
		return err
	}
	return httpx.SendEncoded(c, b, echo.MIMEApplicationJSON, mapCache)
}

func (h *handlers) sexGap(c echo.Context) error {
	ctx := c.Request().Context()
	g, err := h.diag.SelectSexGap(ctx, diagnostic.SexGapQuery{MapQuery: mapQuery(c), Gap: c.QueryParam("gap")})
	if err != nil {
		return err
	}
	b, err := h.diag.SexGapBody(ctx, g)
	if err != nil {
		return err
	}
	return httpx.SendEncoded(c, b, echo.MIMEApplicationJSON, mapCache)
}

func crossQuery(c echo.Context) diagnostic.CrossQuery {
	return diagnostic.CrossQuery{Query: query(c), With: c.QueryParam("with"),
		WithPeriod: c.QueryParam("with-period"), WithSector: c.QueryParam("with-sector")}
}

func (h *handlers) bivariate(c echo.Context) error {
	ctx := c.Request().Context()
	cs, err := h.diag.SelectCross(ctx, crossQuery(c))
	if err != nil {
		return err
	}
	b, err := h.diag.BivariateBody(ctx, cs)
	if err != nil {
		return err
	}
	return httpx.SendEncoded(c, b, echo.MIMEApplicationJSON, mapCache)
}

func (h *handlers) scatter(c echo.Context) error {
	ctx := c.Request().Context()
	cs, err := h.diag.SelectCross(ctx, crossQuery(c))
	if err != nil {
		return err
	}
	b, err := h.diag.ScatterBody(ctx, cs)
	if err != nil {
		return err
	}
	return httpx.SendEncoded(c, b, echo.MIMEApplicationJSON, mapCache)
}
