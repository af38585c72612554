package indicator_test

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/atlas-sante-travail/atlas/geodata"
	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/demodata"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// TestSecretAlongBothHierarchies draws the fictive AT frequency commune by
// commune, as the demo import does, for all the communes of Occitanie and
// Auvergne-Rhône-Alpes (INSEE composition of the zones d'emploi, geography
// 2023; salariés sized by demodata.CommuneEmployees), for the two last
// years, aggregates them both to zones d'emploi and to départements (zones
// d'emploi cross département borders), applies the secret statistique
// with the two overlapping hierarchies at once, and has the independent
// checker prove that no secret cell can be recomputed by subtracting
// published children from a published parent, in either hierarchy or
// across both.
func TestSecretAlongBothHierarchies(t *testing.T) {
	if testing.Short() {
		t.Skip("draws and checks hundreds of thousands of cells")
	}
	ze, dep, reg := communeParents(t, "76", "84")
	f, err := os.Open(datasettest.File(t, "stats/donnees_communes.csv"))
	if err != nil {
		t.Fatal(err)
	}
	employees, err := demodata.CommuneEmployees(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	var ts []territory.Territory
	for c := range ze {
		ts = append(ts, territory.Territory{Level: territory.Commune, Code: c, Region: reg[c], Departement: dep[c], ZoneEmploi: ze[c]})
	}
	b, err := demodata.Generate(demodata.Options{Indicator: demodata.IndicatorAT, Seed: 2026, Years: []int{2022, 2023}, Territories: ts, Employees: employees})
	if err != nil {
		t.Fatal(err)
	}
	ind := demoAT(t)
	ind.Levels = []territory.Level{territory.Commune, territory.ZoneEmploi, territory.Departement}
	communes := parseLong(t, ind.ID, b)

	values := append([]indicator.Value(nil), communes...)
	parents := map[string]map[string]string{}
	for _, h := range []struct {
		level    territory.Level
		parentOf map[string]string
	}{{territory.ZoneEmploi, ze}, {territory.Departement, dep}} {
		computed, err := indicator.Aggregate(ind, communes, h.parentOf, h.level)
		if err != nil {
			t.Fatal(err)
		}
		values = append(values, computed...)
		parents[indicator.ParentKey(territory.Commune, h.level)] = h.parentOf
	}
	crossing := map[string]map[string]bool{}
	for c, z := range ze {
		if crossing[z] == nil {
			crossing[z] = map[string]bool{}
		}
		crossing[z][dep[c]] = true
	}
	nCross := 0
	for _, ds := range crossing {
		if len(ds) > 1 {
			nCross++
		}
	}
	if nCross == 0 {
		t.Fatal("no zone d'emploi crosses the border: the hierarchies would not overlap")
	}

	start := time.Now()
	out := indicator.ApplySecret(ind, values, parents)
	applied := time.Since(start)
	start = time.Now()
	got := indicator.CheckSecret(ind, out, parents)
	t.Logf("%d communes in %d zones d'emploi (%d across département borders) and %d départements, 2 years: %d cells, %d equations checked; secret: %d primary, %d secondary; recoverable: %d (secret applied in %v, checked in %v)",
		len(ze), len(crossing), nCross, len(crossingDeps(dep)), got.Cells, got.Constraints, got.Primary, got.Secondary, len(got.Recovered), applied.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if got.Primary == 0 || got.Secondary == 0 {
		t.Errorf("the secret must act, primary and induced: %+v", got)
	}
	if len(got.Recovered) > 0 {
		t.Errorf("%d secret cells recoverable, e.g. %v", len(got.Recovered), got.Recovered[:min(5, len(got.Recovered))])
	}
	// Control: without the induced secret, the checker must find the
	// primary cells recoverable on this very data, or it proves nothing.
	primaryOnly := append([]indicator.Value(nil), out...)
	for i, v := range primaryOnly {
		if n, ok := ind.ThresholdCount(v); v.Status == indicator.StatusSecret && ok && !indicator.BelowThreshold(n, float64(ind.Threshold)) {
			primaryOnly[i].Status = indicator.StatusPublished
		}
	}
	control := indicator.CheckSecret(ind, primaryOnly, parents)
	t.Logf("control, primary secret only: %d cells recoverable", len(control.Recovered))
	if len(control.Recovered) == 0 || control.Secondary != 0 {
		t.Errorf("control: %d recoverable, %d secondary: the checker does not bite", len(control.Recovered), control.Secondary)
	}
	// A secret ZE or département value must not be recoverable either:
	// count the parents hidden, so that the check is not only on communes.
	hiddenParents := 0
	for _, v := range out {
		if v.Level != territory.Commune && v.Status == indicator.StatusSecret {
			hiddenParents++
		}
	}
	t.Logf("%d zone d'emploi or département values secret", hiddenParents)
}

// communeParents reads the INSEE composition of the zones d'emploi and
// returns, for the communes of the given régions, their zone d'emploi,
// département and région.
func communeParents(t *testing.T, regions ...string) (ze, dep, reg map[string]string) {
	t.Helper()
	f, err := os.Open(datasettest.File(t, "derived/ze2020_composition_communale_geo2023.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[strings.TrimPrefix(h, "\ufeff")] = i
	}
	ze, dep, reg = map[string]string{}, map[string]string{}, map[string]string{}
	for _, r := range recs[1:] {
		if slices.Contains(regions, r[col["REG"]]) {
			c := r[col["CODGEO"]]
			ze[c], dep[c], reg[c] = r[col["ZE2020"]], r[col["DEP"]], r[col["REG"]]
		}
	}
	if len(ze) == 0 {
		t.Fatal("no commune")
	}
	return ze, dep, reg
}

// crossingDeps is the set of départements of the communes.
func crossingDeps(dep map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, d := range dep {
		out[d] = true
	}
	return out
}

func demoAT(t *testing.T) indicator.Indicator {
	t.Helper()
	b, err := geodata.Indicators.ReadFile("indicators/" + demodata.IndicatorAT + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var ind indicator.Indicator
	if err := json.Unmarshal(b, &ind); err != nil {
		t.Fatal(err)
	}
	return ind
}

// parseLong reads the generator's long CSV into values.
func parseLong(t *testing.T, id string, b []byte) []indicator.Value {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	num := func(s string) *float64 {
		if s == "" {
			return nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return &f
	}
	var out []indicator.Value
	for _, r := range recs[1:] {
		out = append(out, indicator.Value{
			Key:   indicator.Key{Indicator: id, Level: territory.Level(r[0]), Code: r[1], Period: r[2], Sex: r[3], Sector: r[4]},
			Value: num(r[5]), Numerator: num(r[6]), Denominator: num(r[7]), Status: indicator.Status(r[8]),
		})
	}
	return out
}
