package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/demodata"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
	"github.com/atlas-sante-travail/atlas/internal/tilebench"
)

// importChoroplethDemo imports what `atlas bench choropleth` asks for, the
// communes reduced to one département of Occitanie: the zones d'emploi with
// chomage-ze and population-ze (the bivariate map's second indicator), and the communes of the Ariège (with their parents, for
// within=region:76) with population-commune.
func importChoroplethDemo(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	st, err := store.Open(ctx, url, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mirror := datasettest.Mirror(t)
	for _, o := range []importer.TerritoryOptions{
		{Level: territory.ZoneEmploi, Files: []string{filepath.Join(mirror, "zones-emploi", "ze2020_2022.shp")}, CodeField: "ze2020", NameField: "libze2020"},
		{Level: territory.Commune, Files: []string{filepath.Join(mirror, "communes", "occitanie", "communes-09-ariege.geojson")}, CodeField: "code", NameField: "nom",
			ParentTable: filepath.Join(mirror, "tables", "table-appartenance-geo-communes-22.csv"), ParentSkip: 5, ParentEncoding: "windows-1252",
			ParentKey: "CODGEO", ParentColumns: map[territory.Level]string{territory.Region: "REG", territory.Departement: "DEP", territory.ZoneEmploi: "ZE2020"}},
	} {
		if _, err := importer.ImportTerritories(ctx, st, o); err != nil {
			t.Fatal(err)
		}
	}
	d, _, err := st.LoadLevel(ctx, territory.Commune)
	if err != nil {
		t.Fatal(err)
	}
	known := territory.NewRegistry(territory.NewSet(territory.Commune, d.Territories))
	recipes, err := demodata.Recipes()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	imported := 0
	for _, r := range recipes {
		if !slices.Contains(benchIndicators, r.Indicator) {
			continue
		}
		source := map[string]string{}
		for _, p := range r.Sources() {
			source[p] = filepath.Join(mirror, p)
		}
		opt, err := r.Prepare(dir, source, known)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := importer.ImportIndicator(ctx, st, opt); err != nil {
			t.Fatalf("%s: %v", r.Indicator, err)
		}
		imported++
	}
	if imported != len(benchIndicators) {
		t.Fatalf("%d of the %d indicators found in the recipes", imported, len(benchIndicators))
	}
}

// benchIndicators are those the choropleth scenarios ask for; the AT
// frequency is drawn for Ariège's communes, and its zones d'emploi inside
// Ariège are computed from them.
var benchIndicators = []string{"chomage-ze", "population-ze", "population-commune", "demo-at-frequence"}

// TestBenchChoropleth runs the whole choropleth benchmark, briefly, on a
// fresh database: a real atlas server process. Timings are not asserted,
// only that every response was measured and every conditional request
// answered 304.
func TestBenchChoropleth(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs a server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := buildAtlas(t, ctx, dir)
	t.Setenv("ATLAS_LOG_LEVEL", "warn")
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	t.Run("without the demo", func(t *testing.T) {
		url, _ := storetest.NewURL(t)
		t.Setenv("DATABASE_URL", url)
		var out strings.Builder
		err := benchChoropleth(ctx, log, []string{"--atlas", bin, "--duration", "1s"}, &out)
		if !errors.Is(err, tilebench.ErrDemoMissing) || !strings.Contains(err.Error(), "atlas import demo") || !strings.Contains(err.Error(), "chomage-ze") {
			t.Errorf("error %v, want one saying to run atlas import demo", err)
		}
		if out.Len() != 0 {
			t.Errorf("a table was printed:\n%s", out.String())
		}
	})

	url, _ := storetest.NewURL(t)
	importChoroplethDemo(t, ctx, url)
	t.Setenv("DATABASE_URL", url)
	jsonPath := filepath.Join(dir, "bench.json")
	var out strings.Builder
	if err := benchChoropleth(ctx, log, []string{"--atlas", bin, "--duration", "1s", "--json", jsonPath}, &out); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())

	rep := readReport[tilebench.ChoroplethReport](t, jsonPath)
	if len(rep.Scenarios) != len(tilebench.ChoroplethScenarios()) || rep.Concurrency != 16 || rep.WarmDuration != 1 {
		t.Fatalf("%d scenarios, concurrency %d, duration %g", len(rep.Scenarios), rep.Concurrency, rep.WarmDuration)
	}
	for i, f := range rep.Scenarios {
		name := f.Scenario.Name
		if want := len(tilebench.ChoroplethScenarios()[i].Params); f.URLs != want || len(f.Responses) != want {
			t.Errorf("%s: %d URLs, %d responses; want %d", name, f.URLs, len(f.Responses), want)
		}
		for _, r := range f.Responses {
			if r.Error != "" || r.Territories == 0 || r.Bytes == 0 || r.GzipBytes == 0 || r.GzipBytes >= r.Bytes || r.ETag == "" || r.Period == "" {
				t.Errorf("%s: response %+v", name, r)
			}
		}
		if f.ColdErrors != 0 || f.Warm.Errors != 0 || f.Conditional.Errors != 0 {
			t.Errorf("%s: failed requests %d/%d/%d: %s", name, f.ColdErrors, f.Warm.Errors, f.Conditional.Errors, f.FirstError)
		}
		if f.Warm.Requests == 0 || f.Warm.Statuses[200] != f.Warm.Requests {
			t.Errorf("%s: warm %d requests, statuses %v", name, f.Warm.Requests, f.Warm.Statuses)
		}
		if f.Conditional.Requests == 0 || f.NotModified != f.Conditional.Requests || f.Conditional.Statuses[304] != f.Conditional.Requests {
			t.Errorf("%s: conditional %d requests, %d answered 304 (%v)", name, f.Conditional.Requests, f.NotModified, f.Conditional.Statuses)
		}
	}
	// Every zone d'emploi of the file (Guyane and Mayotte have no value);
	// the Ariège's communes only, its département being in région 76.
	if z := rep.Scenarios[0]; z.TerritoriesMin < 280 || z.TerritoriesMax > 310 {
		t.Errorf("zones d'emploi: %d–%d territories per response", z.TerritoriesMin, z.TerritoriesMax)
	}
	if c := rep.Scenarios[1]; c.TerritoriesMin < 300 || c.TerritoriesMax > 400 {
		t.Errorf("communes of the Ariège: %d–%d territories per response", c.TerritoriesMin, c.TerritoriesMax)
	}
	// The evolution and the bivariate map of unemployment cover every zone
	// d'emploi too; those of the AT frequency the zones d'emploi that lie
	// wholly in the Ariège (the others lack communes, so are missing).
	for _, z := range rep.Scenarios[2:] {
		lo, hi := 280, 310
		if z.Scenario.Indicator == "demo-at-frequence" {
			lo, hi = 1, 10
		}
		if z.TerritoriesMin < lo || z.TerritoriesMax > hi {
			t.Errorf("%s: %d–%d territories per response", z.Scenario.Name, z.TerritoriesMin, z.TerritoriesMax)
		}
	}
	if want := 2 * len(rep.Scenarios); len(rep.Targets) != want {
		t.Errorf("%d targets, want %d", len(rep.Targets), want)
	}
	for _, tg := range rep.Targets {
		if strings.HasPrefix(tg.Name, "304 answers") && !tg.Pass {
			t.Errorf("target %s failed: %s", tg.Name, tg.Summary())
		}
	}
	for _, want := range []string{"warm p99", "conditional answers 304", "bytes / response, gzip", "territories / response", "targets: ", "2020-T2 jenks 7", "2020-T2→2023-T3 jenks 7", "bivariée, zones d'emploi"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q", want)
		}
	}
}
