package diagnostic_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

// memoryDiag is a read side over a fixed catalogue (a rate by sex and
// sector, a count for everyone) and the Occitanie départements in memory:
// enough to check how requests are parsed, without a database.
func memoryDiag(t testing.TB) *diagnostic.Service {
	t.Helper()
	ctx := context.Background()
	none := func(context.Context, territory.Level, func(store.LoadedGeometry) error) error { return nil }
	var layers []*tiles.Layer
	for _, d := range []store.LevelData{
		{Level: territory.Region, DatasetID: 1, Territories: []territory.Territory{{Level: territory.Region, Code: "76", Name: "Occitanie"}}},
		{Level: territory.Departement, DatasetID: 2, Territories: []territory.Territory{
			{Level: territory.Departement, Code: "09", Name: "Ariège", Region: "76"},
			{Level: territory.Departement, Code: "31", Name: "Haute-Garonne", Region: "76"},
			{Level: territory.Departement, Code: "2A", Name: "Corse-du-Sud", Region: "94"}}},
	} {
		l, err := tiles.NewLayer(ctx, d, none, 0, 11)
		if err != nil {
			t.Fatal(err)
		}
		layers = append(layers, l)
	}
	rate := indicator.Indicator{ID: "taux-at", Label: "Taux", Theme: "accidents", Vintages: []string{"2022", "2023-T1"},
		Levels:  []territory.Level{territory.Departement, territory.Region},
		Sexes:   []indicator.Sex{indicator.SexEnsemble, indicator.SexFemmes, indicator.SexHommes},
		Sectors: []string{indicator.SectorAll, "C"}, Aggregation: indicator.AggregateRatio, Scale: 1000}
	count := indicator.Indicator{ID: "effectifs", Label: "Effectifs", Theme: "population", Vintages: []string{"2023"},
		Levels: []territory.Level{territory.Departement}, Sexes: []indicator.Sex{indicator.SexEnsemble},
		Sectors: []string{indicator.SectorAll}, Aggregation: indicator.AggregateSum}
	return diagnostic.New(diagnostic.Config{Tiles: tiles.NewMemoryService(nil, layers...),
		Catalogue: diagnostic.NewCatalogue("1", []indicator.Indicator{rate, count})})
}

// checkParamErr fails unless err is a *ParamError naming one of params
// with a reason, or a *NotFoundError; it reports whether err was nil.
func checkParamErr(t *testing.T, err error, params ...string) bool {
	t.Helper()
	if err == nil {
		return true
	}
	var pe *diagnostic.ParamError
	var nf *diagnostic.NotFoundError
	switch {
	case errors.As(err, &pe):
		if !slices.Contains(params, pe.Name) || pe.Reason == "" {
			t.Fatalf("%v: parameter %q is not one of the request's %v", err, pe.Name, params)
		}
	case errors.As(err, &nf):
	default:
		t.Fatalf("%v (%T): want a *ParamError or a *NotFoundError", err, err)
	}
	return false
}

var mapParams = []string{"level", "period", "sex", "sector", "within", "method", "classes", "palette", "breaks"}

// FuzzSelectMap: a choropleth's query parameters give either a problem
// naming one of them (400) or an unknown indicator (404), or a selection
// whose every field is the indicator's and whose canonical spelling selects
// the same map (same Key) again.
func FuzzSelectMap(f *testing.F) {
	for _, s := range [][10]string{
		{"taux-at", "", "", "", "", "", "", "", "", ""},
		{"taux-at", "departements", "2023-T1", "F", "c", "region:76", "quantile", "5", "viridis", ""},
		{"taux-at", "region", "T1_2023", "hommes", "C", "", "manual", "3", "", "1.5, 2"},
		{"taux-at", "commune", "2023-T9", "x", "Z", "region:", "jenks", "99", "nope", "a,b"},
		{"effectifs", "", "2023", "", "", "departement:9", "MANUAL", "2", "", "1e308,-1"},
		{"inconnu", "", "", "", "", "zone-emploi:0", "", "", "", ""},
		{"taux-at", "", "", "", "", "region:76:1", "equal", "-1", "", ",,"},
		{"effectifs", "Departement", "", "", "", "departement:2a", "", "", "", "NaN"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9])
	}
	diag := memoryDiag(f)
	f.Fuzz(func(t *testing.T, ind, level, period, sex, sector, within, method, classes, palette, breaks string) {
		ctx := context.Background()
		q := diagnostic.MapQuery{Query: diagnostic.Query{Indicator: ind, Level: level, Period: period, Sex: sex, Sector: sector, Within: within},
			Method: method, Classes: classes, Palette: palette, Breaks: breaks}
		ms, err := diag.SelectMap(ctx, q)
		if !checkParamErr(t, err, mapParams...) {
			return
		}
		checkSelection(t, ms.Selection)
		if err := ms.Options.Check(); err != nil {
			t.Fatalf("SelectMap(%+v) accepted options %+v: %v", q, ms.Options, err)
		}
		again, err := diag.SelectMap(ctx, canonical(ms))
		if err != nil || again.Key() != ms.Key() {
			t.Fatalf("canonical %+v: %v, key %q, want %q", canonical(ms), err, again.Key(), ms.Key())
		}
	})
}

