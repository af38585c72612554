package document

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/report"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// Sections of a chiffres clés page, in the order they are printed.
const (
	SectionFigures = "chiffres"
	SectionMaps    = "cartes"
	SectionSeries  = "series"
	SectionSectors = "secteurs"
)

// Sections lists every section, the default selection.
func Sections() []string { return []string{SectionFigures, SectionMaps, SectionSeries, SectionSectors} }

// maxMapsPerTheme bounds a theme's maps: the key indicators, not all.
const maxMapsPerTheme = 4

// KeyFiguresQuery is a chiffres clés document as typed in the URL; each
// field is the parameter of the same name.
type KeyFiguresQuery struct {
	// Territory is "LEVEL:CODE": a région, a département or a zone d'emploi.
	Territory string
	// Period is the vintage (each indicator's latest up to it); "" the latest.
	Period string
	// From is the start of the evolution ("entrée du plan"); "" four
	// years before the period.
	From string
	// Themes, Indicators and Sections are comma-separated selections; ""
	// is every one.
	Themes, Indicators, Sections string
	// Sex is the population the figures are about (ensemble by default):
	// the population focus sheet is the chiffres clés of femmes or hommes.
	Sex string
}

// keyFigures is a validated KeyFiguresQuery.
type keyFigures struct {
	place              place
	period, from       *indicator.Period
	themes, indicators []string
	sections           []string
	sex                indicator.Sex
	entries            []diagnostic.Entry
}

func (k keyFigures) key() string {
	p, f := "", ""
	if k.period != nil {
		p = k.period.String()
	}
	if k.from != nil {
		f = k.from.String()
	}
	return stamp("chiffres-cles", string(k.place.Level)+":"+k.place.Code, p, f, strings.Join(k.themes, ","),
		strings.Join(k.indicators, ","), strings.Join(k.sections, ","), string(k.sex))
}

func (k keyFigures) name() string {
	n := "chiffres-cles-" + slug(k.place.Name)
	if k.sex != indicator.SexEnsemble {
		n = "focus-" + string(k.sex) + "-" + slug(k.place.Name)
	}
	if k.period != nil {
		n += "-" + slug(k.period.String())
	}
	return n
}

func (k keyFigures) has(section string) bool { return slices.Contains(k.sections, section) }

// KeyFigures renders the chiffres clés of a territory in format.
func (s *Service) KeyFigures(ctx context.Context, q KeyFiguresQuery, format string) (*Rendered, error) {
	k, err := s.selectKeyFigures(ctx, q)
	if err != nil {
		return nil, err
	}
	if _, err := CheckFormat(format); err != nil {
		return nil, err
	}
	return s.render(ctx, k.key(), k.name(), format, func() (*report.Document, error) { return s.keyFiguresDocument(ctx, k) })
}

