package diagnostic

import (
	"context"

	"github.com/twpayne/go-geom"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// FeatureQuery is a page of features: the territories of a level at full
// resolution, with one indicator's values when Indicator is set. The
// indicator's fields are as typed in a URL (see Query); the geometric ones
// are already parsed, since their syntax is the API's (OGC bbox, CRS URIs).
type FeatureQuery struct {
	Level     territory.Level
	Indicator string // "": the territories alone
	Period    string // "": the latest
	Sex       string
	Sector    string
	// Boxes keep the territories intersecting one of them (west, south,
	// east, north in BoxSRID); none keeps all.
	Boxes   [][4]float64
	BoxSRID int // EPSG code; 0 is 4326 (longitude, latitude)
	SRID    int // EPSG code of the geometry returned; 0 is 4326
	// FID selects one territory by its feature id; 0 selects all.
	FID           uint64
	Limit, Offset int
}

// Feature is a territory with its geometry (carrying its SRID) and, in an
// indicator's collection, the status of its value and the value when it
// may be shown: figures come from Map, through indicator.Gate.
type Feature struct {
	territory.Territory
	Geometry geom.T
	Status   indicator.Status
	Value    *float64
}

// FeatureValues says what an indicator's features carry.
type FeatureValues struct {
	Indicator string
	Period    string // the one asked for, or the latest
	Sex       string
	Sector    string
	Notice    string // the demo notice of fictive figures, "" for real ones
}

// FeaturePage is a page of features and how many the query selects in all.
type FeaturePage struct {
	Matched  int
	Features []Feature
	Values   *FeatureValues // nil for territories alone
}

// Features reads a page of features. An unknown or unloaded level is a
// NotFoundError, a bad indicator option a ParamError.
func (s *Service) Features(ctx context.Context, q FeatureQuery) (*FeaturePage, error) {
	if _, ok := s.tiles.Territories().Level(q.Level); !ok {
		return nil, notFound("niveau %s", quote(string(q.Level)))
	}
	// The values first: a bad period is told before any geometry is read.
	var m *Map
	if q.Indicator != "" {
		ms, err := s.SelectMap(ctx, MapQuery{Query: Query{Indicator: q.Indicator, Level: string(q.Level), Period: q.Period, Sex: q.Sex, Sector: q.Sector}})
		if err != nil {
			return nil, err
		}
		if m, err = s.Map(ctx, ms); err != nil {
			return nil, err
		}
	}
	rows, matched, err := s.st.TerritoryFeatures(ctx, store.FeatureQuery{Level: q.Level, Boxes: boxes(q.Boxes), BoxSRID: q.BoxSRID,
		SRID: q.SRID, FID: q.FID, Limit: q.Limit, Offset: q.Offset})
	if err != nil {
		return nil, err
	}
	out := &FeaturePage{Matched: matched, Features: make([]Feature, len(rows))}
	var byCode map[string]MapTerritory
	if m != nil {
		out.Values = &FeatureValues{Indicator: m.Indicator, Period: m.Period, Sex: m.Sex, Sector: m.Sector, Notice: m.Notice}
		byCode = make(map[string]MapTerritory, len(m.Territories))
		for _, t := range m.Territories {
			byCode[t.Code] = t
		}
	}
	for i, r := range rows {
		f := Feature{Territory: r.Territory, Geometry: r.Geometry}
		if m != nil {
			// A territory with no stored value is missing; the map's
			// values already went through Gate (no figure when secret).
			f.Status = indicator.StatusMissing
			if t, ok := byCode[r.Code]; ok {
				f.Status, f.Value = t.Status, t.Value
			}
		}
		out.Features[i] = f
	}
	return out, nil
}

func boxes(bs [][4]float64) []store.Box {
	out := make([]store.Box, len(bs))
	for i, b := range bs {
		out[i] = store.Box(b)
	}
	return out
}
