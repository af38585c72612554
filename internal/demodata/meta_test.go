package demodata

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io/fs"
	"math"
	"os"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/geodata"
	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func strictDecode(t *testing.T, b []byte, v any) {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		t.Fatal(err)
	}
}

func loadMeta(t *testing.T) map[string]indicator.Indicator {
	t.Helper()
	names, err := fs.Glob(geodata.Indicators, "indicators/*.json")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]indicator.Indicator{}
	for _, n := range names {
		if path.Base(n) == "recipes.json" {
			continue
		}
		b, err := fs.ReadFile(geodata.Indicators, n)
		if err != nil {
			t.Fatal(err)
		}
		var ind indicator.Indicator
		strictDecode(t, b, &ind)
		out[path.Base(n)] = ind
	}
	return out
}

func TestMetadataValidates(t *testing.T) {
	meta := loadMeta(t)
	// The diagnostic enters through five themes: each offers at least two
	// indicators.
	themes := map[indicator.Theme][]string{}
	for _, m := range meta {
		themes[m.Theme] = append(themes[m.Theme], m.ID)
	}
	for _, th := range []indicator.Theme{indicator.ThemeEmploiEntreprises, indicator.ThemeExposition, indicator.ThemeSinistralite, indicator.ThemePrevention, indicator.ThemeMaintienEmploi} {
		if len(themes[th]) < 2 {
			t.Errorf("theme %s: %v, want at least two indicators", th, themes[th])
		}
	}
	if len(themes) != 5 {
		t.Errorf("themes %v, want the five of the diagnostic", themes)
	}
	var demoSectors []string
	demoSectors = append(demoSectors, indicator.SectorAll)
	for _, s := range sectors {
		// "autres" can be declared only once indicator.ValidSector accepts
		// it; until then the metadata lists the NAF codes only (and the
		// importer rejects the "autres" rows of Generate).
		if s.Code != SectorOther || indicator.ValidSector(SectorOther) {
			demoSectors = append(demoSectors, s.Code)
		}
	}
	for name, ind := range meta {
		t.Run(name, func(t *testing.T) {
			if err := ind.Validate(); err != nil {
				t.Fatal(err)
			}
			if name != ind.ID+".json" {
				t.Errorf("file %s holds id %q", name, ind.ID)
			}
			demo := strings.HasPrefix(ind.ID, "demo-")
			if ind.Demo != demo {
				t.Errorf("demo = %v", ind.Demo)
			}
			if demo {
				if !strings.HasSuffix(ind.Label, LabelSuffix) {
					t.Errorf("label %q lacks %q", ind.Label, LabelSuffix)
				}
				for _, s := range []string{ind.Definition, ind.Producer} {
					if l := strings.ToLower(s); !strings.Contains(l, "données de démonstration") || !strings.Contains(l, "fictives") {
						t.Errorf("%q does not say the data are fictive", s)
					}
				}
				if !slices.Equal(ind.Sectors, demoSectors) {
					t.Errorf("sectors %v, want %v", ind.Sectors, demoSectors)
				}
				if !slices.Equal(ind.Sexes, []indicator.Sex{"ensemble", "femmes", "hommes"}) {
					t.Errorf("sexes %v", ind.Sexes)
				}
				var years []string
				for _, y := range DefaultYears() {
					years = append(years, strconv.Itoa(y))
				}
				if !slices.Equal(ind.Vintages, years) {
					t.Errorf("vintages %v, want %v", ind.Vintages, years)
				}
			} else if strings.Contains(strings.ToLower(ind.Label), "fictiv") {
				t.Errorf("real indicator labelled fictive: %q", ind.Label)
			}
		})
	}
	at, mp := meta[IndicatorAT+".json"], meta[IndicatorMP+".json"]
	if at.Aggregation != indicator.AggregateRatio || at.Scale != 1000 || at.Threshold != 5 || at.ThresholdOn != indicator.ThresholdOnNumerator {
		t.Errorf("AT rules: %+v", at)
	}
	if mp.Aggregation != indicator.AggregateSum || mp.Threshold != 5 || mp.ThresholdOn != indicator.ThresholdOnValue {
		t.Errorf("MP rules: %+v", mp)
	}
}

