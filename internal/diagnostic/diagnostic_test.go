package diagnostic_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/blob"
	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/diagnostic"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tiles"
)

func fp(x float64) *float64 { return &x }

type fixture struct {
	st   *store.Store
	svc  *tiles.Service
	diag *diagnostic.Service
}

// setup imports the régions and départements and one indicator by
// département: Ariège (09) secret, Lozère (48) missing, every other
// département of Occitanie a rate 2, 3, ... % in 2022 and 1 % in 2021.
func setup(t *testing.T) fixture {
	t.Helper()
	st := storetest.New(t)
	ctx := context.Background()
	for _, o := range []importer.TerritoryOptions{
		{Level: territory.Region, Files: []string{datasettest.File(t, "regions/regions-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom"},
		{Level: territory.Departement, Files: []string{datasettest.File(t, "departements/departements-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom",
			ParentTable: datasettest.File(t, "derived/ze2020_composition_communale_geo2023.csv"), ParentKey: "DEP", ParentColumns: map[territory.Level]string{territory.Region: "REG"}},
	} {
		if _, err := importer.ImportTerritories(ctx, st, o); err != nil {
			t.Fatal(err)
		}
	}
	svc := tiles.NewService(st, blob.NewLRU(16<<20), tiles.Options{PrewarmMaxZoom: -1})
	if err := svc.LoadAll(ctx); err != nil {
		t.Fatal(err)
	}
	importRates(t, st, "taux-a", "sha-a")
	return fixture{st: st, svc: svc, diag: diagnostic.New(diagnostic.Config{Store: st, Tiles: svc, Cache: blob.NewLRU(16 << 20)})}
}

func importRates(t *testing.T, st *store.Store, id, sha string) {
	t.Helper()
	ind := indicator.Indicator{ID: id, Label: "Taux " + id, Theme: indicator.ThemeSinistralite, Definition: "test", Unit: "%",
		Producer: "Carsat (test)", Source: "test", Licence: "Licence Ouverte 2.0", Vintages: []string{"2021", "2022"},
		Levels: []territory.Level{territory.Departement, territory.Region}, Sexes: []indicator.Sex{indicator.SexEnsemble},
		Sectors: []string{indicator.SectorAll}, Decimals: 1, Polarity: indicator.HigherIsWorse, Aggregation: indicator.AggregateRatio,
		Threshold: 5, ThresholdOn: indicator.ThresholdOnNumerator, Scale: 100}
	row := func(code, period string, v float64, status string) store.IndicatorValueRow {
		return store.IndicatorValueRow{Level: territory.Departement, Code: code, Period: period, Sex: "ensemble", Sector: "ensemble",
			Value: fp(v), Numerator: fp(v * 10), Denominator: fp(1000), Status: status}
	}
	rows := []store.IndicatorValueRow{
		row("09", "2022", 77.7, "secret"),
		{Level: territory.Departement, Code: "48", Period: "2022", Sex: "ensemble", Sector: "ensemble", Status: "missing"},
		{Level: territory.Region, Code: "76", Period: "2022", Sex: "ensemble", Sector: "ensemble", Value: fp(6), Numerator: fp(60), Denominator: fp(1000), Status: "published"},
	}
	for i, c := range []string{"11", "12", "30", "31", "32", "34", "46", "65", "66", "81", "82"} {
		rows = append(rows, row(c, "2022", float64(2+i), "published"), row(c, "2021", 1, "published"))
	}
	meta, _ := json.Marshal(ind)
	if _, err := st.ReplaceIndicator(context.Background(), store.IndicatorImport{ID: id, Theme: string(ind.Theme), Meta: meta,
		Files: []string{id + ".csv"}, SHA256: sha, Rows: rows}); err != nil {
		t.Fatal(err)
	}
}

// Every spelling of one request is one selection; an import makes it
// another.
func testSelectionKey(t *testing.T, f fixture) {
	ctx := context.Background()
	key := func(q diagnostic.MapQuery) string {
		t.Helper()
		ms, err := f.diag.SelectMap(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return ms.Key()
	}
	base := key(diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a"}})
	for _, q := range []diagnostic.MapQuery{
		{Query: diagnostic.Query{Indicator: "taux-a", Level: "departement", Sex: "ensemble", Sector: "ensemble"}},
		{Query: diagnostic.Query{Indicator: "taux-a", Level: "departements", Sex: "ENSEMBLE"}},
		{Query: diagnostic.Query{Indicator: "taux-a"}, Method: "Quantiles", Classes: "5", Palette: "YlOrRd"},
	} {
		if k := key(q); k != base {
			t.Errorf("%+v: key %q, want %q", q, k, base)
		}
	}
	for _, q := range []diagnostic.MapQuery{
		{Query: diagnostic.Query{Indicator: "taux-a", Period: "2021"}},
		{Query: diagnostic.Query{Indicator: "taux-a", Within: "region:76"}},
		{Query: diagnostic.Query{Indicator: "taux-a"}, Method: "jenks"},
		{Query: diagnostic.Query{Indicator: "taux-a", Level: "region"}},
	} {
		if key(q) == base {
			t.Errorf("%+v shares the key of the default map", q)
		}
	}
	importRates(t, f.st, "taux-a", "sha-a2")
	if key(diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a"}}) == base {
		t.Error("a re-import kept the key")
	}
}

func testParamErrors(t *testing.T, f fixture) {
	ctx := context.Background()
	for _, c := range []struct {
		q       diagnostic.MapQuery
		param   string
		unknown bool
	}{
		{diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a", Level: "commune"}}, "level", false},
		{diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a", Period: "hier"}}, "period", false},
		{diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a", Sex: "tous"}}, "sex", false},
		{diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a", Sector: "F"}}, "sector", false},
		{diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a", Within: "region"}}, "within", false},
		{diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a", Within: "region:99"}}, "within", true},
		{diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a"}, Method: "hasard"}, "method", false},
		{diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a"}, Classes: "12"}, "classes", false},
		{diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a"}, Palette: "arc-en-ciel"}, "palette", false},
		{diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a"}, Breaks: "1,2"}, "breaks", false},
		{diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a"}, Method: "manual", Classes: "3", Breaks: "2,1"}, "breaks", false},
	} {
		_, err := f.diag.SelectMap(ctx, c.q)
		var pe *diagnostic.ParamError
		if !errors.As(err, &pe) || pe.Name != c.param || pe.Unknown != c.unknown || pe.Reason == "" {
			t.Errorf("%+v: %v, want a ParamError about %s (unknown %v)", c.q, err, c.param, c.unknown)
		}
	}
	var nf *diagnostic.NotFoundError
	if _, err := f.diag.SelectMap(ctx, diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "rien"}}); !errors.As(err, &nf) {
		t.Errorf("unknown indicator: %v", err)
	}
	if _, err := f.diag.Territory(ctx, "departement", "975"); !errors.As(err, &nf) {
		t.Errorf("unknown département: %v", err)
	}
}

// The map's figures are Gate's: nothing of the secret département, and the
// territories of the within région only.
func testMapWithin(t *testing.T, f fixture) {
	ctx := context.Background()
	ms, err := f.diag.SelectMap(ctx, diagnostic.MapQuery{Query: diagnostic.Query{Indicator: "taux-a", Within: "region:76"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.diag.Map(ctx, ms)
	if err != nil {
		t.Fatal(err)
	}
	if m.Period != "2022" || len(m.Territories) != 13 || m.Within == nil || m.Within.Name != "Occitanie" {
		t.Fatalf("period %s, %d territories, within %+v", m.Period, len(m.Territories), m.Within)
	}
	for _, tr := range m.Territories {
		if tr.Code == "09" && (tr.Value != nil || tr.Status != indicator.StatusSecret) {
			t.Errorf("Ariège: %+v", tr)
		}
	}
	again, _ := f.diag.Map(ctx, ms)
	if again != m {
		t.Error("the same map was computed twice")
	}
}

// The profile's three batched queries give each indicator its series, its
// latest value, its rank in the région and the région's value.
func testProfile(t *testing.T, f fixture) {
	p, err := f.diag.Profile(context.Background(), "departement", "31")
	if err != nil {
		t.Fatal(err)
	}
	if p.Territory.Name != "Haute-Garonne" || len(p.Indicators) != 2 {
		t.Fatalf("%+v", p)
	}
	for _, e := range p.Indicators {
		periods := []string{}
		for _, s := range e.Series {
			periods = append(periods, s.Period)
		}
		if !slices.Equal(periods, []string{"2021", "2022"}) || e.Period != "2022" || *e.Value != 5 {
			t.Errorf("%s: series %v, latest %s %v", e.Indicator, periods, e.Period, e.Value)
		}
		// 11 publishable départements in Occitanie (09 secret, 48 missing);
		// 31 is the fourth lowest of 2..12, the eighth highest.
		if e.Rank == nil || e.Rank.Rank != 8 || e.Rank.Of != 11 || e.Rank.Among != "région 76" {
			t.Errorf("%s: rank %+v", e.Indicator, e.Rank)
		}
		if e.Region == nil || e.Region.Code != "76" || *e.Region.Value != 6 || e.Region.Name != "Occitanie" {
			t.Errorf("%s: région %+v", e.Indicator, e.Region)
		}
	}
	secret, err := f.diag.Profile(context.Background(), "departement", "09")
	if err != nil {
		t.Fatal(err)
	}
	if e := secret.Indicators[0]; e.Value != nil || e.Rank != nil || e.Status != indicator.StatusSecret {
		t.Errorf("Ariège: %+v", e)
	}
}

// TestDiagnostic shares one database between its parts, in an order where
// each import happens after the parts that read the data before it.
func TestDiagnostic(t *testing.T) {
	f := setup(t)
	t.Run("param errors", func(t *testing.T) { testParamErrors(t, f) })
	t.Run("map within", func(t *testing.T) { testMapWithin(t, f) })
	importRates(t, f.st, "taux-b", "sha-b")
	t.Run("profile", func(t *testing.T) { testProfile(t, f) })
	t.Run("selection key", func(t *testing.T) { testSelectionKey(t, f) })
}
