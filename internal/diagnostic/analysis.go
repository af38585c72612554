package diagnostic

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// This file holds the analysis maps: the evolution between two periods,
// the women/men gap, the bivariate map and the scatter plot of two
// indicators. Every figure they carry is derived from values through
// indicator.Gate (indicator.Combine): a figure derived from a withheld one
// is itself withheld.

// DerivedTerritory is one territory of an evolution or sex-gap map: the
// derived figure (Value) and the two it comes from, each shown only when
// publishable.
type DerivedTerritory struct {
	Code   string           `json:"code"`
	Name   string           `json:"name"`
	ID     uint64           `json:"id"`
	Value  *float64         `json:"value"`
	Class  int              `json:"class"`
	Status indicator.Status `json:"status"`
	// A and B are the two figures: from and to for an evolution, women
	// and men for a sex gap.
	A *float64 `json:"a"`
	B *float64 `json:"b"`
	// Ranks among the territories of the map (1 = highest value) at
	// either period, and the places gained towards the top (evolution
	// only; absent when either rank is).
	RankFrom   *int `json:"rank_from,omitempty"`
	RankTo     *int `json:"rank_to,omitempty"`
	RankChange *int `json:"rank_change,omitempty"`
}

// DerivedMap is an evolution or sex-gap map as it is published: a
// diverging choropleth around Centre.
type DerivedMap struct {
	Indicator string          `json:"indicator"`
	Label     string          `json:"label"`
	Kind      string          `json:"kind"` // "evolution" or "sex-gap"
	Level     territory.Level `json:"level"`
	// Evolution: the periods and the change mode; sex gap: the period and
	// the gap mode.
	From     string             `json:"from,omitempty"`
	To       string             `json:"to,omitempty"`
	Period   string             `json:"period,omitempty"`
	Mode     string             `json:"mode"`
	Unit     string             `json:"unit"`
	Centre   float64            `json:"centre"`
	Sex      string             `json:"sex"`
	Sector   string             `json:"sector"`
	Method   indicator.Method   `json:"method"`
	Polarity indicator.Polarity `json:"polarity"`
	// Warm is the side drawn in warm colours: 1 above the centre, -1
	// below (a worsening for an evolution; women above men for a gap).
	Warm        int                     `json:"warm"`
	Breaks      *indicator.Breaks       `json:"breaks"`
	Colors      []string                `json:"colors"`
	Legend      []indicator.LegendEntry `json:"legend"`
	Note        string                  `json:"note,omitempty"`
	Within      *TerritoryRef           `json:"within,omitempty"`
	Territories []DerivedTerritory      `json:"territories"`
	Source      string                  `json:"source"`
	Notice      string                  `json:"notice,omitempty"`
}

// EvolutionQuery is an evolution map as a user typed it (from, to, change
// and the classification; Query's Period is not used).
type EvolutionQuery struct {
	MapQuery
	From   string
	To     string
	Change string
}

// EvolutionSelection is a validated EvolutionQuery.
type EvolutionSelection struct {
	MapSelection
	From, To string // canonical; "" for the first or last period
	Change   indicator.ChangeMode
}

// Key names the evolution map among everything computed.
func (e EvolutionSelection) Key() string {
	return keyOf("evolution", e.MapSelection.Key(), e.From, e.To, string(e.Change))
}

// SelectEvolution validates an evolution request.
func (s *Service) SelectEvolution(ctx context.Context, q EvolutionQuery) (EvolutionSelection, error) {
	q.Period, q.Palette = "", ""
	ms, err := s.SelectMap(ctx, q.MapQuery)
	if err != nil {
		return EvolutionSelection{}, err
	}
	es := EvolutionSelection{MapSelection: ms, Change: indicator.ChangeAbsolute}
	switch strings.ToLower(strings.TrimSpace(q.Change)) {
	case "", "absolute":
	case "relative":
		es.Change = indicator.ChangeRelative
	default:
		return es, badParam("change", "mode inconnu", "absolute", "relative")
	}
	for _, p := range []struct {
		name string
		in   string
		out  *string
	}{{"from", q.From, &es.From}, {"to", q.To, &es.To}} {
		if p.in == "" {
			continue
		}
		per, err := indicator.ParsePeriod(p.in)
		if err != nil {
			return es, badParam(p.name, "période invalide : attendu une année (2021) ou un trimestre (2021-T3)", ms.Entry.Indicator.Vintages...)
		}
		*p.out = per.String()
	}
	return es, nil
}

