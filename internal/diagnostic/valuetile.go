package diagnostic

import (
	"context"
	"strconv"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// TileQuery is a tile with values as a user typed it: the indicator and
// its values' period, sex and sector. A tile's level is its layer's, and
// its classes are the default ones, so these are all it accepts.
type TileQuery struct {
	Indicator string
	Period    string
	Sex       string
	Sector    string
}

// ValueTile is tile z/x/y of a layer with an indicator's values baked in,
// for clients that cannot join values to tiles themselves (GIS desktops,
// other portals): each feature gets status and class, and value when it
// may be shown, plus the demo notice of fictive figures. An empty tile has
// nil Raw. Tiles are computed once per import, like maps.
func (s *Service) ValueTile(ctx context.Context, l *tiles.Layer, z, x, y int, q TileQuery) (*blob.Body, error) {
	c, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	e, ok := c.Get(q.Indicator)
	if !ok {
		return nil, badParam("indicator", "indicateur inconnu")
	}
	if !e.Indicator.HasLevel(l.Level) {
		return nil, badParam("layer", "l'indicateur "+e.ID()+" n'est pas disponible à ce niveau", names(e.Indicator.Levels)...)
	}
	sel, err := s.selectIn(c, e, Query{Indicator: q.Indicator, Level: string(l.Level), Period: q.Period, Sex: q.Sex, Sector: q.Sector}, true)
	if err != nil {
		return nil, err
	}
	ms := MapSelection{Selection: sel, Options: indicator.DefaultChoroplethOptions()}
	key := keyOf("valuetile", ms.Key(), strconv.Itoa(z), strconv.Itoa(x), strconv.Itoa(y))
	return s.body(ctx, key, func() ([]byte, error) {
		// The classed map is computed once for all the tiles that ask for it.
		m, err := s.Map(ctx, ms)
		if err != nil {
			return nil, err
		}
		byCode := make(map[string]indicator.ClassedValue, len(m.chart.Items))
		for _, it := range m.chart.Items {
			byCode[it.Value.Code] = it
		}
		missing := m.MissingClass()
		notice := e.Notice()
		return l.EncodeWith(z, x, y, func(t territory.Territory) map[string]any {
			extra := map[string]any{"status": string(indicator.StatusMissing), "class": missing}
			if notice != "" {
				// Fictive figures say so in every feature: a tile can travel
				// alone into a GIS. The value table holds the text once.
				extra["notice"] = notice
			}
			if it, ok := byCode[t.Code]; ok {
				extra["status"], extra["class"] = string(it.Value.Status), it.Class
				if _, v, ok := indicator.Gate(it.Value); ok {
					extra["value"] = v
				}
			}
			return extra
		})
	})
}
