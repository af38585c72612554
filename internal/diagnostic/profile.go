package diagnostic

import (
	"context"
	"slices"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// ProfileEntry is one indicator in a territory's profile: its latest value,
// its rank among its siblings, the région's value and its time series.
type ProfileEntry struct {
	Indicator  string               `json:"indicator"`
	Label      string               `json:"label"`
	Theme      indicator.Theme      `json:"theme"`
	ThemeLabel string               `json:"theme_label"`
	Unit       string               `json:"unit"`
	Decimals   int                  `json:"decimals"`
	Polarity   indicator.Polarity   `json:"polarity"`
	Period     string               `json:"period"`
	Value      *float64             `json:"value"`
	Status     indicator.Status     `json:"status"`
	Rank       *ProfileRank         `json:"rank,omitempty"`
	Region     *indicator.Reference `json:"region,omitempty"`
	Series     []SeriesPoint        `json:"series"`
	Source     string               `json:"source"`
	Notice     string               `json:"notice,omitempty"`
}

// ProfileRank places a territory among its siblings (1 = highest value).
type ProfileRank struct {
	Rank  int    `json:"rank"`
	Of    int    `json:"of"`
	Among string `json:"among"`
}

// SeriesPoint is one period of a time series.
type SeriesPoint struct {
	Period string           `json:"period"`
	Value  *float64         `json:"value"`
	Status indicator.Status `json:"status"`
}

// Profile is every indicator of one territory (for both sexes and all
// sectors), as it is published.
type Profile struct {
	Indicators []ProfileEntry `json:"indicators"`
	Territory  TerritoryRef   `json:"territory"`
}

// Profile gathers a territory's indicators in three queries whatever the
// size of the catalogue: the territory's values of every indicator, its
// siblings' values at each indicator's latest period (for the rank), and
// its région's values at those periods.
func (s *Service) Profile(ctx context.Context, level, code string) (*Profile, error) {
	lv, code, err := parseTerritory(level, code)
	if err != nil {
		return nil, err
	}
	t, ok := s.tiles.Territories().Get(lv, code)
	if !ok {
		// Not loaded (yet): the store knows whether it exists.
		p, found, err := s.st.TerritoryByCode(ctx, lv, code)
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, notFound("%s %s", lv.Label(), code)
		}
		t = p.Territory
	}
	c, err := s.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	out := &Profile{Territory: refOf(t), Indicators: []ProfileEntry{}}
	var entries []Entry
	var all []store.IndicatorPeriod
	for _, e := range c.Entries {
		if e.Indicator.HasLevel(lv) {
			entries = append(entries, e)
			all = append(all, store.IndicatorPeriod{Indicator: e.ID()})
		}
	}
	if len(entries) == 0 {
		return out, nil
	}
	ensemble := func(q store.ValueQuery) store.ValueQuery {
		q.Sex, q.Sector = string(indicator.SexEnsemble), indicator.SectorAll
		return q
	}
	own, err := s.st.IndicatorValues(ctx, ensemble(store.ValueQuery{Batch: all, Level: lv, Code: code}))
	if err != nil {
		return nil, err
	}
	series := byIndicator(own)

	// The latest period of each indicator the territory has values for.
	var atLatest, regionAtLatest []store.IndicatorPeriod
	for _, e := range entries {
		rows := series[e.ID()]
		if len(rows) == 0 {
			continue
		}
		slices.SortStableFunc(rows, func(a, b indicator.Value) int { return comparePeriods(a.Period, b.Period) })
		p := rows[len(rows)-1].Period
		atLatest = append(atLatest, store.IndicatorPeriod{Indicator: e.ID(), Period: p})
		if e.Indicator.HasLevel(territory.Region) {
			regionAtLatest = append(regionAtLatest, store.IndicatorPeriod{Indicator: e.ID(), Period: p})
		}
	}
	// Ranked within the région (a département among the région's), or
	// among every territory of the level when it has none (a région, an
	// overseas zone d'emploi); France has no sibling to be ranked among.
	inRegion := lv != territory.Region && t.Region != ""
	among := "ensemble des " + lv.Plural()
	var siblings map[string][]indicator.Value
	if lv != territory.France && len(atLatest) > 0 {
		q := ensemble(store.ValueQuery{Batch: atLatest, Level: lv})
		if inRegion {
			q.WithinLevel, q.WithinCode = territory.Region, t.Region
			among = "région " + t.Region
		}
		rows, err := s.st.IndicatorValues(ctx, q)
		if err != nil {
			return nil, err
		}
		siblings = byIndicator(rows)
	}
	var regionValues map[string][]indicator.Value
	regionName := ""
	if inRegion && len(regionAtLatest) > 0 {
		rows, err := s.st.IndicatorValues(ctx, ensemble(store.ValueQuery{Batch: regionAtLatest, Level: territory.Region, Code: t.Region}))
		if err != nil {
			return nil, err
		}
		regionValues = byIndicator(rows)
		regionName, _ = s.tiles.Territories().Ref(territory.Region, t.Region)
	}

	for _, e := range entries {
		rows := series[e.ID()]
		if len(rows) == 0 {
			continue
		}
		ind := e.Indicator
		pe := ProfileEntry{Indicator: e.ID(), Label: ind.Label, Theme: ind.Theme, ThemeLabel: ind.Theme.Label(),
			Unit: ind.Unit, Decimals: ind.Decimals, Polarity: ind.Polarity, Series: make([]SeriesPoint, 0, len(rows)), Notice: e.Notice()}
		for _, r := range rows {
			v, _, _ := indicator.Gate(r)
			pe.Series = append(pe.Series, SeriesPoint{Period: v.Period, Value: v.Value, Status: v.Status})
		}
		last, _, _ := indicator.Gate(rows[len(rows)-1])
		pe.Period, pe.Value, pe.Status = last.Period, last.Value, last.Status
		pe.Source = e.Source(pe.Period)
		if rank, of, ok := indicator.Rank(siblings[e.ID()], code); ok {
			pe.Rank = &ProfileRank{Rank: rank, Of: of, Among: among}
		}
		if rv := regionValues[e.ID()]; len(rv) == 1 {
			ref := indicator.RegionReference(ind, rv[0], regionName)
			pe.Region = &ref
		}
		out.Indicators = append(out.Indicators, pe)
	}
	return out, nil
}

// byIndicator groups rows by indicator, as domain values.
func byIndicator(rows []store.IndicatorValueRow) map[string][]indicator.Value {
	out := map[string][]indicator.Value{}
	for _, r := range rows {
		out[r.Indicator] = append(out[r.Indicator], value(r))
	}
	return out
}

// comparePeriods orders period strings in time (see indicator.Period.Less).
func comparePeriods(a, b string) int {
	pa, _ := indicator.ParsePeriod(a)
	pb, _ := indicator.ParsePeriod(b)
	switch {
	case pa.Less(pb):
		return -1
	case pb.Less(pa):
		return 1
	}
	return 0
}
