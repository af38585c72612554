package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
)

// indicatorList is the answer of GET /api/v1/indicators.
type indicatorList struct {
	Count      int                        `json:"count"`
	Indicators []diagnostic.IndicatorInfo `json:"indicators"`
}

func (h *handlers) listIndicators(c echo.Context) error {
	out, err := h.diag.Indicators(c.Request().Context(), diagnostic.IndicatorFilter{Theme: c.QueryParam("theme"), Level: c.QueryParam("level")})
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", catalogueCache)
	return c.JSON(http.StatusOK, indicatorList{Count: len(out), Indicators: out})
}

func (h *handlers) getIndicator(c echo.Context) error {
	e, err := h.diag.Indicator(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", catalogueCache)
	return c.JSON(http.StatusOK, e.Info())
}

// query reads an indicator selection from the path and query parameters.
func query(c echo.Context) diagnostic.Query {
	return diagnostic.Query{Indicator: c.Param("id"), Level: c.QueryParam("level"), Period: c.QueryParam("period"),
		Sex: c.QueryParam("sex"), Sector: c.QueryParam("sector"), Within: c.QueryParam("within")}
}
