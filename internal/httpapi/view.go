package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// DefaultView is the instance's choice of what the workshop map shows
// first: a regional diagnostic group opens its own région, not France.
type DefaultView struct {
	// Region is the INSEE code of the région studied, or "" for France.
	Region string
	// Indicator is the id of the indicator shown first, or "" to let the
	// map choose from the catalogue.
	Indicator string
}

// Check reports a région or indicator that this server cannot show, so
// that a typo in the configuration stops the start instead of a workshop.
// indicators are the ids of the imported indicators.
func (v DefaultView) Check(svc *tiles.Service, indicators []string) error {
	if v.Region != "" {
		l, ok := svc.Layer(territory.Region.Layer())
		if !ok {
			return fmt.Errorf("default région %s: no région imported yet (run `atlas import demo`)", v.Region)
		}
		if _, ok := l.Feature(v.Region); !ok {
			codes := make([]string, 0, len(l.Features))
			for _, f := range l.Features {
				codes = append(codes, f.Code)
			}
			slices.Sort(codes)
			return fmt.Errorf("default région %q is not imported; known régions: %s", v.Region, strings.Join(codes, ", "))
		}
	}
	if v.Indicator != "" && !slices.Contains(indicators, v.Indicator) {
		return fmt.Errorf("default indicator %q is not imported; known indicators: %s", v.Indicator, strings.Join(indicators, ", "))
	}
	return nil
}

// DefaultViewBody is the answer of GET /api/v1/default-view.
type DefaultViewBody struct {
	// Region is null when the map opens on France.
	Region *TerritoryExtent `json:"region"`
	// Indicator is null when the map chooses.
	Indicator *string `json:"indicator"`
}

// TerritoryExtent names a territory and says where it lies (WGS84).
type TerritoryExtent struct {
	TerritoryRef
	BBox     [4]float64 `json:"bbox"`
	Centroid [2]float64 `json:"centroid"`
}

func (h *handlers) defaultView(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.cfg.DBTimeout)
	defer cancel()
	out := DefaultViewBody{}
	if v := h.cfg.View.Indicator; v != "" {
		out.Indicator = &v
	}
	if code := h.cfg.View.Region; code != "" {
		d, ok, err := h.cfg.Store.TerritoryByCode(ctx, string(territory.Region), code)
		if err != nil {
			return err
		}
		if !ok {
			// Removed by a re-import since the start: say so rather than
			// opening France as if nothing had been configured.
			return NotFound("the configured default région " + code + " is no longer imported")
		}
		out.Region = &TerritoryExtent{
			TerritoryRef: TerritoryRef{Level: string(territory.Region), Code: d.Code, Name: d.Name, ID: d.FID},
			BBox:         d.BBox, Centroid: d.Centroid,
		}
	}
	// The map preloads it on every visit: let the browser revalidate.
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, out)
}
