package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (h *handlers) profile(c echo.Context) error {
	p, err := h.diag.ProfileWith(c.Request().Context(), c.Param("level"), c.Param("code"), c.QueryParam("ref"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
