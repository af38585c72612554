package httpapi

import (
	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
)

// A map is the same until an import: computed once, then served from
// memory with its gzip form, as tiles are.
const mapCache = "public, max-age=300"

func (h *handlers) choropleth(c echo.Context) error {
	ctx := c.Request().Context()
	ms, err := h.diag.SelectMap(ctx, diagnostic.MapQuery{Query: query(c), Method: c.QueryParam("method"),
		Classes: c.QueryParam("classes"), Palette: c.QueryParam("palette"), Breaks: c.QueryParam("breaks")})
	if err != nil {
		return err
	}
	b, err := h.diag.MapBody(ctx, ms)
	if err != nil {
		return err
	}
	return httpx.SendEncoded(c, b, echo.MIMEApplicationJSON, mapCache)
}
