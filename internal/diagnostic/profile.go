package diagnostic

import (
	"context"
	"slices"
	"strings"

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
	// Reference is the value of the reference territory (Profile's
	// Reference; by default the région) at the same period.
	Reference *indicator.Reference `json:"reference,omitempty"`
	// Change is the change from the first period of the series to the
	// latest, with the rank at both; absent with a single period.
	Change *ProfileChange `json:"change,omitempty"`
	Series []SeriesPoint  `json:"series"`
	Source string         `json:"source"`
	Notice string         `json:"notice,omitempty"`
}

// ProfileChange is a territory's change between the first and the latest
// period of an indicator ("entrée / sortie du plan"), in the indicator's
// unit (points for a rate): secret when either value is, missing when
// either is. The ranks are among the same siblings as ProfileRank.
type ProfileChange struct {
	From       string           `json:"from"`
	To         string           `json:"to"`
	Value      *float64         `json:"value"`
	Status     indicator.Status `json:"status"`
	RankFrom   *int             `json:"rank_from,omitempty"`
	RankTo     *int             `json:"rank_to,omitempty"`
	RankChange *int             `json:"rank_change,omitempty"`
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
	// Reference is the territory each entry is compared with: the one
	// asked for (ref=), else the territory's région; absent when neither.
	Reference *TerritoryRef `json:"reference,omitempty"`
}

// Profile gathers a territory's indicators in three queries whatever the
// size of the catalogue: the territory's values of every indicator, its
// siblings' values at each indicator's latest period (for the rank), and
// its région's values at those periods.
func (s *Service) Profile(ctx context.Context, level, code string) (*Profile, error) {
	return s.ProfileWith(ctx, level, code, "")
}