// EvolutionBody is the evolution map encoded as JSON, cached as maps are.
func (s *Service) EvolutionBody(ctx context.Context, es EvolutionSelection) (*blob.Body, error) {
	return jsonBody(ctx, s, es.Key(), func(ctx context.Context) (any, error) { return s.Evolution(ctx, es) })
}

// Evolution computes the change of every territory between two periods,
// by default the first and the last ("entrée / sortie du plan").
func (s *Service) Evolution(ctx context.Context, es EvolutionSelection) (*DerivedMap, error) {
	e, sel := es.Entry, es.Selection
	ind := e.Indicator
	raw, err := s.st.IndicatorPeriods(ctx, e.ID(), sel.Level, sel.Sex, sel.Sector)
	if err != nil {
		return nil, err
	}
	periods := sortedPeriods(raw)
	if len(periods) < 2 {
		return nil, notFound("deux périodes de %s au niveau %s pour le sexe %s et le secteur %s", quote(e.ID()), sel.Level, sel.Sex, sel.Sector)
	}
	from, to := es.From, es.To
	if from == "" {
		from = periods[0]
	}
	if to == "" {
		to = periods[len(periods)-1]
	}
	for _, p := range []struct{ name, v string }{{"from", from}, {"to", to}} {
		if !slices.Contains(periods, p.v) {
			return nil, badParam(p.name, "aucune valeur à cette période", periods...)
		}
	}
	if slices.Index(periods, from) >= slices.Index(periods, to) {
		return nil, badParam("to", "doit être une période postérieure à from ("+from+")", periods...)
	}
	before, err := s.periodValues(ctx, sel, from)
	if err != nil {
		return nil, err
	}
	after, err := s.periodValues(ctx, sel, to)
	if err != nil {
		return nil, err
	}
	byCode := map[string]indicator.Value{}
	for _, v := range before {
		byCode[v.Code] = v
	}
	changes := make([]indicator.Value, len(after))
	for i, v := range after {
		f, ok := byCode[v.Code]
		if !ok {
			f = indicator.Value{Key: v.Key, Status: indicator.StatusMissing}
		}
		changes[i] = indicator.Change(f, v, es.Change)
	}
	unit := ind.Unit
	if es.Change == indicator.ChangeRelative {
		unit = "%"
	} else if strings.TrimSpace(ind.Unit) == "%" {
		unit = "pts"
	}
	m, err := s.derivedMap(sel, es.Options, ind, changes, 0, indicator.WarmSide(ind.Polarity), unit)
	if err != nil {
		return nil, err
	}
	m.Kind, m.From, m.To, m.Mode = "evolution", from, to, string(es.Change)
	m.Source = e.Source(from) + " ; " + e.Source(to)
	rankFrom, _ := indicator.Ranks(before)
	rankTo, _ := indicator.Ranks(after)
	for i := range m.Territories {
		t := &m.Territories[i]
		t.A, t.B = gated(byCode[t.Code]), gated(after[i])
		rf, okF := rankFrom[t.Code]
		rt, okT := rankTo[t.Code]
		if okF {
			t.RankFrom = &rf
		}
		if okT {
			t.RankTo = &rt
		}
		if okF && okT {
			d := rf - rt
			t.RankChange = &d
		}
	}
	return m, nil
}

// SexGapQuery is a sex-gap map as a user typed it (gap and the
// classification; Query's Sex is not used).
type SexGapQuery struct {
	MapQuery
	Gap string
}

// SexGapSelection is a validated SexGapQuery.
type SexGapSelection struct {
	MapSelection
	Gap indicator.GapMode
}

// Key names the sex-gap map among everything computed.
func (g SexGapSelection) Key() string {
	return keyOf("sex-gap", g.MapSelection.Key(), string(g.Gap))
}