// checkSelection fails unless every field of s is one the indicator has.
func checkSelection(t *testing.T, s diagnostic.Selection) {
	t.Helper()
	ind := s.Entry.Indicator
	if !ind.HasLevel(s.Level) || !indicator.Sex(s.Sex).Valid() ||
		(s.Sector != indicator.SectorAll && !slices.Contains(ind.Sectors, s.Sector)) {
		t.Fatalf("selection %+v outside indicator %s", s, ind.ID)
	}
	if s.Period != "" {
		if p, err := indicator.ParsePeriod(s.Period); err != nil || p.String() != s.Period {
			t.Fatalf("selection period %q is not canonical: %v", s.Period, err)
		}
	}
	if w := s.Within; w != nil && (w.Level == territory.Commune || territory.ValidateCode(w.Level, w.Code) != nil) {
		t.Fatalf("selection within %+v at level %s", *w, s.Level)
	}
}

// canonical writes a selection back as the query of its own map.
func canonical(ms diagnostic.MapSelection) diagnostic.MapQuery {
	s, o := ms.Selection, ms.Options
	q := diagnostic.MapQuery{Query: diagnostic.Query{Indicator: s.Entry.ID(), Level: string(s.Level), Period: s.Period, Sex: s.Sex, Sector: s.Sector},
		Method: string(o.Method), Classes: strconv.Itoa(o.Classes), Palette: o.Palette}
	if s.Within != nil {
		q.Within = string(s.Within.Level) + ":" + s.Within.Code
	}
	breaks := make([]string, len(o.Manual))
	for i, b := range o.Manual {
		breaks[i] = strconv.FormatFloat(b, 'g', -1, 64)
	}
	q.Breaks = strings.Join(breaks, ",")
	return q
}

// FuzzSelectAnalysis: the analysis routes' parameters (evolution: from,
// to, change; sex gap: gap; crossing: with, with-period, with-sector) give
// a problem naming one of the route's parameters, or a selection of the
// indicators' own fields.
func FuzzSelectAnalysis(f *testing.F) {
	for _, s := range []struct {
		mode                              uint8
		ind, level, period, a, b, c, with string
	}{
		{0, "taux-at", "", "", "2022", "2023-T1", "relative", ""},
		{0, "taux-at", "region", "", "T1_2023", "2022", "ABSOLUTE ", ""},
		{0, "effectifs", "", "", "2023-T5", "", "log", ""},
		{1, "taux-at", "", "2022", "difference", "", "", ""},
		{1, "effectifs", "", "", "ratio", "", "", ""},
		{1, "taux-at", "departement", "", "sum", "", "", ""},
		{2, "taux-at", "departement", "2022", "2023", "C", "", "effectifs"},
		{2, "taux-at", "region", "", "", "", "", "effectifs"},
		{2, "effectifs", "", "", "x", "ensemble", "", "taux-at"},
		{2, "taux-at", "", "", "", "", "", ""},
	} {
		f.Add(s.mode, s.ind, s.level, s.period, s.a, s.b, s.c, s.with)
	}
	diag := memoryDiag(f)
	f.Fuzz(func(t *testing.T, mode uint8, ind, level, period, a, b, c, with string) {
		ctx := context.Background()
		mq := diagnostic.MapQuery{Query: diagnostic.Query{Indicator: ind, Level: level, Period: period}}
		switch mode % 3 {
		case 0:
			es, err := diag.SelectEvolution(ctx, diagnostic.EvolutionQuery{MapQuery: mq, From: a, To: b, Change: c})
			if checkParamErr(t, err, append(mapParams, "from", "to", "change")...) {
				checkSelection(t, es.Selection)
				for _, p := range []string{es.From, es.To} {
					if x, err := indicator.ParsePeriod(p); p != "" && (err != nil || x.String() != p) {
						t.Fatalf("evolution period %q: %v", p, err)
					}
				}
			}
		case 1:
			g, err := diag.SelectSexGap(ctx, diagnostic.SexGapQuery{MapQuery: mq, Gap: a})
			if checkParamErr(t, err, append(mapParams, "gap")...) {
				checkSelection(t, g.Selection)
				if g.Gap != indicator.GapRatio && g.Gap != indicator.GapDifference {
					t.Fatalf("gap %q", g.Gap)
				}
			}
		case 2:
			cs, err := diag.SelectCross(ctx, diagnostic.CrossQuery{Query: mq.Query, With: with, WithPeriod: a, WithSector: b})
			if checkParamErr(t, err, append(mapParams, "with", "with-period", "with-sector")...) {
				checkSelection(t, cs.A)
				checkSelection(t, cs.B)
				if cs.A.Level != cs.B.Level || cs.A.Sex != cs.B.Sex {
					t.Fatalf("crossing %s/%s at different levels or sexes: %+v", ind, with, cs)
				}
			}
		}
	})
}
