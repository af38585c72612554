package diagnostic

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// MapQuery is a map as a user typed it: a Query and the classification,
// each field the URL parameter of the same name.
type MapQuery struct {
	Query
	Method  string
	Classes string
	Palette string
	Breaks  string // inner breaks of method manual: "5,10,15"
}

// MapSelection is a validated MapQuery.
type MapSelection struct {
	Selection
	Options indicator.ChoroplethOptions
}

// Key names the map among everything computed (see Selection.Key).
func (m MapSelection) Key() string {
	o := m.Options
	breaks := make([]string, len(o.Manual))
	for i, b := range o.Manual {
		breaks[i] = strconv.FormatFloat(b, 'g', -1, 64)
	}
	return keyOf("map", m.Selection.Key(), string(o.Method), strconv.Itoa(o.Classes), o.Palette, strings.Join(breaks, ","))
}

// SelectMap validates a map request; level, sex and sector get their
// defaults (see Select).
func (s *Service) SelectMap(ctx context.Context, q MapQuery) (MapSelection, error) {
	sel, err := s.Select(ctx, q.Query, true)
	if err != nil {
		return MapSelection{}, err
	}
	opt, err := parseOptions(q)
	if err != nil {
		return MapSelection{}, err
	}
	return MapSelection{Selection: sel, Options: opt}, nil
}

// parseOptions reads method, classes, palette and breaks. The rules on
// them are indicator's (ChoroplethOptions.Check); they are checked here,
// before any database work, and told in the user's words.
func parseOptions(q MapQuery) (indicator.ChoroplethOptions, error) {
	opt := indicator.DefaultChoroplethOptions()
	if q.Method != "" {
		opt.Method = indicator.Method(strings.ToLower(strings.TrimSpace(q.Method)))
	}
	if q.Classes != "" {
		n, err := strconv.Atoi(q.Classes)
		if err != nil {
			return opt, classesError()
		}
		opt.Classes = n
	}
	if q.Palette != "" {
		opt.Palette = strings.ToLower(q.Palette)
	}
	if q.Breaks != "" {
		for _, part := range strings.Split(q.Breaks, ",") {
			x, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
			if err != nil {
				return opt, badParam("breaks", "une liste de nombres séparés par des virgules (point décimal)")
			}
			opt.Manual = append(opt.Manual, x)
		}
	}
	if err := opt.Check(); err != nil {
		return opt, optionError(err, opt)
	}
	return opt, nil
}

func classesError() error {
	return badParam("classes", fmt.Sprintf("un entier de %d à %d", indicator.MinClasses, indicator.MaxClasses))
}

// optionError turns the domain's FieldError about an option into a
// ParamError naming the query parameter, in French.
func optionError(err error, opt indicator.ChoroplethOptions) error {
	var fe *indicator.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	switch {
	case fe.Field == "method":
		return badParam("method", "méthode de classification inconnue", names(indicator.Methods())...)
	case fe.Field == "classes":
		return classesError()
	case fe.Field == "palette":
		return badParam("palette", "palette inconnue", indicator.Palettes()...)
	case opt.Method != indicator.MethodManual:
		return badParam("breaks", "les seuils ne sont acceptés qu'avec method=manual")
	case fe.Field == "manual":
		return badParam("breaks", fmt.Sprintf("method=manual avec %d classes demande %d seuils intérieurs", opt.Classes, opt.Classes-1))
	case strings.HasPrefix(fe.Field, "manual"):
		return badParam("breaks", "des seuils finis et strictement croissants")
	}
	return badParam(fe.Field, fe.Message)
}

// TerritoryRef names a territory in answers.
type TerritoryRef struct {
	Level territory.Level `json:"level"`
	Code  string          `json:"code"`
	Name  string          `json:"name"`
	ID    uint64          `json:"id"`
}

func refOf(t territory.Territory) TerritoryRef {
	return TerritoryRef{Level: t.Level, Code: t.Code, Name: t.Name, ID: t.FID}
}

// MapTerritory is one territory of a map: its value when it may be shown,
// its class in the legend and its status.
type MapTerritory struct {
	Code   string           `json:"code"`
	Name   string           `json:"name"`
	ID     uint64           `json:"id"`
	Value  *float64         `json:"value"`
	Class  int              `json:"class"`
	Status indicator.Status `json:"status"`
}

// Map is a computed choropleth, as it is published.
type Map struct {
	Indicator string                  `json:"indicator"`
	Label     string                  `json:"label"`
	Unit      string                  `json:"unit"`
	Level     territory.Level         `json:"level"`
	Period    string                  `json:"period"`
	Sex       string                  `json:"sex"`
	Sector    string                  `json:"sector"`
	Method    indicator.Method        `json:"method"`
	Palette   string                  `json:"palette"`
	Polarity  indicator.Polarity      `json:"polarity"`
	Breaks    *indicator.Breaks       `json:"breaks"`
	Colors    []string                `json:"colors"`
	Legend    []indicator.LegendEntry `json:"legend"`
	Note      string                  `json:"note,omitempty"`
	// Within is the territory the classes were computed in (within=).
	Within      *TerritoryRef         `json:"within,omitempty"`
	Territories []MapTerritory        `json:"territories"`
	References  []indicator.Reference `json:"references"`
	Source      string                `json:"source"`
	Notice      string                `json:"notice,omitempty"`

	// chart keeps the classed values (already through Gate) for tiles.
	chart indicator.Choropleth
}