// SelectSexGap validates a sex-gap request: the indicator must have
// values for women and for men.
func (s *Service) SelectSexGap(ctx context.Context, q SexGapQuery) (SexGapSelection, error) {
	q.Sex, q.Palette = "", ""
	ms, err := s.SelectMap(ctx, q.MapQuery)
	if err != nil {
		return SexGapSelection{}, err
	}
	ind := ms.Entry.Indicator
	if !slices.Contains(ind.Sexes, indicator.SexFemmes) || !slices.Contains(ind.Sexes, indicator.SexHommes) {
		return SexGapSelection{}, notFound("valeurs par sexe (femmes et hommes) de %s", quote(ms.Entry.ID()))
	}
	g := SexGapSelection{MapSelection: ms, Gap: indicator.GapRatio}
	switch strings.ToLower(strings.TrimSpace(q.Gap)) {
	case "", "ratio":
	case "difference":
		g.Gap = indicator.GapDifference
	default:
		return g, badParam("gap", "écart inconnu", "ratio", "difference")
	}
	return g, nil
}

// SexGapBody is the sex-gap map encoded as JSON, cached as maps are.
func (s *Service) SexGapBody(ctx context.Context, g SexGapSelection) (*blob.Body, error) {
	return jsonBody(ctx, s, g.Key(), func(ctx context.Context) (any, error) { return s.SexGap(ctx, g) })
}

// SexGap computes the women/men ratio or difference of every territory at
// one period (the latest when none is given). Women above men is drawn
// warm: the gap is read as a difference between the sexes, not as a
// worsening.
func (s *Service) SexGap(ctx context.Context, g SexGapSelection) (*DerivedMap, error) {
	e, sel := g.Entry, g.Selection
	ind := e.Indicator
	if sel.Period == "" {
		periods, err := s.st.IndicatorPeriods(ctx, e.ID(), sel.Level, string(indicator.SexFemmes), sel.Sector)
		if err != nil {
			return nil, err
		}
		sel.Period = indicator.LatestPeriod(periods)
		if sel.Period == "" {
			return nil, notFound("valeur de %s pour les femmes au niveau %s et le secteur %s", quote(e.ID()), sel.Level, sel.Sector)
		}
	}
	bySex := map[indicator.Sex][]indicator.Value{}
	for _, sex := range []indicator.Sex{indicator.SexFemmes, indicator.SexHommes} {
		one := sel
		one.Sex = string(sex)
		vals, err := s.periodValues(ctx, one, sel.Period)
		if err != nil {
			return nil, err
		}
		bySex[sex] = vals
	}
	men := map[string]indicator.Value{}
	for _, v := range bySex[indicator.SexHommes] {
		men[v.Code] = v
	}
	women := bySex[indicator.SexFemmes]
	gaps := make([]indicator.Value, len(women))
	for i, w := range women {
		h, ok := men[w.Code]
		if !ok {
			h = indicator.Value{Key: w.Key, Status: indicator.StatusMissing}
		}
		gaps[i] = indicator.Gap(w, h, g.Gap)
	}
	centre, unit := 1.0, "femmes / hommes"
	if g.Gap == indicator.GapDifference {
		centre, unit = 0, ind.Unit
		if strings.TrimSpace(ind.Unit) == "%" {
			unit = "pts"
		}
	}
	sel.Sex = "femmes-hommes"
	m, err := s.derivedMap(sel, g.Options, ind, gaps, centre, 1, unit)
	if err != nil {
		return nil, err
	}
	m.Kind, m.Period, m.Mode = "sex-gap", sel.Period, string(g.Gap)
	m.Source = e.Source(sel.Period)
	for i := range m.Territories {
		t := &m.Territories[i]
		t.A, t.B = gated(women[i]), gated(men[t.Code])
	}
	return m, nil
}

