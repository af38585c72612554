package document

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// FuzzDocumentQuery: the documents' query (territory, period, from, sex,
// themes, sections, indicators, level, format) is either a problem naming
// one of those parameters, or a place of the levels the document takes,
// known to the registry, with the indicators of its level.
func FuzzDocumentQuery(f *testing.F) {
	for _, s := range [][9]string{
		{"region:76", "2023", "2019", "femmes", "accidents,population", "chiffres,cartes", "taux-at", "", "pdf"},
		{"departement:31", "", "", "", "", "", "", "zone-emploi", "HTML"},
		{"Departements:9", "2023-T9", "", "x", "inconnu", "rien", "absent", "commune", "docx"},
		{"region:94", "", "T1_2022", "", "", "", "taux-at,taux-at", "departement", ""},
		{"zone-emploi:7601", "", "", "", "", "", "", "", ""}, {"", "", "", "", "", "", "", "", ""},
		{"commune:31555", "", "", "", ",,", " , ", ",", "", ""}, {"region:", "", "", "", "", "", "", "", ""},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8])
	}
	none := func(context.Context, territory.Level, func(store.LoadedGeometry) error) error { return nil }
	var layers []*tiles.Layer
	for _, d := range []store.LevelData{
		{Level: territory.Region, DatasetID: 1, Territories: []territory.Territory{{Level: territory.Region, Code: "76", Name: "Occitanie"}}},
		{Level: territory.Departement, DatasetID: 2, Territories: []territory.Territory{{Level: territory.Departement, Code: "09", Name: "Ariège", Region: "76"}}},
	} {
		l, err := tiles.NewLayer(context.Background(), d, none, 0, 11)
		if err != nil {
			f.Fatal(err)
		}
		layers = append(layers, l)
	}
	ts := tiles.NewMemoryService(nil, layers...)
	inds := []indicator.Indicator{{ID: "taux-at", Theme: indicator.Theme("accidents"), Levels: []territory.Level{territory.Region, territory.Departement},
		Sexes: []indicator.Sex{indicator.SexEnsemble, indicator.SexFemmes}, Sectors: []string{indicator.SectorAll}}}
	s := New(diagnostic.New(diagnostic.Config{Tiles: ts, Catalogue: diagnostic.NewCatalogue("1", inds)}), ts, nil)
	params := []string{"territory", "period", "from", "sex", "themes", "sections", "indicators", "level", "format"}
	f.Fuzz(func(t *testing.T, where, period, from, sex, themes, sections, ids, level, format string) {
		ok := func(err error) bool {
			t.Helper()
			if err == nil {
				return true
			}
			var pe *ParamError
			if !errors.As(err, &pe) || !slices.Contains(params, pe.Name) || pe.Reason == "" {
				t.Fatalf("%v (%T): want a *ParamError naming one of %v", err, err, params)
			}
			return false
		}
		if fm, err := CheckFormat(format); ok(err) && fm != FormatHTML && fm != FormatPDF {
			t.Fatalf("format %q read as %q", format, fm)
		}
		known := func(p place) {
			t.Helper()
			if _, found := ts.Territories().Get(p.Level, p.Code); !found && !ts.Territories().Known(p.Level, p.Code) {
				t.Fatalf("%q: place %+v unknown", where, p)
			}
		}
		k, err := s.selectKeyFigures(context.Background(), KeyFiguresQuery{Territory: where, Period: period, From: from, Sex: sex,
			Themes: themes, Sections: sections, Indicators: ids})
		if ok(err) {
			known(k.place)
			for _, e := range k.entries {
				if !e.Indicator.HasLevel(k.place.Level) {
					t.Fatalf("%q: indicator %s not at level %s", where, e.ID(), k.place.Level)
				}
			}
		}
		fc, err := s.selectFocus(FocusQuery{Territory: where, Level: level, Period: period}, territory.Region)
		if ok(err) {
			known(fc.place)
			if fc.place.Level != territory.Region || (fc.level != territory.Departement && fc.level != territory.ZoneEmploi) {
				t.Fatalf("%q, level %q: focus %+v", where, level, fc)
			}
		}
	})
}
