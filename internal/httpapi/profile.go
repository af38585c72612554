package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (h *handlers) profile(c echo.Context) error {
	p, err := h.diag.Profile(c.Request().Context(), c.Param("level"), c.Param("code"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}