// KeyFiguresDocument assembles the chiffres clés without rendering them.
func (s *Service) KeyFiguresDocument(ctx context.Context, q KeyFiguresQuery) (*report.Document, error) {
	k, err := s.selectKeyFigures(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.keyFiguresDocument(ctx, k)
}

func (s *Service) selectKeyFigures(ctx context.Context, q KeyFiguresQuery) (keyFigures, error) {
	var k keyFigures
	if strings.TrimSpace(q.Territory) == "" {
		return k, badParam("territory", "obligatoire : le territoire d'étude, par exemple region:76")
	}
	p, err := s.parsePlace("territory", q.Territory, territory.Region, territory.Departement, territory.ZoneEmploi)
	if err != nil {
		return k, err
	}
	k.place = p
	if k.period, err = optionalPeriod("period", q.Period); err != nil {
		return k, err
	}
	if k.from, err = optionalPeriod("from", q.From); err != nil {
		return k, err
	}
	k.sex = indicator.SexEnsemble
	if q.Sex != "" {
		x, err := indicator.ParseSex(q.Sex)
		if err != nil {
			return k, badParam("sex", "sexe inconnu", names([]indicator.Sex{indicator.SexEnsemble, indicator.SexFemmes, indicator.SexHommes})...)
		}
		k.sex = x
	}
	for _, t := range list(q.Themes) {
		th, err := indicator.ParseTheme(t)
		if err != nil {
			return k, badParam("themes", "thème inconnu : "+t, names(indicator.Themes())...)
		}
		k.themes = append(k.themes, string(th))
	}
	k.sections = list(strings.ToLower(q.Sections))
	for _, sec := range k.sections {
		if !slices.Contains(Sections(), sec) {
			return k, badParam("sections", "section inconnue : "+sec, Sections()...)
		}
	}
	if len(k.sections) == 0 {
		k.sections = Sections()
	}
	c, err := s.diag.Catalogue(ctx)
	if err != nil {
		return k, err
	}
	k.indicators = list(q.Indicators)
	for _, id := range k.indicators {
		e, ok := c.Get(id)
		if !ok {
			return k, &diagnostic.ParamError{Name: "indicators", Reason: "indicateur inconnu : " + id, Unknown: true}
		}
		if !e.Indicator.HasLevel(p.Level) {
			return k, badParam("indicators", "indicateur "+id+" non disponible au niveau "+p.Level.Label())
		}
	}
	for _, e := range c.Entries {
		if !e.Indicator.HasLevel(p.Level) {
			continue
		}
		if len(k.themes) > 0 && !slices.Contains(k.themes, string(e.Indicator.Theme)) {
			continue
		}
		if len(k.indicators) > 0 && !slices.Contains(k.indicators, e.ID()) {
			continue
		}
		if k.sex != indicator.SexEnsemble && !slices.Contains(e.Indicator.Sexes, k.sex) {
			continue
		}
		k.entries = append(k.entries, e)
	}
	return k, nil
}

func optionalPeriod(param, v string) (*indicator.Period, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	p, err := indicator.ParsePeriod(v)
	if err != nil {
		return nil, badParam(param, "période invalide : attendu une année (2023) ou un trimestre (2023-T3)")
	}
	return &p, nil
}

// figures is what a document knows of one indicator in one territory.
type figures struct {
	entry  diagnostic.Entry
	period string // the vintage shown
	from   string // the evolution's start ("" when none)
	// byKey holds the territory's gated values: period|sex|sector.
	byKey   map[string]diagnostic.ValueItem
	periods []string // the territory's periods, in time order
	level   *diagnostic.Map
	// small is the map drawn (the level's map, or the région's
	// départements for a région).
	small *diagnostic.Map
}

func vkey(period, sex, sector string) string { return period + "|" + sex + "|" + sector }

// cells are an indicator's gated values at a level within a territory,
// by code then vkey.
type cells struct {
	byCode map[string]map[string]diagnostic.ValueItem
}

// cellsOf reads every value of an indicator at a level within a
// territory (every period, sex and sector) in one query, through Gate.
func (s *Service) cellsOf(ctx context.Context, e diagnostic.Entry, level territory.Level, within string) (cells, error) {
	sel, err := s.diag.Select(ctx, diagnostic.Query{Indicator: e.ID(), Level: string(level), Within: within}, false)
	if err != nil {
		return cells{}, err
	}
	vals, err := s.diag.Values(ctx, sel)
	if err != nil {
		return cells{}, err
	}
	c := cells{byCode: map[string]map[string]diagnostic.ValueItem{}}
	for _, v := range vals.Values {
		m := c.byCode[v.Code]
		if m == nil {
			m = map[string]diagnostic.ValueItem{}
			c.byCode[v.Code] = m
		}
		m[vkey(v.Period, v.Sex, v.Sector)] = v
	}
	return c, nil
}

// periodsOf are the periods of code's values, in time order.
func (c cells) periodsOf(code string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range c.byCode[code] {
		if !seen[v.Period] {
			seen[v.Period] = true
			out = append(out, v.Period)
		}
	}
	slices.SortFunc(out, indicator.ComparePeriods)
	return out
}

func (f figures) value(period, sex, sector string) (diagnostic.ValueItem, bool) {
	v, ok := f.byKey[vkey(period, sex, sector)]
	return v, ok
}

// within is the within= of the territory's maps: its région, for every
// level but the région.
func (p place) within() string {
	if p.Level == territory.Region || p.Region == "" {
		return ""
	}
	return "region:" + p.Region
}

// readFigures reads an indicator for a territory: every value of the
// level within its région (one query, through Gate), the map of the
// period (for the rank, the references and the small map).
func (s *Service) readFigures(ctx context.Context, k keyFigures, e diagnostic.Entry) (*figures, error) {
	p := k.place
	all, err := s.cellsOf(ctx, e, p.Level, p.within())
	if err != nil {
		return nil, err
	}
	f := &figures{entry: e, byKey: all.byCode[p.Code], periods: all.periodsOf(p.Code)}
	f.period = pickPeriod(f.periods, k.period)
	if f.period == "" {
		return f, nil
	}
	f.from = pickFrom(f.periods, k.from, f.period)
	mq := diagnostic.MapQuery{Query: diagnostic.Query{Indicator: e.ID(), Level: string(p.Level), Period: f.period, Sex: string(k.sex), Within: p.within()}}
	if f.level, err = s.mapOf(ctx, mq); err != nil {
		return nil, err
	}
	f.small = f.level
	if p.Level == territory.Region && e.Indicator.HasLevel(territory.Departement) && s.hasLayer(territory.Departement) {
		mq.Level, mq.Within = string(territory.Departement), "region:"+p.Code
		if f.small, err = s.mapOf(ctx, mq); err != nil {
			return nil, err
		}
	}
	return f, nil
}

func (s *Service) hasLayer(l territory.Level) bool {
	_, ok := s.tiles.Layer(l.Layer())
	return ok
}

func (s *Service) mapOf(ctx context.Context, q diagnostic.MapQuery) (*diagnostic.Map, error) {
	ms, err := s.diag.SelectMap(ctx, q)
	if err != nil {
		return nil, err
	}
	return s.diag.Map(ctx, ms)
}

// pickPeriod is the latest period up to want (a year takes its quarters),
// the latest of all without want.
func pickPeriod(periods []string, want *indicator.Period) string {
	out := ""
	for _, s := range periods {
		p, err := indicator.ParsePeriod(s)
		if err != nil {
			continue
		}
		if want != nil && (p.Year > want.Year || (want.Quarter > 0 && p.Year == want.Year && p.Quarter > want.Quarter)) {
			continue
		}
		out = s
	}
	return out
}

// pickFrom is the start of the evolution: the period asked for when the
// territory has it, else the same period four years earlier (a plan's
// span), else the earliest within those four years.
func pickFrom(periods []string, want *indicator.Period, to string) string {
	pt, _ := indicator.ParsePeriod(to)
	target := indicator.Period{Year: pt.Year - 4, Quarter: pt.Quarter}
	if want != nil {
		target = *want
	}
	best := ""
	for _, s := range periods {
		p, _ := indicator.ParsePeriod(s)
		if s == to || pt.Less(p) {
			break
		}
		if p == target {
			return s
		}
		if want == nil && !p.Less(target) && best == "" {
			best = s
		}
	}
	return best
}

// keyFiguresDocument assembles the pages: one per theme with figures.
func (s *Service) keyFiguresDocument(ctx context.Context, k keyFigures) (*report.Document, error) {
	p := k.place
	doc := &report.Document{
		Title:    "Chiffres clés de la santé au travail – " + p.title(),
		Subtitle: "Territoire d'étude : " + p.Level.Label() + " " + p.title(),
		Date:     s.now(),
		Keywords: []string{"santé au travail", "diagnostic régional", "PRST", p.Name},
	}
	if k.sex != indicator.SexEnsemble {
		doc.Title = "Focus population : " + string(k.sex) + " – " + p.title()
	}
	if k.period != nil {
		doc.Subtitle += " ; période " + k.period.Label()
	}
	doc.Subject = doc.Title
	byTheme := map[indicator.Theme][]*figures{}
	for _, e := range k.entries {
		f, err := s.readFigures(ctx, k, e)
		if err != nil {
			return nil, err
		}
		if f.period == "" {
			continue
		}
		byTheme[e.Indicator.Theme] = append(byTheme[e.Indicator.Theme], f)
		if e.Indicator.Demo {
			doc.Notice = demoNotice
		}
	}
	for _, th := range indicator.Themes() {
		fs := byTheme[th]
		if len(fs) == 0 {
			continue
		}
		page := report.Page{Title: th.Label()}
		for _, f := range fs {
			if f.entry.Indicator.Demo {
				page.Notice = demoNotice
			}
		}
		if k.has(SectionFigures) {
			var kf report.KeyFigures
			for _, f := range fs {
				kf.Figures = append(kf.Figures, keyFigure(k, f))
			}
			page.Sections = append(page.Sections, report.Section{Title: "Chiffres clés", Blocks: []report.Block{kf}})
		}
		if k.has(SectionMaps) {
			sec := report.Section{Title: "Cartes"}
			for _, f := range fs[:min(len(fs), maxMapsPerTheme)] {
				sec.Blocks = append(sec.Blocks, s.drawMap(f.small, f.entry.Indicator.Decimals, mapTitle(f.small), p.Code))
			}
			page.Sections = append(page.Sections, sec)
		}
		if k.has(SectionSeries) {
			sec := report.Section{Title: "Évolution"}
			for _, f := range fs {
				if c, ok := chart(k, f); ok {
					sec.Blocks = append(sec.Blocks, c)
				}
			}
			if len(sec.Blocks) > 0 {
				page.Sections = append(page.Sections, sec)
			}
		}
		if k.has(SectionSectors) {
			if t, ok := sectorTable(k, fs); ok {
				page.Sections = append(page.Sections, report.Section{Title: "Focus secteurs", Blocks: []report.Block{t}})
			}
		}
		doc.Pages = append(doc.Pages, page)
	}
	if len(doc.Pages) == 0 {
		doc.Pages = append(doc.Pages, emptyPage(p))
	}
	return doc, nil
}

// keyFigure writes an indicator's headline for the territory.
func keyFigure(k keyFigures, f *figures) report.KeyFigure {
	ind := f.entry.Indicator
	p := k.place
	sex := string(k.sex)
	v, _ := f.value(f.period, sex, indicator.SectorAll)
	kf := report.KeyFigure{Label: ind.Label, Period: indicator.PeriodLabel(f.period), Source: f.entry.Source(f.period)}
	kf.Value, kf.Secret = figure(v.Value, v.Status, ind.Decimals, ind.Unit)
	if f.from != "" {
		from, _ := f.value(f.from, sex, indicator.SectorAll)
		line := "Évolution depuis " + indicator.PeriodLabel(f.from) + " : "
		switch {
		case from.Value != nil && v.Value != nil:
			kf.Details = append(kf.Details, line+signed(*v.Value-*from.Value, ind.Decimals, changeUnit(ind.Unit)))
		case from.Status == indicator.StatusSecret || v.Status == indicator.StatusSecret:
			kf.Details = append(kf.Details, line+indicator.SecretLabel)
		}
	}
	if rank, of, ok := rankIn(f.level, p.Code); ok {
		among := p.Level.Plural()
		if p.Level != territory.Region && p.RegionName != "" {
			among += " de " + p.RegionName
		}
		kf.Details = append(kf.Details, "Rang : "+ordinal(rank)+" sur "+strconv.Itoa(of)+" "+among+" (1 = valeur la plus élevée)")
	}
	for _, ref := range f.level.References {
		if ref.Level == territory.Region && ref.Code != p.Region {
			continue
		}
		switch {
		case ref.Value != nil:
			kf.Details = append(kf.Details, ref.Name+" : "+ref.Label)
		case ref.Status == indicator.StatusSecret || ref.Reason == indicator.SecretLabel:
			kf.Details = append(kf.Details, ref.Name+" : "+indicator.SecretLabel)
		}
	}
	if k.sex == indicator.SexEnsemble {
		var parts []string
		for _, x := range []indicator.Sex{indicator.SexFemmes, indicator.SexHommes} {
			if sv, ok := f.value(f.period, string(x), indicator.SectorAll); ok {
				label, _ := figure(sv.Value, sv.Status, ind.Decimals, ind.Unit)
				parts = append(parts, sexLabel(x)+" : "+label)
			}
		}
		if len(parts) > 0 {
			kf.Details = append(kf.Details, strings.Join(parts, " · "))
		}
	}
	return kf
}

func sexLabel(x indicator.Sex) string {
	switch x {
	case indicator.SexFemmes:
		return "Femmes"
	case indicator.SexHommes:
		return "Hommes"
	}
	return "Ensemble"
}

// rankIn ranks code among the map's published values (1 = highest).
func rankIn(m *diagnostic.Map, code string) (rank, of int, ok bool) {
	vals := make([]indicator.Value, 0, len(m.Territories))
	for _, t := range m.Territories {
		// Already through Gate: a nil Value is not ranked.
		vals = append(vals, indicator.Value{Key: indicator.Key{Code: t.Code}, Value: t.Value, Status: t.Status})
	}
	return indicator.Rank(vals, code)
}

func ordinal(n int) string {
	if n == 1 {
		return "1er"
	}
	return strconv.Itoa(n) + "e"
}

// chart is the indicator's series from the evolution's start to the
// period: ensemble, femmes and hommes when they are there.
func chart(k keyFigures, f *figures) (report.Chart, bool) {
	ind := f.entry.Indicator
	start := 0
	if f.from != "" {
		start = slices.Index(f.periods, f.from)
	}
	end := slices.Index(f.periods, f.period)
	if start < 0 || end < start || end-start < 1 {
		return report.Chart{}, false
	}
	periods := f.periods[start : end+1]
	c := report.Chart{Title: ind.Label + " – " + k.place.title(), Unit: ind.Unit, Source: f.entry.Source(f.period)}
	for _, p := range periods {
		c.Periods = append(c.Periods, indicator.PeriodLabel(p))
	}
	colors := map[indicator.Sex]string{indicator.SexEnsemble: "#1d4f73", indicator.SexFemmes: "#b0306a", indicator.SexHommes: "#2a7f62"}
	for _, x := range []indicator.Sex{indicator.SexEnsemble, indicator.SexFemmes, indicator.SexHommes} {
		ser := report.Series{Name: sexLabel(x), Color: colors[x], Decimals: ind.Decimals}
		any := false
		for _, p := range periods {
			v, _ := f.value(p, string(x), indicator.SectorAll)
			ser.Points = append(ser.Points, v.Value)
			any = any || v.Value != nil
		}
		if any {
			c.Series = append(c.Series, ser)
		}
	}
	return c, len(c.Series) > 0
}

// sectorTable is the ten focus sectors (rows) by the theme's indicators
// broken down by sector (columns), at each one's period.
func sectorTable(k keyFigures, fs []*figures) (report.Table, bool) {
	var cols []*figures
	for _, f := range fs {
		if len(f.entry.Indicator.Sectors) > 1 {
			cols = append(cols, f)
		}
	}
	if len(cols) == 0 {
		return report.Table{}, false
	}
	t := report.Table{Caption: "Les dix secteurs du focus – " + k.place.title(), Columns: []string{"Secteur"}}
	var sources []string
	for _, f := range cols {
		t.Columns = append(t.Columns, f.entry.Indicator.Label+" ("+f.entry.Indicator.Unit+", "+indicator.PeriodLabel(f.period)+")")
		if src := f.entry.Source(f.period); !slices.Contains(sources, src) {
			sources = append(sources, src)
		}
	}
	rows := append(indicator.FocusSectors(), indicator.Sector{Code: indicator.SectorAll, Label: indicator.SectorLabel(indicator.SectorAll)})
	for _, sec := range rows {
		row := []string{sec.Label}
		for _, f := range cols {
			v, ok := f.value(f.period, string(k.sex), sec.Code)
			if !ok {
				row = append(row, "–")
				continue
			}
			label, _ := figure(v.Value, v.Status, f.entry.Indicator.Decimals, "")
			row = append(row, label)
		}
		t.Rows = append(t.Rows, row)
	}
	t.Source = strings.Join(sources, " ; ")
	return t, true
}
