package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

func (h *handlers) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz is ready when the database answers and territories are loaded in
// memory: before that, tiles would all be 404.
func (h *handlers) readyz(c echo.Context) error {
	out := map[string]any{}
	status := http.StatusOK
	if h.cfg.Ping == nil || h.cfg.Ping(c.Request().Context()) != nil {
		out["database"] = "unreachable"
		status = http.StatusServiceUnavailable
	} else {
		out["database"] = "ok"
	}
	layers := map[string]int{}
	for _, l := range h.tiles.Layers() {
		layers[l.Name] = l.Territories.Len()
	}
	out["layers"] = layers
	if len(layers) == 0 {
		out["territories"] = "aucun territoire chargé : lancez `atlas import territories` ou `atlas import demo`"
		status = http.StatusServiceUnavailable
	}
	if status == http.StatusOK {
		out["status"] = "ready"
	} else {
		out["status"] = "not ready"
	}
	return c.JSON(status, out)
}
