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

// FocusQuery is a focus sheet as typed in the URL; each field is the
// parameter of the same name.
type FocusQuery struct {
	// Territory is the région whose territories a theme or sector sheet
	// compares, or the territory a portrait is about.
	Territory string
	// Level is the région's territories compared: departement (default)
	// or zone-emploi.
	Level  string
	Period string
	// Theme (theme sheet) and Sector (sector sheet).
	Theme, Sector string
}

// focus is a validated FocusQuery.
type focus struct {
	place  place
	level  territory.Level
	period *indicator.Period
	theme  indicator.Theme
	sector string
}

func (f focus) key(kind string) string {
	p := ""
	if f.period != nil {
		p = f.period.String()
	}
	return stamp("focus", kind, string(f.place.Level)+":"+f.place.Code, string(f.level), p, string(f.theme), f.sector)
}

func (s *Service) selectFocus(q FocusQuery, levels ...territory.Level) (focus, error) {
	var f focus
	if strings.TrimSpace(q.Territory) == "" {
		return f, badParam("territory", "obligatoire, par exemple region:76")
	}
	p, err := s.parsePlace("territory", q.Territory, levels...)
	if err != nil {
		return f, err
	}
	f.place = p
	f.level = territory.Departement
	if q.Level != "" {
		l, err := territory.ParseLevel(q.Level)
		if err != nil || (l != territory.Departement && l != territory.ZoneEmploi) {
			return f, badParam("level", "les territoires de la région : departement ou zone-emploi", "departement", "zone-emploi")
		}
		f.level = l
	}
	if f.period, err = optionalPeriod("period", q.Period); err != nil {
		return f, err
	}
	return f, nil
}

// ThemeFocus renders a theme across the territories of a région: for each
// of the theme's indicators, a map and the territories ranked.
func (s *Service) ThemeFocus(ctx context.Context, q FocusQuery, format string) (*Rendered, error) {
	f, err := s.selectFocus(q, territory.Region)
	if err != nil {
		return nil, err
	}
	th, err := indicator.ParseTheme(q.Theme)
	if err != nil {
		return nil, badParam("theme", "thème obligatoire ou inconnu", names(indicator.Themes())...)
	}
	f.theme = th
	if _, err := CheckFormat(format); err != nil {
		return nil, err
	}
	name := "focus-" + string(th) + "-" + slug(f.place.Name)
	return s.render(ctx, f.key("theme"), name, format, func() (*report.Document, error) {
		return s.territoriesDocument(ctx, f, "Focus thématique : "+th.Label()+" – "+f.place.title(),
			func(e diagnostic.Entry) bool { return e.Indicator.Theme == th })
	})
}

// SectorFocus renders one of the focus sectors across the territories of
// a région, by sex: for each indicator broken down by sector.
func (s *Service) SectorFocus(ctx context.Context, q FocusQuery, format string) (*Rendered, error) {
	f, err := s.selectFocus(q, territory.Region)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, sec := range indicator.FocusSectors() {
		codes = append(codes, sec.Code)
		if sec.Code == q.Sector {
			f.sector = sec.Code
		}
	}
	if f.sector == "" {
		return nil, badParam("sector", "un des dix secteurs du focus", codes...)
	}
	if _, err := CheckFormat(format); err != nil {
		return nil, err
	}
	name := "focus-secteur-" + slug(f.sector) + "-" + slug(f.place.Name)
	return s.render(ctx, f.key("secteur"), name, format, func() (*report.Document, error) {
		return s.territoriesDocument(ctx, f, "Focus secteur : "+indicator.SectorLabel(f.sector)+" – "+f.place.title(),
			func(e diagnostic.Entry) bool { return slices.Contains(e.Indicator.Sectors, f.sector) })
	})
}

// territoriesDocument has a page per indicator kept: its map over the
// région's territories and the table of them.
func (s *Service) territoriesDocument(ctx context.Context, f focus, title string, keep func(diagnostic.Entry) bool) (*report.Document, error) {
	c, err := s.diag.Catalogue(ctx)
	if err != nil {
		return nil, err
	}
	doc := &report.Document{Title: title, Subtitle: f.level.Plural() + " de la région " + f.place.Name, Date: s.now(),
		Keywords: []string{"santé au travail", "diagnostic régional", f.place.Name}}
	doc.Subject = title
	for _, e := range c.Entries {
		if !keep(e) || !e.Indicator.HasLevel(f.level) {
			continue
		}
		page, ok, err := s.territoriesPage(ctx, f, e)
		if err != nil {
			return nil, err
		}
		if ok {
			doc.Pages = append(doc.Pages, page)
			if e.Indicator.Demo {
				doc.Notice = demoNotice
			}
		}
	}
	if len(doc.Pages) == 0 {
		doc.Pages = append(doc.Pages, emptyPage(f.place))
	}
	return doc, nil
}