// MissingClass is the legend class of territories with no value.
func (m *Map) MissingClass() int { return m.chart.MissingClass() }

// Map computes a choropleth: the values of one level, period (the latest
// when none is given), sex and sector, classified, with the région and
// France references. The maps asked for last are kept: the tiles of one
// map, asked for together, share one computation.
func (s *Service) Map(ctx context.Context, ms MapSelection) (*Map, error) {
	key := ms.Key()
	if m, ok := s.maps.get(key); ok {
		return m, nil
	}
	v, err, _ := s.flight.Do(key, func() (any, error) {
		m, err := s.computeMap(ctx, ms)
		if err == nil {
			s.maps.set(key, m)
		}
		return m, err
	})
	if err != nil {
		return nil, err
	}
	return v.(*Map), nil
}

// MapBody is Map encoded as JSON, with its gzip form and ETags, from the
// cache when it was asked for before.
func (s *Service) MapBody(ctx context.Context, ms MapSelection) (*blob.Body, error) {
	return jsonBody(ctx, s, ms.Key(), func(ctx context.Context) (any, error) { return s.Map(ctx, ms) })
}

func (s *Service) computeMap(ctx context.Context, ms MapSelection) (*Map, error) {
	e, sel := ms.Entry, ms.Selection
	ind := e.Indicator
	if sel.Period == "" {
		periods, err := s.st.IndicatorPeriods(ctx, e.ID(), sel.Level, sel.Sex, sel.Sector)
		if err != nil {
			return nil, err
		}
		sel.Period = indicator.LatestPeriod(periods)
		if sel.Period == "" {
			return nil, notFound("valeur de %s au niveau %s pour le sexe %s et le secteur %s", quote(e.ID()), sel.Level, sel.Sex, sel.Sector)
		}
	}
	rows, err := s.st.IndicatorValues(ctx, sel.query())
	if err != nil {
		return nil, err
	}
	vals := make([]indicator.Value, len(rows))
	for i, r := range rows {
		vals[i] = value(r)
	}
	ch, err := indicator.BuildChoropleth(ind, vals, ms.Options)
	if err != nil {
		return nil, optionError(err, ms.Options)
	}
	reg := s.tiles.Territories()
	m := &Map{
		Indicator: e.ID(), Label: ind.Label, Unit: ind.Unit, Level: sel.Level, Period: sel.Period,
		Sex: sel.Sex, Sector: sel.Sector, Method: ms.Options.Method, Palette: ms.Options.Palette, Polarity: ind.Polarity,
		Breaks: ch.Breaks, Colors: ch.Colors, Legend: ch.Legend, Note: ch.Note,
		Territories: make([]MapTerritory, 0, len(ch.Items)), References: []indicator.Reference{},
		Source: e.Source(sel.Period), Notice: e.Notice(), chart: ch,
	}
	if sel.Within != nil {
		ref := refOf(*sel.Within)
		m.Within = &ref
	}
	set, _ := reg.Level(sel.Level)
	regionsShown := map[string]bool{}
	for _, it := range ch.Items {
		v := it.Value // already through indicator.Gate; v.Level is sel.Level
		mt := MapTerritory{Code: v.Code, ID: territory.FeatureID(sel.Level, v.Code), Value: v.Value, Class: it.Class, Status: v.Status}
		if set != nil {
			if t, ok := set.Get(v.Code); ok {
				mt.Name, mt.ID = t.Name, t.FID
				if t.Region != "" {
					regionsShown[t.Region] = true
				}
			}
		}
		m.Territories = append(m.Territories, mt)
	}
	refs, err := s.references(ctx, e, sel, regionsShown)
	if err != nil {
		return nil, err
	}
	m.References = refs
	return m, nil
}

// references returns the région values of the régions shown and the France
// value when it can be computed safely.
func (s *Service) references(ctx context.Context, e Entry, sel Selection, regionsShown map[string]bool) ([]indicator.Reference, error) {
	refs := []indicator.Reference{}
	rows, err := s.st.IndicatorValues(ctx, store.ValueQuery{Indicator: e.ID(), Level: territory.Region, Period: sel.Period, Sex: sel.Sex, Sector: sel.Sector})
	if err != nil {
		return nil, err
	}
	regions := make([]indicator.Value, len(rows))
	for i, r := range rows {
		regions[i] = value(r)
	}
	reg := s.tiles.Territories()
	if sel.Level != territory.Region {
		for _, v := range regions {
			if regionsShown[v.Code] {
				name, _ := reg.Ref(v.Level, v.Code)
				refs = append(refs, indicator.RegionReference(e.Indicator, v, name))
			}
		}
	}
	refs = append(refs, indicator.FranceReference(e.Indicator, regions, reg.Regions()))
	return refs, nil
}