// derivedMap classifies derived values around centre and names their
// territories.
func (s *Service) derivedMap(sel Selection, opt indicator.ChoroplethOptions, ind indicator.Indicator, vals []indicator.Value, centre float64, warm int, unit string) (*DerivedMap, error) {
	legendInd := ind
	legendInd.Unit = unit
	if unit == "%" && ind.Unit != "%" {
		legendInd.Decimals = 1
	}
	if centre == 1 {
		legendInd.Decimals = 2
	}
	ch, err := indicator.BuildDiverging(legendInd, vals, indicator.DivergingOptions{
		Method: opt.Method, Classes: opt.Classes, Manual: opt.Manual, Centre: centre, Warm: warm})
	if err != nil {
		var fe *indicator.FieldError
		if errors.As(err, &fe) && fe.Field == "manual" {
			return nil, badParam("breaks", "les seuils d'une carte divergente doivent comprendre le centre ("+indicator.FormatNumber(centre, 0)+")")
		}
		return nil, optionError(err, opt)
	}
	m := &DerivedMap{
		Indicator: sel.Entry.ID(), Label: ind.Label, Level: sel.Level, Unit: unit, Centre: centre,
		Sex: sel.Sex, Sector: sel.Sector, Method: opt.Method, Polarity: ind.Polarity, Warm: warm,
		Breaks: ch.Breaks, Colors: ch.Colors, Legend: ch.Legend, Note: ch.Note,
		Territories: make([]DerivedTerritory, 0, len(ch.Items)), Notice: sel.Entry.Notice(),
	}
	if sel.Within != nil {
		ref := refOf(*sel.Within)
		m.Within = &ref
	}
	set, _ := s.tiles.Territories().Level(sel.Level)
	for _, it := range ch.Items {
		v := it.Value // through indicator.Gate in BuildDiverging
		dt := DerivedTerritory{Code: v.Code, ID: territory.FeatureID(sel.Level, v.Code), Value: v.Value, Class: it.Class, Status: v.Status}
		if set != nil {
			if t, ok := set.Get(v.Code); ok {
				dt.Name, dt.ID = t.Name, t.FID
			}
		}
		m.Territories = append(m.Territories, dt)
	}
	return m, nil
}

// periodValues reads the selection's values at one period, still raw.
func (s *Service) periodValues(ctx context.Context, sel Selection, period string) ([]indicator.Value, error) {
	sel.Period = period
	rows, err := s.st.IndicatorValues(ctx, sel.query())
	if err != nil {
		return nil, err
	}
	vals := make([]indicator.Value, len(rows))
	for i, r := range rows {
		vals[i] = value(r)
	}
	return vals, nil
}

// gated is the figure of v that may be shown, nil when none.
func gated(v indicator.Value) *float64 {
	if _, x, ok := indicator.Gate(v); ok {
		return &x
	}
	return nil
}

// sortedPeriods parses, deduplicates and orders periods, in canonical form.
func sortedPeriods(raw []string) []string {
	var ps []indicator.Period
	for _, r := range raw {
		if p, err := indicator.ParsePeriod(r); err == nil {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b indicator.Period) int {
		switch {
		case a.Less(b):
			return -1
		case b.Less(a):
			return 1
		}
		return 0
	})
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if s := p.String(); len(out) == 0 || out[len(out)-1] != s {
			out = append(out, s)
		}
	}
	return out
}

// CrossQuery is a crossing of two indicators as a user typed it: Query is
// the first (A), With names the second (B), read at the same level, sex
// and within, at WithPeriod (by default A's period when B has values
// then, else B's latest) and WithSector (by default "ensemble").
type CrossQuery struct {
	Query
	With       string
	WithPeriod string
	WithSector string
}

// CrossSelection is a validated CrossQuery.
type CrossSelection struct {
	A, B Selection
}

// Key names the crossing among everything computed.
func (c CrossSelection) Key() string { return keyOf("cross", c.A.Key(), c.B.Key()) }