// ProfileWith is Profile compared with a reference territory, ref
// "LEVEL:CODE" (any level, "france" alone for France), as observatory
// portraits compare a zone d'emploi with its région, France or another
// département; "" keeps the région. A malformed ref is a ParamError, an
// unknown one a ParamError with Unknown set.
func (s *Service) ProfileWith(ctx context.Context, level, code, ref string) (*Profile, error) {
	lv, code, err := parseTerritory(level, code)
	if err != nil {
		return nil, err
	}
	var refT *territory.Territory
	if ref != "" {
		rt, err := s.reference(ctx, ref)
		if err != nil {
			return nil, err
		}
		refT = &rt
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
	var entries []Entry
	for _, e := range c.Entries {
		if e.Indicator.HasLevel(lv) {
			entries = append(entries, e)
		}
	}
	pv, err := s.profileValues(ctx, t, entries)
	if err != nil {
		return nil, err
	}
	out := &Profile{Territory: refOf(t), Indicators: []ProfileEntry{}}
	switch {
	case refT != nil:
		if err := s.referenceValues(ctx, &pv, *refT, entries); err != nil {
			return nil, err
		}
		r := refOf(*refT)
		out.Reference = &r
	case t.Level != territory.Region && t.Region != "":
		name, fid := s.tiles.Territories().Ref(territory.Region, t.Region)
		out.Reference = &TerritoryRef{Level: territory.Region, Code: t.Region, Name: name, ID: fid}
	}
	for _, e := range entries {
		if rows := pv.series[e.ID()]; len(rows) > 0 {
			out.Indicators = append(out.Indicators, pv.entry(e, rows, code))
		}
	}
	return out, nil
}

// profileValues are what a profile reads, by indicator: the territory's
// series (ordered by period), its siblings at the latest period and its
// région's value then.
type profileValues struct {
	series, siblings, region map[string][]indicator.Value
	// siblingsFirst are the siblings at each indicator's first period,
	// for the rank change.
	siblingsFirst     map[string][]indicator.Value
	among, regionName string
	// latest is each indicator's latest period with a value.
	latest []store.IndicatorPeriod
	// ref holds the reference territory's values when one was asked for,
	// refName its name.
	ref     map[string][]indicator.Value
	refName string
	hasRef  bool
	// france holds the France references computed from the régions.
	france map[string]indicator.Reference
}

func (s *Service) profileValues(ctx context.Context, t territory.Territory, entries []Entry) (profileValues, error) {
	pv := profileValues{among: "ensemble des " + t.Level.Plural()}
	if len(entries) == 0 {
		return pv, nil
	}
	ensemble := func(q store.ValueQuery) store.ValueQuery {
		q.Sex, q.Sector = string(indicator.SexEnsemble), indicator.SectorAll
		return q
	}
	all := make([]store.IndicatorPeriod, len(entries))
	for i, e := range entries {
		all[i] = store.IndicatorPeriod{Indicator: e.ID()}
	}
	own, err := s.st.IndicatorValues(ctx, ensemble(store.ValueQuery{Batch: all, Level: t.Level, Code: t.Code}))
	if err != nil {
		return pv, err
	}
	pv.series = byIndicator(own)

	// Every indicator at its latest period, for the siblings and the région.
	var atLatest, regionAtLatest []store.IndicatorPeriod
	for _, e := range entries {
		rows := pv.series[e.ID()]
		if len(rows) == 0 {
			continue
		}
		slices.SortStableFunc(rows, func(a, b indicator.Value) int { return comparePeriods(a.Period, b.Period) })
		latest := store.IndicatorPeriod{Indicator: e.ID(), Period: rows[len(rows)-1].Period}
		atLatest = append(atLatest, latest)
		pv.latest = append(pv.latest, latest)
		if first := rows[0].Period; first != latest.Period {
			// Read with the latest in one query, told apart by period.
			atLatest = append(atLatest, store.IndicatorPeriod{Indicator: e.ID(), Period: first})
		}
		if e.Indicator.HasLevel(territory.Region) {
			regionAtLatest = append(regionAtLatest, latest)
		}
	}
	// Ranked within the région (a département among the région's), or
	// among every territory of the level when it has none (a région, an
	// overseas zone d'emploi); France has no sibling to be ranked among.
	inRegion := t.Level != territory.Region && t.Region != ""
	if t.Level != territory.France && len(atLatest) > 0 {
		q := ensemble(store.ValueQuery{Batch: atLatest, Level: t.Level})
		if inRegion {
			q.WithinLevel, q.WithinCode = territory.Region, t.Region
			pv.among = "région " + t.Region
		}
		rows, err := s.st.IndicatorValues(ctx, q)
		if err != nil {
			return pv, err
		}
		latest := map[string]string{}
		for _, ip := range pv.latest {
			latest[ip.Indicator] = ip.Period
		}
		pv.siblings, pv.siblingsFirst = map[string][]indicator.Value{}, map[string][]indicator.Value{}
		for id, vals := range byIndicator(rows) {
			for _, v := range vals {
				if v.Period == latest[id] {
					pv.siblings[id] = append(pv.siblings[id], v)
				} else {
					pv.siblingsFirst[id] = append(pv.siblingsFirst[id], v)
				}
			}
		}
	}
	if inRegion && len(regionAtLatest) > 0 {
		rows, err := s.st.IndicatorValues(ctx, ensemble(store.ValueQuery{Batch: regionAtLatest, Level: territory.Region, Code: t.Region}))
		if err != nil {
			return pv, err
		}
		pv.region = byIndicator(rows)
		pv.regionName, _ = s.tiles.Territories().Ref(territory.Region, t.Region)
	}
	return pv, nil
}

// entry is one indicator of the profile of code, its figures through Gate.
func (pv profileValues) entry(e Entry, rows []indicator.Value, code string) ProfileEntry {
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
	rankTo, of, okTo := indicator.Rank(pv.siblings[e.ID()], code)
	if okTo {
		pe.Rank = &ProfileRank{Rank: rankTo, Of: of, Among: pv.among}
	}
	if len(rows) > 1 {
		first, latest := rows[0], rows[len(rows)-1]
		ch := indicator.Change(first, latest, indicator.ChangeAbsolute)
		v, _, _ := indicator.Gate(ch)
		pc := &ProfileChange{From: first.Period, To: latest.Period, Value: v.Value, Status: v.Status}
		if okTo {
			pc.RankTo = &rankTo
		}
		if rf, _, ok := indicator.Rank(pv.siblingsFirst[e.ID()], code); ok {
			pc.RankFrom = &rf
			if okTo {
				d := rf - rankTo
				pc.RankChange = &d
			}
		}
		pe.Change = pc
	}
	if rv := pv.region[e.ID()]; len(rv) == 1 {
		ref := indicator.RegionReference(ind, rv[0], pv.regionName)
		pe.Region = &ref
	}
	switch {
	case !pv.hasRef:
		pe.Reference = pe.Region
	case pv.france != nil && pv.france[e.ID()].Code != "":
		ref := pv.france[e.ID()]
		pe.Reference = &ref
	case len(pv.ref[e.ID()]) == 1:
		// RegionReference is any stored territory's reference, through Gate.
		ref := indicator.RegionReference(ind, pv.ref[e.ID()][0], pv.refName)
		pe.Reference = &ref
	}
	return pe
}

// reference resolves ref= ("LEVEL:CODE", or "france") to a territory that
// exists.
func (s *Service) reference(ctx context.Context, ref string) (territory.Territory, error) {
	ls, code, _ := strings.Cut(strings.TrimSpace(ref), ":")
	l, err := territory.ParseLevel(strings.ToLower(ls))
	if err != nil {
		return territory.Territory{}, badParam("ref", "attendu NIVEAU:CODE, par exemple region:76, departement:31 ou france", names(territory.Levels)...)
	}
	if l == territory.France {
		if code != "" && !strings.EqualFold(code, territory.FranceCode) {
			return territory.Territory{}, badParam("ref", "la France s'écrit france ou france:FR")
		}
		return territory.Territory{Level: territory.France, Code: territory.FranceCode, Name: "France", FID: territory.FeatureID(territory.France, territory.FranceCode)}, nil
	}
	code = territory.NormaliseCode(l, code)
	if code == "" || territory.ValidateCode(l, code) != nil {
		return territory.Territory{}, badParam("ref", "code invalide pour le niveau "+l.Label())
	}
	reg := s.tiles.Territories()
	if t, ok := reg.Get(l, code); ok {
		return t, nil
	}
	if reg.Known(l, code) {
		// Known only as the parent of loaded territories (a région whose
		// layer is not loaded): its values may still be stored.
		name, fid := reg.Ref(l, code)
		return territory.Territory{Level: l, Code: code, Name: name, FID: fid}, nil
	}
	p, found, err := s.st.TerritoryByCode(ctx, l, code)
	if err != nil {
		return territory.Territory{}, err
	}
	if !found {
		return territory.Territory{}, &ParamError{Name: "ref", Reason: "territoire de référence inconnu : " + l.Label() + " " + code, Unknown: true}
	}
	return p.Territory, nil
}

// referenceValues reads the reference territory's values at each
// indicator's latest period. France, when no France value is stored, is
// computed from the régions as the choropleth's reference is (and refused
// as it is when a région is secret).
func (s *Service) referenceValues(ctx context.Context, pv *profileValues, ref territory.Territory, entries []Entry) error {
	pv.hasRef, pv.refName, pv.ref = true, ref.Name, map[string][]indicator.Value{}
	if pv.refName == "" {
		pv.refName, _ = s.tiles.Territories().Ref(ref.Level, ref.Code)
	}
	if len(pv.latest) == 0 {
		return nil
	}
	q := store.ValueQuery{Batch: pv.latest, Level: ref.Level, Code: ref.Code, Sex: string(indicator.SexEnsemble), Sector: indicator.SectorAll}
	rows, err := s.st.IndicatorValues(ctx, q)
	if err != nil {
		return err
	}
	pv.ref = byIndicator(rows)
	if ref.Level != territory.France {
		return nil
	}
	var fromRegions []store.IndicatorPeriod
	byID := map[string]Entry{}
	for _, e := range entries {
		byID[e.ID()] = e
	}
	for _, ip := range pv.latest {
		if len(pv.ref[ip.Indicator]) == 0 && byID[ip.Indicator].Indicator.HasLevel(territory.Region) {
			fromRegions = append(fromRegions, ip)
		}
	}
	if len(fromRegions) == 0 {
		return nil
	}
	rows, err = s.st.IndicatorValues(ctx, store.ValueQuery{Batch: fromRegions, Level: territory.Region, Sex: string(indicator.SexEnsemble), Sector: indicator.SectorAll})
	if err != nil {
		return err
	}
	regions := byIndicator(rows)
	expected := s.tiles.Territories().Regions()
	pv.france = map[string]indicator.Reference{}
	for _, ip := range fromRegions {
		// Through Gate in FranceReference, with its reason when refused.
		pv.france[ip.Indicator] = indicator.FranceReference(byID[ip.Indicator].Indicator, regions[ip.Indicator], expected)
	}
	return nil
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
func comparePeriods(a, b string) int { return indicator.ComparePeriods(a, b) }
