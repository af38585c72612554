package demodata

import (
	"context"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// TestDemoIndicatorsImport runs every recipe through the real importer, as
// `atlas import demo` does, and checks that the secret statistique acts on
// the fictive data and never on the published INSEE figures.
func TestDemoIndicatorsImport(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	for _, o := range []importer.TerritoryOptions{
		{Level: territory.France, Files: []string{datasettest.File(t, "regions/regions-avec-outre-mer.geojson")}, Dissolve: &importer.Dissolve{Code: "FR", Name: "France"}},
		{Level: territory.Region, Files: []string{datasettest.File(t, "regions/regions-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom"},
		{Level: territory.Departement, Files: []string{datasettest.File(t, "departements/departements-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom",
			ParentTable: datasettest.File(t, "stats/donnees_departements.csv"), ParentKey: "DEP", ParentColumns: map[territory.Level]string{territory.Region: "REG"}},
		{Level: territory.ZoneEmploi, Files: []string{datasettest.File(t, "zones-emploi/ze2020_2022.shp")}, CodeField: "ze2020", NameField: "libze2020"},
		// One département's communes keep the test short.
		{Level: territory.Commune, Files: []string{datasettest.File(t, "communes/occitanie/communes-09-ariege.geojson")}, CodeField: "code", NameField: "nom"},
	} {
		if _, err := importer.ImportTerritories(ctx, st, o); err != nil {
			t.Fatal(err)
		}
	}
	recipes, err := Recipes()
	if err != nil {
		t.Fatal(err)
	}
	source := map[string]string{}
	for _, r := range recipes {
		for _, p := range r.Sources() {
			source[p] = datasettest.File(t, p)
		}
	}
	var sets []*territory.Set
	for _, l := range []territory.Level{territory.Departement, territory.Commune} {
		d, _, err := st.LoadLevel(ctx, l)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, territory.NewSet(l, d.Territories))
	}
	known := territory.NewRegistry(sets...)
	dir := t.TempDir()
	for _, r := range recipes {
		opt, err := r.Prepare(dir, source, known)
		if err != nil {
			t.Fatal(err)
		}
		res, err := importer.ImportIndicator(ctx, st, opt)
		if err != nil {
			t.Fatalf("%s: %v", r.Indicator, err)
		}
		vals, err := st.IndicatorValues(ctx, store.ValueQuery{Indicator: r.Indicator})
		if err != nil || len(vals) != res.Rows || res.Rows == 0 {
			t.Fatalf("%s: %d rows stored, %d read, %v", r.Indicator, res.Rows, len(vals), err)
		}
		secret := 0
		for _, v := range vals {
			if v.Status == "secret" {
				secret++
			}
		}
		demo := strings.HasPrefix(r.Indicator, "demo-")
		if demo != (secret > 0) {
			t.Errorf("%s: %d secret values (demo data must show the secret acting, INSEE figures have no threshold)", r.Indicator, secret)
		}
		t.Logf("%s: %d values, %d secret", r.Indicator, len(vals), secret)
		if r.Indicator == "at-secteur-france" {
			// The published national total: 549 614 AT for 20 799 568 salariés.
			for _, v := range vals {
				if v.Sector == "ensemble" && (*v.Numerator != 549614 || *v.Denominator != 20799568 || v.Status != "published") {
					t.Errorf("national total %+v", v)
				}
			}
		}
	}
	cat, err := st.Indicators(ctx)
	if err != nil || len(cat) != len(recipes) {
		t.Fatalf("catalogue has %d entries, want %d (%v)", len(cat), len(recipes), err)
	}
}
