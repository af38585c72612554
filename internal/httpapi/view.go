package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/httpx"
	"github.com/atlas-sante-travail/atlas/internal/territory"
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
func (v DefaultView) Check(reg *territory.Registry, indicators []string) error {
	if v.Region != "" {
		set, ok := reg.Level(territory.Region)
		if !ok {
			return fmt.Errorf("default région %s: no région imported yet (run `atlas import demo`)", v.Region)
		}
		if _, ok := set.Get(v.Region); !ok {
			codes := make([]string, 0, set.Len())
			for _, t := range set.All() {
				codes = append(codes, t.Code)
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
	Region *RegionExtent `json:"region"`
	// Indicator is null when the map chooses.
	Indicator *string `json:"indicator"`
}

// RegionExtent names the région studied and says where it lies.
type RegionExtent struct {
	diagnostic.TerritoryRef
	diagnostic.Extent
}

func (h *handlers) defaultView(c echo.Context) error {
	out := DefaultViewBody{}
	if v := h.cfg.View.Indicator; v != "" {
		out.Indicator = &v
	}
	if code := h.cfg.View.Region; code != "" {
		d, err := h.diag.Territory(c.Request().Context(), string(territory.Region), code)
		var nf *diagnostic.NotFoundError
		if errors.As(err, &nf) {
			// Removed by a re-import since the start: say so rather than
			// opening France as if nothing had been configured.
			return httpx.NotFound("la région configurée par défaut (" + code + ") n'est plus importée")
		}
		if err != nil {
			return err
		}
		out.Region = &RegionExtent{TerritoryRef: d.TerritoryRef, Extent: d.Extent}
	}
	// The map preloads it on every visit: let the browser revalidate.
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.JSON(http.StatusOK, out)
}
