package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
)

func (h *handlers) searchTerritories(c echo.Context) error {
	out, err := h.diag.Search(diagnostic.SearchQuery{Q: c.QueryParam("q"), Level: c.QueryParam("level"),
		Parent: c.QueryParam("parent"), Limit: c.QueryParam("limit")})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}

func (h *handlers) territory(c echo.Context) error {
	d, err := h.diag.Territory(c.Request().Context(), c.Param("level"), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, d)
}