// SelectCross validates a crossing of two indicators.
func (s *Service) SelectCross(ctx context.Context, q CrossQuery) (CrossSelection, error) {
	a, err := s.Select(ctx, q.Query, true)
	if err != nil {
		return CrossSelection{}, err
	}
	c, err := s.Catalogue(ctx)
	if err != nil {
		return CrossSelection{}, err
	}
	if q.With == "" {
		return CrossSelection{}, badParam("with", "paramètre obligatoire : l'identifiant du second indicateur")
	}
	e, ok := c.Get(q.With)
	if !ok {
		return CrossSelection{}, &ParamError{Name: "with", Reason: "indicateur inconnu : " + quote(q.With), Unknown: true}
	}
	if !e.Indicator.HasLevel(a.Level) {
		return CrossSelection{}, badParam("with", "indicateur non disponible au niveau "+a.Level.Label(), names(e.Indicator.Levels)...)
	}
	bq := Query{Indicator: q.With, Level: string(a.Level), Period: q.WithPeriod, Sex: a.Sex, Sector: q.WithSector, Within: q.Within}
	b, err := s.selectIn(c, e, bq, true)
	if err != nil {
		var pe *ParamError
		if errors.As(err, &pe) {
			switch pe.Name {
			case "period":
				pe.Name = "with-period"
			case "sector":
				pe.Name = "with-sector"
			case "sex":
				pe.Reason = "sexe non disponible pour " + quote(q.With)
			}
		}
		return CrossSelection{}, err
	}
	if !slices.Contains(e.Indicator.Sexes, indicator.Sex(a.Sex)) {
		return CrossSelection{}, badParam("sex", "sexe non disponible pour "+quote(q.With), names(e.Indicator.Sexes)...)
	}
	return CrossSelection{A: a, B: b}, nil
}

// crossed is the values of both sides of a crossing at their periods,
// paired by territory (B's value missing where B has none).
type crossed struct {
	a, b             []indicator.Value
	periodA, periodB string
}

func (s *Service) crossValues(ctx context.Context, cs CrossSelection) (crossed, error) {
	var out crossed
	pa := cs.A.Period
	if pa == "" {
		periods, err := s.st.IndicatorPeriods(ctx, cs.A.Entry.ID(), cs.A.Level, cs.A.Sex, cs.A.Sector)
		if err != nil {
			return out, err
		}
		if pa = indicator.LatestPeriod(periods); pa == "" {
			return out, notFound("valeur de %s au niveau %s", quote(cs.A.Entry.ID()), cs.A.Level)
		}
	}
	pb := cs.B.Period
	if pb == "" {
		periods, err := s.st.IndicatorPeriods(ctx, cs.B.Entry.ID(), cs.B.Level, cs.B.Sex, cs.B.Sector)
		if err != nil {
			return out, err
		}
		pb = indicator.LatestPeriod(periods)
		if slices.Contains(sortedPeriods(periods), pa) {
			pb = pa
		}
		if pb == "" {
			return out, notFound("valeur de %s au niveau %s", quote(cs.B.Entry.ID()), cs.B.Level)
		}
	}
	a, err := s.periodValues(ctx, cs.A, pa)
	if err != nil {
		return out, err
	}
	b, err := s.periodValues(ctx, cs.B, pb)
	if err != nil {
		return out, err
	}
	byCode := make(map[string]indicator.Value, len(b))
	for _, v := range b {
		byCode[v.Code] = v
	}
	out.a, out.b = a, make([]indicator.Value, len(a))
	for i, v := range a {
		w, ok := byCode[v.Code]
		if !ok {
			w = indicator.Value{Key: v.Key, Status: indicator.StatusMissing}
		}
		out.b[i] = w
	}
	out.periodA, out.periodB = pa, pb
	return out, nil
}

// BivariateTerritory is one territory of a bivariate map: both figures
// when both may be shown, its cell of the 3 × 3 grid (Class = 3·b + a) or
// the secret (9) or missing (10) class.
type BivariateTerritory struct {
	Code   string           `json:"code"`
	Name   string           `json:"name"`
	ID     uint64           `json:"id"`
	A      *float64         `json:"a"`
	B      *float64         `json:"b"`
	Class  int              `json:"class"`
	Status indicator.Status `json:"status"`
}

// Bivariate classes that are not grid cells.
const (
	BivariateSecretClass  = 9
	BivariateMissingClass = 10
)

