package httpapi

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// TerritoryRef names a territory in API responses.
type TerritoryRef struct {
	Level string `json:"level"`
	Code  string `json:"code"`
	Name  string `json:"name"`
	ID    uint64 `json:"id"`
}

// TerritoryItem is a search result: the territory and its parents' codes.
type TerritoryItem struct {
	TerritoryRef
	Parents map[string]string `json:"parents,omitempty"`
}

// TerritoryDetail is the full description of one territory.
type TerritoryDetail struct {
	TerritoryRef
	Parents  []TerritoryRef            `json:"parents"`
	Children map[string][]TerritoryRef `json:"children"`
	BBox     [4]float64                `json:"bbox"`
	Centroid [2]float64                `json:"centroid"`
}

// lookupTerritory reads the territory named by the :level and :code
// parameters, with a 400 for a malformed one and a 404 for an unknown one.
func (h *handlers) lookupTerritory(ctx context.Context, c echo.Context) (territory.Level, store.TerritoryDetail, error) {
	lv, err := territory.ParseLevel(c.Param("level"))
	if err != nil {
		return "", store.TerritoryDetail{}, BadParam("level", "unknown level", levelNames()...)
	}
	code := territory.NormaliseCode(lv, c.Param("code"))
	if err := territory.ValidateCode(lv, code); err != nil {
		return "", store.TerritoryDetail{}, BadParam("code", err.Error())
	}
	d, ok, err := h.cfg.Store.TerritoryByCode(ctx, string(lv), code)
	if err != nil {
		return "", d, err
	}
	if !ok {
		return "", d, NotFound("no " + lv.Label() + " with code " + code)
	}
	return lv, d, nil
}

func levelNames() []string { return names(territory.Levels) }

// searchTerritories answers from the territories held in memory for the
// tiles: a search box must answer while the user types.
func (h *handlers) searchTerritories(c echo.Context) error {
	var layers []*tiles.Layer
	if lv := c.QueryParam("level"); lv != "" {
		l, err := territory.ParseLevel(lv)
		if err != nil {
			return BadParam("level", "unknown level", levelNames()...)
		}
		layer, ok := h.cfg.Tiles.Layer(l.Layer())
		if !ok {
			return BadParam("level", "level not imported", importedLevels(h)...)
		}
		layers = []*tiles.Layer{layer}
	} else {
		layers = h.cfg.Tiles.Layers()
	}
	var parentKey, parentCode string
	if p := c.QueryParam("parent"); p != "" {
		l, code, ok := strings.Cut(p, ":")
		pl, err := territory.ParseLevel(l)
		if !ok || err != nil || code == "" {
			return BadParam("parent", "expected LEVEL:CODE, e.g. region:76", levelNames()...)
		}
		parentKey, parentCode = pl.Field(), territory.NormaliseCode(pl, code)
	}
	limit := 50
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return BadParam("limit", "an integer from 1 to 1000")
		}
		limit = n
	}
	q := territory.Fold(c.QueryParam("q"))
	type hit struct {
		item TerritoryItem
		rank int
	}
	var hits []hit
	for _, l := range layers {
		for _, f := range l.Features {
			if parentKey != "" && f.Props[parentKey] != parentCode {
				continue
			}
			rank := 0
			if q != "" {
				name, code := territory.Fold(f.Name), strings.ToLower(f.Code)
				switch {
				case code == q || name == q:
					rank = 0
				case strings.HasPrefix(code, q) || strings.HasPrefix(name, q):
					rank = 1
				case strings.Contains(name, q):
					rank = 2
				default:
					continue
				}
			}
			it := TerritoryItem{TerritoryRef: TerritoryRef{Level: string(l.Level), Code: f.Code, Name: f.Name, ID: f.ID}, Parents: map[string]string{}}
			for _, pl := range l.Level.Parents() {
				if v, ok := f.Props[pl.Field()].(string); ok {
					it.Parents[string(pl)] = v
				}
			}
			hits = append(hits, hit{it, rank})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].rank < hits[j].rank })
	total := len(hits)
	if len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]TerritoryItem, len(hits))
	for i, h := range hits {
		out[i] = h.item
	}
	return c.JSON(http.StatusOK, map[string]any{"count": total, "territories": out})
}

func (h *handlers) territory(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.cfg.DBTimeout)
	defer cancel()
	lv, d, err := h.lookupTerritory(ctx, c)
	if err != nil {
		return err
	}
	out := TerritoryDetail{
		TerritoryRef: TerritoryRef{Level: string(lv), Code: d.Code, Name: d.Name, ID: d.FID},
		Parents:      []TerritoryRef{},
		Children:     map[string][]TerritoryRef{},
		BBox:         d.BBox, Centroid: d.Centroid,
	}
	for _, pl := range lv.Parents() {
		pc := d.Parent(string(pl))
		if pc == "" {
			continue
		}
		ref := TerritoryRef{Level: string(pl), Code: pc, ID: territory.FeatureID(pl, pc)}
		if l, ok := h.cfg.Tiles.Layer(pl.Layer()); ok {
			if f, ok := l.Feature(pc); ok {
				ref.Name = f.Name
			}
		}
		out.Parents = append(out.Parents, ref)
	}
	for lvl, cs := range d.Children {
		for _, ch := range cs {
			out.Children[lvl] = append(out.Children[lvl], TerritoryRef{Level: lvl, Code: ch.Code, Name: ch.Name, ID: ch.FID})
		}
	}
	return c.JSON(http.StatusOK, out)
}

func importedLevels(h *handlers) []string {
	var out []string
	for _, l := range h.cfg.Tiles.Layers() {
		out = append(out, string(l.Level))
	}
	return out
}
