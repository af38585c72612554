package document

import (
	"bytes"
	"context"
	"math"

	"github.com/paulmach/orb"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/report"
	"github.com/atlas-sante-travail/atlas/internal/report/svg"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// mapBox is the longer side of a drawn map, in SVG units (px): the
// generalised geometry of the zoom chosen for it holds half a pixel.
const mapBox = 420.0

// MapQuery is a static map as the choropleth route's parameters choose it.
type MapQuery = diagnostic.MapQuery

// StaticMap draws a choropleth (the choropleth route's parameters) as a
// report.Map: the territories of the map, from the generalised geometry of
// their layer, coloured by class, with the legend, the note and the
// source line.
func (s *Service) StaticMap(ctx context.Context, q MapQuery) (report.Map, error) {
	ms, err := s.diag.SelectMap(ctx, q)
	if err != nil {
		return report.Map{}, err
	}
	m, err := s.diag.Map(ctx, ms)
	if err != nil {
		return report.Map{}, err
	}
	return s.drawMap(m, ms.Entry.Indicator.Decimals, mapTitle(m), ""), nil
}

// StaticMapSVG is StaticMap as a standalone SVG file (title, legend,
// source line), encoded once per map and data version.
func (s *Service) StaticMapSVG(ctx context.Context, q MapQuery) (*blob.Body, error) {
	ms, err := s.diag.SelectMap(ctx, q)
	if err != nil {
		return nil, err
	}
	key := "svg|" + ms.Key()
	if b, ok := s.cache.Get(ctx, key); ok {
		return b, nil
	}
	m, err := s.diag.Map(ctx, ms)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := svg.Write(&buf, s.drawMap(m, ms.Entry.Indicator.Decimals, mapTitle(m), ""), svg.Options{Standalone: true, Frame: true}); err != nil {
		return nil, err
	}
	b, err := blob.New(buf.Bytes())
	if err != nil {
		return nil, err
	}
	s.cache.Set(ctx, key, b)
	return b, nil
}

func mapTitle(m *diagnostic.Map) string {
	t := m.Label + ", " + indicator.PeriodLabel(m.Period)
	if m.Sex != "" && m.Sex != string(indicator.SexEnsemble) {
		t += ", " + m.Sex
	}
	if m.Sector != "" && m.Sector != indicator.SectorAll {
		t += ", " + indicator.SectorLabel(m.Sector)
	}
	if m.Within != nil && m.Within.Name != "" {
		t += " – " + m.Within.Name
	}
	return t
}

// drawMap projects the map's territories into a box (Web Mercator, the
// tiles' own, north up) with highlight outlined.
func (s *Service) drawMap(m *diagnostic.Map, decimals int, title, highlight string) report.Map {
	out := report.Map{Title: title, Source: m.Source, Note: m.Note}
	colors := map[int]string{}
	for _, l := range m.Legend {
		colors[l.Class] = l.Color
		if l.Count > 0 || l.Kind == "value" {
			out.Legend = append(out.Legend, report.LegendItem{Color: l.Color, Label: l.Label})
		}
	}
	layer, ok := s.tiles.Layer(m.Level.Layer())
	if !ok {
		return out
	}
	shown := make(map[string]diagnostic.MapTerritory, len(m.Territories))
	for _, t := range m.Territories {
		shown[t.Code] = t
	}
	// Bounds first at a middle zoom, then the zoom whose tolerance fits
	// the box.
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	layer.Shapes(min(max(6, layer.MinZoom), layer.MaxZoom), func(t territory.Territory, mp orb.MultiPolygon) {
		if _, ok := shown[t.Code]; ok {
			b = b.Union(mp.Bound())
		}
	})
	w, h := b.Max[0]-b.Min[0], b.Max[1]-b.Min[1]
	if !(w > 0 && h > 0) {
		return out
	}
	z := int(math.Floor(math.Log2(mapBox / (math.Max(w, h) * 512))))
	z = min(max(z, layer.MinZoom), layer.MaxZoom)
	scale := mapBox / math.Max(w, h)
	out.Width, out.Height = w*scale, h*scale
	layer.Shapes(z, func(t territory.Territory, mp orb.MultiPolygon) {
		mt, ok := shown[t.Code]
		if !ok {
			return
		}
		a := report.Area{Code: t.Code, Name: t.Name, Fill: colors[mt.Class], Highlight: t.Code == highlight}
		if mt.Value != nil {
			a.Label = indicator.FormatValue(*mt.Value, decimals, m.Unit)
		} else if mt.Status == indicator.StatusSecret {
			a.Label = indicator.SecretLabel
		} else {
			a.Label = indicator.MissingLabel
		}
		for _, poly := range mp {
			var rings [][][2]float64
			for _, ring := range poly {
				pts := make([][2]float64, 0, len(ring))
				for _, p := range ring {
					q := [2]float64{math.Round((p[0]-b.Min[0])*scale*10) / 10, math.Round((p[1]-b.Min[1])*scale*10) / 10}
					if n := len(pts); n > 0 && pts[n-1] == q {
						continue
					}
					pts = append(pts, q)
				}
				if len(pts) >= 3 {
					rings = append(rings, pts)
				}
			}
			if len(rings) > 0 {
				a.Polygons = append(a.Polygons, rings)
			}
		}
		out.Areas = append(out.Areas, a)
	})
	return out
}