// BivariateLegendEntry is one cell of the square legend (Kind value, with
// the tercile of each indicator and its bounds) or the secret or missing
// entry.
type BivariateLegendEntry struct {
	Class int      `json:"class"`
	Kind  string   `json:"kind"`
	A     *int     `json:"a,omitempty"`
	B     *int     `json:"b,omitempty"`
	AMin  *float64 `json:"a_min,omitempty"`
	AMax  *float64 `json:"a_max,omitempty"`
	BMin  *float64 `json:"b_min,omitempty"`
	BMax  *float64 `json:"b_max,omitempty"`
	Color string   `json:"color"`
	Label string   `json:"label"`
	Count int      `json:"count"`
}

// CrossSide describes one indicator of a crossing.
type CrossSide struct {
	Indicator string            `json:"indicator"`
	Label     string            `json:"label"`
	Unit      string            `json:"unit"`
	Period    string            `json:"period"`
	Sector    string            `json:"sector"`
	Source    string            `json:"source"`
	Breaks    *indicator.Breaks `json:"breaks,omitempty"`
}

// Bivariate is a bivariate map as it is published.
type Bivariate struct {
	A             CrossSide              `json:"a"`
	B             CrossSide              `json:"b"`
	Level         territory.Level        `json:"level"`
	Sex           string                 `json:"sex"`
	Colors        [3][3]string           `json:"colors"`
	PaletteSource string                 `json:"palette_source"`
	Legend        []BivariateLegendEntry `json:"legend"`
	Note          string                 `json:"note,omitempty"`
	Within        *TerritoryRef          `json:"within,omitempty"`
	Territories   []BivariateTerritory   `json:"territories"`
	Notice        string                 `json:"notice,omitempty"`
}

// BivariatePaletteSource cites the bivariate palette.
const BivariatePaletteSource = "Joshua Stevens, « Bivariate Choropleth Maps: A How-to Guide » (2015), palette bleu–violet 3 × 3, lisible par les personnes daltoniennes (deutéranopie, protanopie)"

// BivariateBody is the bivariate map encoded as JSON, cached as maps are.
func (s *Service) BivariateBody(ctx context.Context, cs CrossSelection) (*blob.Body, error) {
	return jsonBody(ctx, s, "bivariate|"+cs.Key(), func(ctx context.Context) (any, error) { return s.Bivariate(ctx, cs) })
}

func side(sel Selection, period string) CrossSide {
	ind := sel.Entry.Indicator
	return CrossSide{Indicator: sel.Entry.ID(), Label: ind.Label, Unit: ind.Unit, Period: period, Sector: sel.Sector, Source: sel.Entry.Source(period)}
}