// demoNotice heads every page of a document with fictive figures.
const demoNotice = "Données de démonstration (fictives) : ces chiffres illustrent l'outil et ne décrivent aucun territoire réel."

func emptyPage(p place) report.Page {
	return report.Page{Title: "Aucune donnée",
		Sections: []report.Section{{Blocks: []report.Block{report.Text{Body: "Aucun indicateur sélectionné n'a de valeur pour " + p.title() + "."}}}}}
}

// territoriesPage is one indicator over the région's territories: the
// map, then every territory with its value, rank, women and men and its
// evolution, the région and France below.
func (s *Service) territoriesPage(ctx context.Context, f focus, e diagnostic.Entry) (report.Page, bool, error) {
	ind := e.Indicator
	within := "region:" + f.place.Code
	all, err := s.cellsOf(ctx, e, f.level, within)
	if err != nil {
		return report.Page{}, false, err
	}
	var periods []string
	seen := map[string]bool{}
	for code := range all.byCode {
		for _, p := range all.periodsOf(code) {
			if !seen[p] {
				seen[p] = true
				periods = append(periods, p)
			}
		}
	}
	slices.SortFunc(periods, indicator.ComparePeriods)
	period := pickPeriod(periods, f.period)
	if period == "" {
		return report.Page{}, false, nil
	}
	from := pickFrom(periods, nil, period)
	sector := indicator.SectorAll
	if f.sector != "" {
		sector = f.sector
	}
	m, err := s.mapOf(ctx, diagnostic.MapQuery{Query: diagnostic.Query{Indicator: e.ID(), Level: string(f.level), Period: period, Sector: sector, Within: within}})
	if err != nil {
		return report.Page{}, false, err
	}
	title := ind.Label
	if f.sector != "" {
		title += " – " + indicator.SectorLabel(f.sector)
	}
	page := report.Page{Title: title, Intro: ind.Definition}
	if ind.Demo {
		page.Notice = demoNotice
	}
	page.Sections = append(page.Sections, report.Section{Blocks: []report.Block{s.drawMap(m, ind.Decimals, mapTitle(m), "")}})
	label := func(code, period, sex string) string {
		v, ok := all.byCode[code][vkey(period, sex, sector)]
		if !ok {
			return "–"
		}
		l, _ := figure(v.Value, v.Status, ind.Decimals, "")
		return l
	}
	cols := []string{f.level.Label(), indicator.PeriodLabel(period) + " (" + ind.Unit + ")", "Rang", "Femmes", "Hommes"}
	if from != "" {
		cols = append(cols, "Évolution depuis "+indicator.PeriodLabel(from))
	}
	t := report.Table{Caption: ind.Label + " par " + f.level.Label(), Columns: cols, Source: m.Source}
	rows := slices.Clone(m.Territories)
	slices.SortStableFunc(rows, func(a, b diagnostic.MapTerritory) int {
		switch {
		case a.Value != nil && b.Value != nil && *a.Value != *b.Value:
			if *a.Value > *b.Value {
				return -1
			}
			return 1
		case (a.Value == nil) != (b.Value == nil):
			if a.Value != nil {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, mt := range rows {
		rank := ""
		if r, of, ok := rankIn(m, mt.Code); ok {
			rank = ordinal(r) + " / " + strconv.Itoa(of)
		}
		row := []string{mt.Name, label(mt.Code, period, string(indicator.SexEnsemble)), rank,
			label(mt.Code, period, string(indicator.SexFemmes)), label(mt.Code, period, string(indicator.SexHommes))}
		if from != "" {
			row = append(row, evolution(all.byCode[mt.Code], from, period, sector, ind))
		}
		t.Rows = append(t.Rows, row)
	}
	for _, ref := range m.References {
		if ref.Level == territory.Region && ref.Code != f.place.Code {
			continue
		}
		v := indicator.MissingLabel
		switch {
		case ref.Value != nil:
			v = indicator.FormatNumber(*ref.Value, ind.Decimals)
		case ref.Reason == indicator.SecretLabel:
			v = indicator.SecretLabel
		}
		row := []string{ref.Name, v, "", "", ""}
		if from != "" {
			row = append(row, "")
		}
		t.Rows = append(t.Rows, row)
	}
	page.Sections = append(page.Sections, report.Section{Blocks: []report.Block{t}})
	return page, true, nil
}

// evolution writes the change of one territory's value between two
// periods, or why there is none.
func evolution(byKey map[string]diagnostic.ValueItem, from, to, sector string, ind indicator.Indicator) string {
	a, okA := byKey[vkey(from, string(indicator.SexEnsemble), sector)]
	b, okB := byKey[vkey(to, string(indicator.SexEnsemble), sector)]
	switch {
	case !okA || !okB:
		return "–"
	case a.Value != nil && b.Value != nil:
		return signed(*b.Value-*a.Value, ind.Decimals, "")
	case a.Status == indicator.StatusSecret || b.Status == indicator.StatusSecret:
		return indicator.SecretLabel
	}
	return indicator.MissingLabel
}

// Portrait renders a territory (a zone d'emploi or a département) against
// its région and France: a page per theme with the table of its
// indicators and the map of the first.
func (s *Service) Portrait(ctx context.Context, q FocusQuery, format string) (*Rendered, error) {
	f, err := s.selectFocus(q, territory.Departement, territory.ZoneEmploi)
	if err != nil {
		return nil, err
	}
	if _, err := CheckFormat(format); err != nil {
		return nil, err
	}
	name := "portrait-" + slug(f.place.Name)
	return s.render(ctx, f.key("portrait"), name, format, func() (*report.Document, error) { return s.portraitDocument(ctx, f) })
}

func (s *Service) portraitDocument(ctx context.Context, f focus) (*report.Document, error) {
	p := f.place
	prof, err := s.diag.ProfileWith(ctx, string(p.Level), p.Code, "france")
	if err != nil {
		return nil, err
	}
	title := "Portrait de territoire : " + p.title()
	doc := &report.Document{Title: title, Subtitle: p.Level.Label() + " " + p.title() + ", comparé à la région " + p.RegionName + " et à la France",
		Subject: title, Date: s.now(), Keywords: []string{"santé au travail", "portrait de territoire", p.Name, p.RegionName}}
	byTheme := map[indicator.Theme][]diagnostic.ProfileEntry{}
	for _, pe := range prof.Indicators {
		byTheme[pe.Theme] = append(byTheme[pe.Theme], pe)
	}
	for _, th := range indicator.Themes() {
		entries := byTheme[th]
		if len(entries) == 0 {
			continue
		}
		regionName := p.RegionName
		if regionName == "" {
			regionName = "Région"
		}
		t := report.Table{Caption: th.Label() + " – " + p.title(), Columns: []string{"Indicateur", p.Name, regionName, "France", "Évolution", "Rang dans la région"}}
		var sources []string
		notice := ""
		for _, pe := range entries {
			v, _ := figure(pe.Value, pe.Status, pe.Decimals, "")
			row := []string{pe.Label + " (" + pe.Unit + ", " + indicator.PeriodLabel(pe.Period) + ")", v, refLabel(pe.Region, pe.Decimals), refLabel(pe.Reference, pe.Decimals)}
			ch := "–"
			if pe.Change != nil {
				if pe.Change.Value != nil {
					ch = signed(*pe.Change.Value, pe.Decimals, "") + " depuis " + indicator.PeriodLabel(pe.Change.From)
				} else if pe.Change.Status == indicator.StatusSecret {
					ch = indicator.SecretLabel
				}
			}
			rank := "–"
			if pe.Rank != nil {
				rank = ordinal(pe.Rank.Rank) + " / " + strconv.Itoa(pe.Rank.Of)
			}
			t.Rows = append(t.Rows, append(row, ch, rank))
			if !slices.Contains(sources, pe.Source) {
				sources = append(sources, pe.Source)
			}
			if pe.Notice != "" {
				doc.Notice, notice = demoNotice, demoNotice
			}
		}
		t.Source = strings.Join(sources, " ; ")
		page := report.Page{Title: th.Label(), Notice: notice, Sections: []report.Section{{Blocks: []report.Block{t}}}}
		first := entries[0]
		if p.Region != "" {
			m, err := s.mapOf(ctx, diagnostic.MapQuery{Query: diagnostic.Query{Indicator: first.Indicator, Level: string(p.Level), Period: first.Period, Within: "region:" + p.Region}})
			if err != nil {
				return nil, err
			}
			page.Sections = append(page.Sections, report.Section{Title: "Dans la région", Blocks: []report.Block{s.drawMap(m, first.Decimals, mapTitle(m), p.Code)}})
		}
		doc.Pages = append(doc.Pages, page)
	}
	if len(doc.Pages) == 0 {
		doc.Pages = append(doc.Pages, emptyPage(p))
	}
	return doc, nil
}

// refLabel writes a reference's value (no unit: the row names it), or
// why there is none.
func refLabel(r *indicator.Reference, decimals int) string {
	switch {
	case r == nil:
		return "–"
	case r.Value != nil:
		return indicator.FormatNumber(*r.Value, decimals)
	case r.Status == indicator.StatusSecret || r.Reason == indicator.SecretLabel:
		return indicator.SecretLabel
	}
	return "–"
}