func loadRecipes(t *testing.T) []Recipe {
	t.Helper()
	rs, err := Recipes()
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// TestRecipes checks recipes.json against the metadata and the mirror:
// every value file exists, its columns are there, and the periods of the
// wide files are exactly the vintages the metadata declares.
func TestRecipes(t *testing.T) {
	meta := loadMeta(t)
	rs := loadRecipes(t)
	seen := map[string]bool{}
	for _, r := range rs {
		t.Run(r.Indicator, func(t *testing.T) {
			if seen[r.Indicator] {
				t.Fatal("duplicate recipe")
			}
			seen[r.Indicator] = true
			ind, ok := meta[r.Meta]
			if !ok || ind.ID != r.Indicator {
				t.Fatalf("meta %q does not hold %q", r.Meta, r.Indicator)
			}
			if !ind.HasLevel(r.Level) {
				t.Errorf("level %q not in %v", r.Level, ind.Levels)
			}
			switch r.Layout {
			case "long":
				if !reflect.DeepEqual(sortedKeys(r.Columns), sortedKeys(identity(Header))) {
					t.Errorf("long columns %v", r.Columns)
				}
			case "wide":
				if r.Columns["code"] == "" || r.PeriodColumns == nil {
					t.Fatalf("wide recipe needs columns.code and period_columns")
				}
			default:
				t.Fatalf("layout %q", r.Layout)
			}
			if r.Generator != "" {
				if r.Generator != "demodata.Generate" || r.GeneratorOptions == nil || r.GeneratorOptions.Indicator != r.Indicator || !ind.Demo {
					t.Errorf("generated recipe %+v", r)
				}
				// A rate indicator reads its national rates from the AT
				// table; the others read no file.
				_, rate := rateIndicators[r.Indicator]
				if rate != (r.GeneratorOptions.RateColumn != "") || (r.Values != "") != rate {
					t.Fatalf("generated recipe: values %q, rate_column %q", r.Values, r.GeneratorOptions.RateColumn)
				}
				if rate {
					f, err := os.Open(datasettest.File(t, r.Values))
					if err != nil {
						t.Fatal(err)
					}
					defer f.Close()
					if _, err := RatesFromAT(f, r.GeneratorOptions.RateColumn); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			if ind.Demo {
				t.Fatal("demo indicator read from a file")
			}
			f := datasettest.File(t, r.Values)
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			cr := csv.NewReader(bytes.NewReader(raw))
			if r.Separator != "" {
				cr.Comma = []rune(r.Separator)[0]
			}
			head, err := cr.Read()
			if err != nil {
				t.Fatal(err)
			}
			if r.Layout == "wide" {
				rest := []string{}
				for _, h := range head {
					if h != r.Columns["code"] && !slices.Contains(r.IgnoreColumns, h) {
						rest = append(rest, h)
					}
				}
				var periods []string
				for _, h := range rest {
					p, err := indicator.ParsePeriod(h)
					if err != nil {
						t.Fatalf("column %q: %v", h, err)
					}
					periods = append(periods, p.String())
				}
				if rest[0] != r.PeriodColumns.First || rest[len(rest)-1] != r.PeriodColumns.Last {
					t.Errorf("period columns %s..%s, recipe says %s..%s", rest[0], rest[len(rest)-1], r.PeriodColumns.First, r.PeriodColumns.Last)
				}
				if !slices.Equal(periods, ind.Vintages) {
					t.Errorf("file periods (%d) differ from vintages (%d)", len(periods), len(ind.Vintages))
				}
				return
			}
			for _, c := range r.SourceColumns {
				if !slices.Contains(head, c) {
					t.Errorf("column %q not in %v", c, head)
				}
			}
			convert, ok := converters[r.Converter]
			if !ok {
				t.Fatalf("converter %q", r.Converter)
			}
			// Every commune of Toulouse's département stands for the
			// imported ones.
			known := territory.NewRegistry(territory.NewSet(territory.Commune, []territory.Territory{{Level: "commune", Code: "31555"}, {Level: "commune", Code: "31069"}}))
			out, err := convert(raw, known)
			if err != nil {
				t.Fatal(err)
			}
			periods := map[string]bool{}
			for _, row := range parseRows(t, out) {
				if row.level != string(r.Level) {
					t.Fatalf("row level %q", row.level)
				}
				periods[row.period] = true
			}
			for _, v := range ind.Vintages {
				if !periods[v] {
					t.Errorf("vintage %s has no value", v)
				}
			}
			if len(periods) != len(ind.Vintages) {
				t.Errorf("%d periods in values, %d vintages", len(periods), len(ind.Vintages))
			}
		})
	}
	for name, ind := range meta {
		if !seen[ind.ID] {
			t.Errorf("%s has no recipe", name)
		}
	}
}

// TestRatesFromAT recomputes the national totals of the AT table's columns
// the rate indicators read: the rates times the salariés of each sector
// give back the published count (157 896 AT by manual handling...).
func TestRatesFromAT(t *testing.T) {
	cases := []struct {
		column string
		total  int
	}{
		{"Manutention manuelle", 157896},
		{"Risque routier", 10598},
		{"Nouvelles IP", 34302},
		{"dont IP avec taux ≥ 10% ", 12397},
	}
	raw, err := os.ReadFile(datasettest.File(t, "derived/at_2024_ctn_naf.csv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.column, func(t *testing.T) {
			rates, err := RatesFromAT(bytes.NewReader(raw), c.column)
			if err != nil {
				t.Fatal(err)
			}
			sum := 0.0
			for _, s := range sectors {
				sum += rates[s.Code] * float64(s.NationalEmployees) / 1000
			}
			if math.Abs(sum-float64(c.total)) > 0.5 {
				t.Errorf("rates give back %.1f, published %d", sum, c.total)
			}
			t.Logf("%s: F %.2f, 87 %.2f, autres %.2f per 1000", c.column, rates["F"], rates["87"], rates[SectorOther])
		})
	}
	if _, err := RatesFromAT(bytes.NewReader(raw), "Colonne absente"); err == nil || !strings.Contains(err.Error(), "Colonne absente") {
		t.Errorf("unknown column: err = %v", err)
	}
}

// TestNationalFigures recomputes from the mirror the national 2024 figures
// hard-coded in sectors.go.
func TestNationalFigures(t *testing.T) {
	sum := func(file, sal, count string) (map[string]int, map[string]int) {
		raw, err := os.ReadFile(datasettest.File(t, file))
		if err != nil {
			t.Fatal(err)
		}
		ns, nc, err := SectorTotals(bytes.NewReader(raw), sal, count)
		if err != nil {
			t.Fatal(err)
		}
		return ns, nc
	}
	sal, at := sum("derived/at_2024_ctn_naf.csv", "Nombre de salariés", "AT en 1er règlement")
	_, mp := sum("derived/mp_2024_ctn_naf.csv", "Nombre de salariés*", "MP en 1er règlement")
	total := 0
	for _, s := range sectors {
		total += s.NationalEmployees
		if sal[s.Code] != s.NationalEmployees || at[s.Code] != s.NationalAT || mp[s.Code] != s.NationalMP {
			t.Errorf("sector %s: file gives %d salariés, %d AT, %d MP; sectors.go has %d, %d, %d",
				s.Code, sal[s.Code], at[s.Code], mp[s.Code], s.NationalEmployees, s.NationalAT, s.NationalMP)
		}
		t.Logf("%-7s %8d salariés  AT %5.1f‰  MP %4.2f‰", s.Code, s.NationalEmployees, s.ATRate(), s.MPRate())
	}
	if total != 20799568 {
		t.Errorf("total salariés %d", total)
	}
}

func identity(cols []string) map[string]string {
	m := map[string]string{}
	for _, c := range cols {
		m[c] = c
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k, v := range m {
		ks = append(ks, k+"="+v)
	}
	slices.Sort(ks)
	return ks
}