// Bivariate classes the territories by the terciles of each indicator,
// computed over the territories where both may be shown; a territory
// secret on either side is secret.
func (s *Service) Bivariate(ctx context.Context, cs CrossSelection) (*Bivariate, error) {
	cv, err := s.crossValues(ctx, cs)
	if err != nil {
		return nil, err
	}
	m := &Bivariate{A: side(cs.A, cv.periodA), B: side(cs.B, cv.periodB), Level: cs.A.Level, Sex: cs.A.Sex,
		Colors: indicator.BivariateColors, PaletteSource: BivariatePaletteSource, Territories: make([]BivariateTerritory, 0, len(cv.a))}
	if n := cs.A.Entry.Notice(); n != "" {
		m.Notice = n
	} else {
		m.Notice = cs.B.Entry.Notice()
	}
	if cs.A.Within != nil {
		ref := refOf(*cs.A.Within)
		m.Within = &ref
	}
	var xs, ys []float64
	status := make([]indicator.Value, len(cv.a))
	for i := range cv.a {
		status[i] = indicator.Combine(cv.a[i], cv.b[i], func(x, y float64) (float64, bool) { return 0, true })
		if status[i].Status == indicator.StatusPublished {
			xs = append(xs, *gated(cv.a[i]))
			ys = append(ys, *gated(cv.b[i]))
		}
	}
	var ba, bb indicator.Breaks
	if len(xs) > 0 {
		if ba, err = indicator.Classify(xs, indicator.MethodQuantiles, 3, nil); err != nil {
			return nil, err
		}
		if bb, err = indicator.Classify(ys, indicator.MethodQuantiles, 3, nil); err != nil {
			return nil, err
		}
		m.A.Breaks, m.B.Breaks = &ba, &bb
		m.Note = joinNote(ba.Note, bb.Note)
	} else {
		m.Note = "aucun territoire où les deux indicateurs sont publiables : pas de classes"
	}
	counts := map[int]int{}
	set, _ := s.tiles.Territories().Level(cs.A.Level)
	for i, v := range cv.a {
		bt := BivariateTerritory{Code: v.Code, ID: territory.FeatureID(cs.A.Level, v.Code), Status: status[i].Status}
		if set != nil {
			if t, ok := set.Get(v.Code); ok {
				bt.Name, bt.ID = t.Name, t.FID
			}
		}
		switch status[i].Status {
		case indicator.StatusPublished:
			bt.A, bt.B = gated(v), gated(cv.b[i])
			bt.Class = 3*bb.ClassOf(*bt.B) + ba.ClassOf(*bt.A)
		case indicator.StatusSecret:
			bt.Class = BivariateSecretClass
		default:
			bt.Class = BivariateMissingClass
		}
		counts[bt.Class]++
		m.Territories = append(m.Territories, bt)
	}
	indA, indB := cs.A.Entry.Indicator, cs.B.Entry.Indicator
	for j := 0; j < bb.Classes; j++ {
		for i := 0; i < ba.Classes; i++ {
			alo, ahi := bounds(ba, i)
			blo, bhi := bounds(bb, j)
			m.Legend = append(m.Legend, BivariateLegendEntry{
				Class: 3*j + i, Kind: indicator.KindValue, A: ptrInt(i), B: ptrInt(j),
				AMin: &alo, AMax: &ahi, BMin: &blo, BMax: &bhi, Color: indicator.BivariateColors[j][i],
				Label: indA.Label + " " + indicator.RangeLabel(alo, ahi, indA.Decimals, indA.Unit) + " ; " +
					indB.Label + " " + indicator.RangeLabel(blo, bhi, indB.Decimals, indB.Unit),
				Count: counts[3*j+i],
			})
		}
	}
	m.Legend = append(m.Legend,
		BivariateLegendEntry{Class: BivariateSecretClass, Kind: indicator.KindSecret, Color: indicator.SecretColor, Label: indicator.SecretLabel, Count: counts[BivariateSecretClass]},
		BivariateLegendEntry{Class: BivariateMissingClass, Kind: indicator.KindMissing, Color: indicator.MissingColor, Label: indicator.MissingLabel, Count: counts[BivariateMissingClass]},
	)
	return m, nil
}

func bounds(b indicator.Breaks, i int) (float64, float64) {
	lo := b.Min
	if i > 0 {
		lo = b.Upper[i-1]
	}
	return lo, b.Upper[i]
}

func ptrInt(i int) *int { return &i }

func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// ScatterPoint is one territory of a scatter plot.
type ScatterPoint struct {
	Level territory.Level `json:"level"`
	Code  string          `json:"code"`
	Name  string          `json:"name"`
	ID    uint64          `json:"id"`
	A     float64         `json:"a"`
	B     float64         `json:"b"`
}

// LeftOut counts the territories a scatter plot leaves out, never their
// values.
type LeftOut struct {
	Secret  int `json:"secret"`
	Missing int `json:"missing"`
}

// Scatter is a scatter plot of two indicators as it is published.
type Scatter struct {
	A           CrossSide             `json:"a"`
	B           CrossSide             `json:"b"`
	Level       territory.Level       `json:"level"`
	Sex         string                `json:"sex"`
	Within      *TerritoryRef         `json:"within,omitempty"`
	Points      []ScatterPoint        `json:"points"`
	Regions     []ScatterPoint        `json:"regions"`
	LeftOut     LeftOut               `json:"left_out"`
	Correlation indicator.Correlation `json:"correlation"`
	Caution     string                `json:"caution"`
	Notice      string                `json:"notice,omitempty"`
}

// ScatterBody is the scatter plot encoded as JSON, cached as maps are.
func (s *Service) ScatterBody(ctx context.Context, cs CrossSelection) (*blob.Body, error) {
	return jsonBody(ctx, s, "scatter|"+cs.Key(), func(ctx context.Context) (any, error) { return s.Scatter(ctx, cs) })
}

// Scatter gives the points where both indicators may be shown, the
// points of the régions of those territories (where both may be shown),
// the count of the others and the correlation over the points.
func (s *Service) Scatter(ctx context.Context, cs CrossSelection) (*Scatter, error) {
	cv, err := s.crossValues(ctx, cs)
	if err != nil {
		return nil, err
	}
	out := &Scatter{A: side(cs.A, cv.periodA), B: side(cs.B, cv.periodB), Level: cs.A.Level, Sex: cs.A.Sex,
		Points: []ScatterPoint{}, Regions: []ScatterPoint{}}
	if n := cs.A.Entry.Notice(); n != "" {
		out.Notice = n
	} else {
		out.Notice = cs.B.Entry.Notice()
	}
	if cs.A.Within != nil {
		ref := refOf(*cs.A.Within)
		out.Within = &ref
	}
	reg := s.tiles.Territories()
	set, _ := reg.Level(cs.A.Level)
	regions := map[string]bool{}
	var xs, ys []float64
	for i, v := range cv.a {
		st := indicator.Combine(v, cv.b[i], func(x, y float64) (float64, bool) { return 0, true })
		switch st.Status {
		case indicator.StatusSecret:
			out.LeftOut.Secret++
			continue
		case indicator.StatusMissing:
			out.LeftOut.Missing++
			continue
		}
		p := ScatterPoint{Level: cs.A.Level, Code: v.Code, ID: territory.FeatureID(cs.A.Level, v.Code), A: *gated(v), B: *gated(cv.b[i])}
		if set != nil {
			if t, ok := set.Get(v.Code); ok {
				p.Name, p.ID = t.Name, t.FID
				if t.Region != "" {
					regions[t.Region] = true
				}
			}
		}
		xs, ys = append(xs, p.A), append(ys, p.B)
		out.Points = append(out.Points, p)
	}
	out.Correlation = indicator.Correlate(xs, ys)
	out.Caution = indicator.CorrelationCaution(len(xs))
	if cs.A.Level != territory.Region && len(regions) > 0 {
		pts, err := s.regionPoints(ctx, cs, cv, regions)
		if err != nil {
			return nil, err
		}
		out.Regions = pts
	}
	return out, nil
}

// regionPoints are the région values of both indicators, for the régions
// given, where both may be shown.
func (s *Service) regionPoints(ctx context.Context, cs CrossSelection, cv crossed, regions map[string]bool) ([]ScatterPoint, error) {
	if !cs.A.Entry.Indicator.HasLevel(territory.Region) || !cs.B.Entry.Indicator.HasLevel(territory.Region) {
		return []ScatterPoint{}, nil
	}
	read := func(sel Selection, period string) (map[string]indicator.Value, error) {
		rows, err := s.st.IndicatorValues(ctx, store.ValueQuery{Indicator: sel.Entry.ID(), Level: territory.Region, Period: period, Sex: sel.Sex, Sector: sel.Sector})
		if err != nil {
			return nil, err
		}
		m := map[string]indicator.Value{}
		for _, r := range rows {
			m[r.Code] = value(r)
		}
		return m, nil
	}
	a, err := read(cs.A, cv.periodA)
	if err != nil {
		return nil, err
	}
	b, err := read(cs.B, cv.periodB)
	if err != nil {
		return nil, err
	}
	reg := s.tiles.Territories()
	var codes []string
	for c := range regions {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	out := []ScatterPoint{}
	for _, c := range codes {
		x, y := gated(a[c]), gated(b[c])
		if x == nil || y == nil {
			continue
		}
		name, fid := reg.Ref(territory.Region, c)
		out = append(out, ScatterPoint{Level: territory.Region, Code: c, Name: name, ID: fid, A: *x, B: *y})
	}
	return out, nil
}
