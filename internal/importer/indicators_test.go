package importer_test

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/importer"
	"github.com/atlas-sante-travail/atlas/internal/store"
	"github.com/atlas-sante-travail/atlas/internal/store/storetest"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

var occitanie = []string{"09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"}

// importIndicatorTerritories loads régions, départements (with their
// région from INSEE's table) and zones d'emploi.
func importIndicatorTerritories(t *testing.T, st *store.Store) {
	t.Helper()
	for _, o := range []importer.TerritoryOptions{
		{Level: territory.Region, Files: []string{datasettest.File(t, "regions/regions-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom"},
		{Level: territory.Departement, Files: []string{datasettest.File(t, "departements/departements-avec-outre-mer.geojson")}, CodeField: "code", NameField: "nom",
			ParentTable: datasettest.File(t, "stats/donnees_departements.csv"), ParentKey: "DEP", ParentColumns: map[territory.Level]string{territory.Region: "REG"}},
		zonesEmploi(t),
	} {
		if _, err := importer.ImportTerritories(context.Background(), st, o); err != nil {
			t.Fatal(err)
		}
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func years(from, to int) string {
	var s []string
	for y := from; y <= to; y++ {
		s = append(s, fmt.Sprintf("%q", strconv.Itoa(y)))
	}
	return strings.Join(s, ", ")
}

// valuesSnapshot captures an indicator's stored values and dataset.
func valuesSnapshot(t *testing.T, st *store.Store, id string) string {
	t.Helper()
	var s string
	err := storetest.SQL(t, st).QueryRow(context.Background(), `SELECT coalesce(string_agg(concat_ws(':', level, code, period, sex, sector, value, numerator, denominator, status, computed), ',' ORDER BY level, code, period, sex, sector), '')
		|| '|' || coalesce((SELECT id::text FROM indicator_dataset WHERE indicator = $1 AND active), '')
		FROM indicator_value WHERE indicator = $1`, id).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type storedValue struct {
	value, num, den *float64
	status          string
	computed        bool
}

func stored(t *testing.T, st *store.Store, id, level, code, period, sex, sector string) (storedValue, bool) {
	t.Helper()
	var v storedValue
	err := storetest.SQL(t, st).QueryRow(context.Background(), `SELECT value, numerator, denominator, status, computed FROM indicator_value
		WHERE indicator = $1 AND level = $2 AND code = $3 AND period = $4 AND sex = $5 AND sector = $6`,
		id, level, code, period, sex, sector).Scan(&v.value, &v.num, &v.den, &v.status, &v.computed)
	if err != nil {
		return v, false
	}
	return v, true
}

// csvCell reads one cell of a CSV by row key (first column) and header.
func csvCell(t *testing.T, path, key, column string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range recs[0] {
		if h == column {
			col = i
		}
	}
	for _, r := range recs[1:] {
		if r[0] == key && col >= 0 {
			return r[col]
		}
	}
	t.Fatalf("%s: no cell %s/%s", path, key, column)
	return ""
}

const ratioMeta = `{
  "id": "taux-at", "label": "Taux de fréquence des AT", "theme": "sinistralite",
  "definition": "Accidents du travail avec arrêt pour 1000 salariés", "unit": "‰",
  "producer": "Carsat (fictif)", "source": "démonstration", "licence": "Licence Ouverte 2.0",
  "vintages": ["2022", "2023"], "levels": ["departement", "region", "commune"],
  "sexes": ["ensemble", "femmes", "hommes"], "sectors": ["ensemble"], "decimals": 1,
  "polarity": "higher-is-worse", "aggregation": "ratio", "threshold": 0, "scale": 1000, "demo": true
}`

// ratioValues is a long CSV of AT counts and employees by Occitanie
// département × sex, ';'-separated with a decimal comma.
func ratioValues() (string, map[string][2]float64) {
	var b strings.Builder
	b.WriteString("code;period;sex;numerator;denominator\n")
	sums := map[string][2]float64{}
	for i, d := range occitanie {
		fem := [2]float64{float64(20 + 7*i), float64(3000 + 900*i)}
		hom := [2]float64{float64(60 + 31*i), float64(2500 + 400*i*i)}
		for _, r := range []struct {
			sex string
			c   [2]float64
		}{{"femmes", fem}, {"hommes", hom}, {"ensemble", [2]float64{fem[0] + hom[0], fem[1] + hom[1]}}} {
			fmt.Fprintf(&b, "%s;2023;%s;%v;%v\n", strings.TrimPrefix(d, "0"), r.sex, r.c[0], r.c[1])
			s := sums[r.sex]
			s[0] += r.c[0]
			s[1] += r.c[1]
			sums[r.sex] = s
		}
	}
	return b.String(), sums
}

func TestDefaultColumns(t *testing.T) {
	var opt importer.IndicatorOptions
	flags := map[string]bool{}
	for _, c := range importer.DefaultColumns() {
		p := c.Field(&opt)
		if *p != "" || flags[c.Flag] || c.Flag != c.Default+"-column" {
			t.Errorf("column %+v: field already set (%q) or flag repeated or misnamed", c, *p)
		}
		*p = c.Default
		flags[c.Flag] = true
	}
	want := importer.IndicatorOptions{LevelColumn: "level", CodeColumn: "code", PeriodColumn: "period", SexColumn: "sex", SectorColumn: "sector",
		ValueColumn: "value", NumeratorColumn: "numerator", DenominatorColumn: "denominator", StatusColumn: "status"}
	if opt != want {
		t.Errorf("defaults fill %+v, want %+v", opt, want)
	}
}

func TestImportIndicators(t *testing.T) {
	st := storetest.New(t)
	ctx := context.Background()
	importIndicatorTerritories(t, st)
	dir := t.TempDir()

	t.Run("wide INSEE zones d'emploi", func(t *testing.T) {
		meta := writeFile(t, dir, "chomage-ze.json", `{
  "id": "chomage-ze", "label": "Taux de chômage localisé", "theme": "emploi-entreprises",
  "definition": "Chômeurs au sens du BIT / population active", "unit": "%", "producer": "INSEE",
  "source": "Taux de chômage localisés", "licence": "Licence Ouverte 2.0",
  "vintages": [`+years(2003, 2023)+`], "levels": ["zone-emploi"], "sexes": ["ensemble"], "sectors": ["ensemble"],
  "decimals": 1, "polarity": "higher-is-worse", "aggregation": "none", "threshold": 0
}`)
		values := datasettest.File(t, "derived/chomage_ze2020_2003T1-2023T3.csv")
		opt := importer.IndicatorOptions{Meta: meta, Values: values, Layout: "wide", Level: "zone-emploi", CodeColumn: "ZE2020"}
		res, err := importer.ImportIndicator(ctx, st, opt)
		if err != nil {
			t.Fatal(err)
		}
		if res.NoOp || res.Rows != 302*83 {
			t.Fatalf("imported %d rows (no-op %v), want %d", res.Rows, res.NoOp, 302*83)
		}
		want, _ := strconv.ParseFloat(csvCell(t, values, "7625", "2023-T3"), 64)
		v, ok := stored(t, st, "chomage-ze", "zone-emploi", "7625", "2023-T3", "ensemble", "ensemble")
		if !ok || v.value == nil || *v.value != want || v.status != "published" || v.computed {
			t.Errorf("7625 2023-T3: %+v, want %v published", v, want)
		}
		var missing int
		storetest.SQL(t, st).QueryRow(ctx, `SELECT count(*) FROM indicator_value WHERE indicator = 'chomage-ze' AND status = 'missing' AND value IS NULL`).Scan(&missing)
		if missing == 0 {
			t.Error("the empty cells of the file are not stored as missing")
		}
		before := valuesSnapshot(t, st, "chomage-ze")
		again, err := importer.ImportIndicator(ctx, st, opt)
		if err != nil || !again.NoOp {
			t.Fatalf("re-import: %+v, %v", again, err)
		}
		if valuesSnapshot(t, st, "chomage-ze") != before {
			t.Fatal("re-import changed the data")
		}
		// The same files uploaded are the same import.
		up := opt
		up.FS = fstest.MapFS{"up/chomage-ze.json": {Data: []byte(mustRead(t, meta))}, "up/" + filepath.Base(values): {Data: []byte(mustRead(t, values))}}
		up.Meta, up.Values = "up/chomage-ze.json", "up/"+filepath.Base(values)
		if again, err := importer.ImportIndicator(ctx, st, up); err != nil || !again.NoOp {
			t.Fatalf("upload of the imported files: %+v, %v; want a no-op", again, err)
		}
	})

	t.Run("wide INSEE départements, YAML metadata", func(t *testing.T) {
		meta := writeFile(t, dir, "chomage-dep.yaml", `id: chomage-dep
label: Taux de chômage localisé
theme: emploi-entreprises
definition: Chômeurs au sens du BIT / population active
unit: "%"
producer: INSEE
source: Taux de chômage localisés
licence: Licence Ouverte 2.0
vintages: [`+years(1982, 2025)+`]
levels: [departement]
sexes: [ensemble]
sectors: [ensemble]
decimals: 1
polarity: higher-is-worse
aggregation: none
threshold: 0
`)
		values := datasettest.File(t, "derived/chomage_departements_1982T1-2025T3.csv")
		res, err := importer.ImportIndicator(ctx, st, importer.IndicatorOptions{Meta: meta, Values: values, Layout: "wide", Level: "departement", CodeColumn: "Code"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Rows != 100*175 {
			t.Errorf("%d rows, want %d", res.Rows, 100*175)
		}
		if v, ok := stored(t, st, "chomage-dep", "departement", "971", "1982-T1", "ensemble", "ensemble"); !ok || v.status != "missing" || v.value != nil {
			t.Errorf("971 in 1982: %+v (found %v), want missing", v, ok)
		}
		want, _ := strconv.ParseFloat(csvCell(t, values, "31", "T3_2025"), 64)
		if v, ok := stored(t, st, "chomage-dep", "departement", "31", "2025-T3", "ensemble", "ensemble"); !ok || v.value == nil || *v.value != want {
			t.Errorf("31 2025-T3: %+v, want %v", v, want)
		}
		if v, ok := stored(t, st, "chomage-dep", "departement", "01", "2025-T3", "ensemble", "ensemble"); !ok || v.value == nil {
			t.Errorf("01 (file code 01) 2025-T3: %+v", v)
		}
	})

	t.Run("long layout, BOM, semicolons, decimal comma", func(t *testing.T) {
		meta := writeFile(t, dir, "chomage-mini.json", `{
  "id": "chomage-mini", "label": "Taux de chômage", "theme": "emploi-entreprises", "definition": "BIT",
  "unit": "%", "producer": "INSEE", "source": "TCL", "licence": "Licence Ouverte 2.0",
  "vintages": ["2023"], "levels": ["zone-emploi"], "sexes": ["ensemble"], "sectors": ["ensemble"],
  "decimals": 1, "polarity": "higher-is-worse", "aggregation": "none", "threshold": 0
}`)
		values := writeFile(t, dir, "chomage-mini.csv", "\ufeffZone;Trimestre;Taux;Statut\n7625;T3_2023;\"8,2\";provisoire\n")
		_, err := importer.ImportIndicator(ctx, st, importer.IndicatorOptions{Meta: meta, Values: values, Level: "zone-emploi",
			CodeColumn: "zone", PeriodColumn: "trimestre", ValueColumn: "taux", StatusColumn: "statut"})
		if err == nil || !strings.Contains(err.Error(), "line 2, column 4 (Statut)") {
			t.Fatalf("French status accepted or badly located: %v", err)
		}
		values = writeFile(t, dir, "chomage-mini.csv", "\ufeffZone;Trimestre;Taux;Statut\n7625;T3_2023;8,2;provisional\n1;2023-T2;;\n")
		if _, err := importer.ImportIndicator(ctx, st, importer.IndicatorOptions{Meta: meta, Values: values, Level: "zone-emploi",
			CodeColumn: "zone", PeriodColumn: "trimestre", ValueColumn: "taux", StatusColumn: "statut"}); err == nil || !strings.Contains(err.Error(), `unknown zone-emploi code "1"`) {
			t.Fatalf("code 0001: %v", err)
		}
		values = writeFile(t, dir, "chomage-mini.csv", "\ufeffZone;Trimestre;Taux;Statut\n7625;T3_2023;8,2;provisional\n7601;2023-T2;;\n")
		if _, err := importer.ImportIndicator(ctx, st, importer.IndicatorOptions{Meta: meta, Values: values, Level: "zone-emploi",
			CodeColumn: "zone", PeriodColumn: "trimestre", ValueColumn: "taux", StatusColumn: "statut"}); err != nil {
			t.Fatal(err)
		}
		if v, _ := stored(t, st, "chomage-mini", "zone-emploi", "7625", "2023-T3", "ensemble", "ensemble"); v.value == nil || *v.value != 8.2 || v.status != "provisional" {
			t.Errorf("7625: %+v", v)
		}
		if v, _ := stored(t, st, "chomage-mini", "zone-emploi", "7601", "2023-T2", "ensemble", "ensemble"); v.value != nil || v.status != "missing" {
			t.Errorf("7601: %+v", v)
		}
	})

	meta := writeFile(t, dir, "taux-at.json", ratioMeta)
	csvText, sums := ratioValues()
	values := writeFile(t, dir, "taux-at.csv", csvText)
	ratioOpt := importer.IndicatorOptions{Meta: meta, Values: values, Level: "departement"}

	t.Run("long ratio aggregated to the région", func(t *testing.T) {
		res, err := importer.ImportIndicator(ctx, st, ratioOpt)
		if err != nil {
			t.Fatal(err)
		}
		// 13 départements × 3 sexes given, région 76 × 3 computed.
		if res.Rows != 13*3+3 {
			t.Errorf("%d rows", res.Rows)
		}
		for _, sex := range []string{"ensemble", "femmes", "hommes"} {
			v, ok := stored(t, st, "taux-at", "region", "76", "2023", sex, "ensemble")
			want := sums[sex][0] / sums[sex][1] * 1000
			if !ok || v.value == nil || math.Abs(*v.value-want) > 1e-9 || !v.computed || v.status != "published" {
				t.Fatalf("région 76 %s: %+v, want %v computed", sex, v, want)
			}
			var mean float64
			if err := storetest.SQL(t, st).QueryRow(ctx, `SELECT avg(value) FROM indicator_value WHERE indicator = 'taux-at' AND level = 'departement' AND sex = $1`, sex).Scan(&mean); err != nil {
				t.Fatal(err)
			}
			if math.Abs(mean-want) < 0.01 {
				t.Errorf("%s: ratio of sums %v equals the mean of rates %v: the test proves nothing", sex, want, mean)
			}
		}
		// Département values were computed from the counts.
		v, _ := stored(t, st, "taux-at", "departement", "09", "2023", "femmes", "ensemble")
		if v.value == nil || math.Abs(*v.value-20.0/3000*1000) > 1e-9 {
			t.Errorf("09 femmes: %+v", v)
		}
		if _, ok := stored(t, st, "taux-at", "region", "84", "2023", "ensemble", "ensemble"); ok {
			t.Error("a région without any département value was computed")
		}
	})

	t.Run("validation errors leave the previous version", func(t *testing.T) {
		before := valuesSnapshot(t, st, "taux-at")
		if !strings.Contains(before, "region:76") {
			t.Fatalf("no previous version: %s", before)
		}
		head := "level;code;period;sex;numerator;denominator\n"
		ok1 := "departement;31;2023;femmes;10;1000\n"
		for _, c := range []struct {
			name, csv string
			want      []string
		}{
			{"unknown code", head + ok1 + "departement;96;2023;femmes;1;10\n", []string{"line 3, column 2 (code)", `"96"`}},
			{"level not declared", head + ok1 + "zone-emploi;7625;2023;femmes;1;10\n", []string{"line 3, column 1 (level)", "not declared"}},
			{"level not imported", head + ok1 + "commune;31555;2023;femmes;1;10\n", []string{"line 3", "has not been imported"}},
			{"bad period", head + ok1 + "departement;32;2023-T5;femmes;1;10\n", []string{"line 3, column 3 (period)", "2023-T5"}},
			{"period not a vintage", head + "departement;32;2019;femmes;1;10\n", []string{"line 2, column 3 (period)", "not a vintage"}},
			{"bad sex", head + "departement;32;2023;F;1;10\n", []string{"line 2, column 4 (sex)", `"F"`}},
			{"non-numeric", head + "departement;32;2023;femmes;douze;100\n", []string{"line 2, column 5 (numerator)", `"douze"`}},
			{"duplicate", head + ok1 + "departement;09;2023;femmes;1;10\ndepartement;31;2023;femmes;1;10\n", []string{"line 4, column 3 (period)", "already given on line 2"}},
			{"numerator above denominator", head + "departement;32;2023;femmes;11;10\n", []string{"line 2, column 5 (numerator)", "greater than the denominator"}},
			{"negative count", head + "departement;32;2023;femmes;1;-10\n", []string{"line 2, column 6 (denominator)", "negative"}},
			{"no figure", "level;code;period;sex;numerator;denominator;status\ndepartement;32;2023;femmes;;;published\n", []string{"line 2, column 5 (numerator)", "no figure"}},
			{"bad status", "level;code;period;sex;numerator;denominator;status\ndepartement;32;2023;femmes;1;2;confidentiel\n", []string{"line 2, column 7 (status)", "confidentiel"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				f := writeFile(t, t.TempDir(), "bad.csv", c.csv)
				_, err := importer.ImportIndicator(ctx, st, importer.IndicatorOptions{Meta: meta, Values: f})
				var ve *importer.ValueError
				if !errors.As(err, &ve) || ve.File != "bad.csv" || ve.Line == 0 {
					t.Fatalf("err %v is not a located ValueError", err)
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				if valuesSnapshot(t, st, "taux-at") != before {
					t.Fatal("a failed import changed the data")
				}
			})
		}
		t.Run("sector not declared", func(t *testing.T) {
			f := writeFile(t, t.TempDir(), "bad.csv", "code;period;sector;numerator;denominator\n31;2023;C;1;10\n")
			_, err := importer.ImportIndicator(ctx, st, importer.IndicatorOptions{Meta: meta, Values: f, Level: "departement"})
			if err == nil || !strings.Contains(err.Error(), "line 2, column 3 (sector)") {
				t.Fatalf("err %v", err)
			}
		})
		for _, c := range []struct{ name, meta, want string }{
			{"threshold without target", strings.Replace(ratioMeta, `"threshold": 0`, `"threshold": 5`, 1), "taux-at.json: field threshold_on"},
			{"unknown field", strings.Replace(ratioMeta, `"demo"`, `"demonstration"`, 1), `unknown field "demonstration"`},
			{"bad level", strings.Replace(ratioMeta, `"commune"]`, `"canton"]`, 1), "field levels[2]"},
		} {
			t.Run("meta "+c.name, func(t *testing.T) {
				m := writeFile(t, t.TempDir(), "taux-at.json", c.meta)
				_, err := importer.ImportIndicator(ctx, st, importer.IndicatorOptions{Meta: m, Values: values, Level: "departement"})
				var me *importer.MetaError
				if !errors.As(err, &me) || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("err %v, want a MetaError mentioning %q", err, c.want)
				}
			})
		}
		if valuesSnapshot(t, st, "taux-at") != before {
			t.Fatal("a failed import changed the data")
		}
		again, err := importer.ImportIndicator(ctx, st, ratioOpt)
		if err != nil || !again.NoOp {
			t.Fatalf("re-import after failures: %+v, %v", again, err)
		}
	})

	t.Run("secret statistique", func(t *testing.T) {
		m := writeFile(t, dir, "at-count.json", `{
  "id": "at-count", "label": "Accidents du travail", "theme": "sinistralite", "definition": "AT avec arrêt",
  "unit": "accidents", "producer": "Carsat (fictif)", "source": "démonstration", "licence": "Licence Ouverte 2.0",
  "vintages": ["2023"], "levels": ["departement", "region"], "sexes": ["ensemble", "femmes", "hommes"],
  "sectors": ["ensemble"], "decimals": 0, "polarity": "higher-is-worse", "aggregation": "sum",
  "threshold": 5, "threshold_on": "value", "demo": true
}`)
		var b strings.Builder
		b.WriteString("code,period,sex,value\n")
		for i, d := range occitanie {
			f, h := 40+i, 100+3*i
			if d == "31" {
				f = 3 // a small count
			}
			fmt.Fprintf(&b, "%s,2023,femmes,%d\n%s,2023,hommes,%d\n%s,2023,ensemble,%d\n", d, f, d, h, d, f+h)
		}
		v := writeFile(t, dir, "at-count.csv", b.String())
		if _, err := importer.ImportIndicator(ctx, st, importer.IndicatorOptions{Meta: m, Values: v, Level: "departement"}); err != nil {
			t.Fatal(err)
		}
		if x, _ := stored(t, st, "at-count", "departement", "31", "2023", "femmes", "ensemble"); x.status != "secret" {
			t.Errorf("31 femmes (3 accidents): %s", x.status)
		}
		// 31 hommes = ensemble - femmes: one of them must be hidden too,
		// and the région's femmes total minus the other départements.
		var secondary int
		storetest.SQL(t, st).QueryRow(ctx, `SELECT count(*) FROM indicator_value WHERE indicator = 'at-count' AND status = 'secret' AND NOT (code = '31' AND sex = 'femmes')`).Scan(&secondary)
		if secondary < 2 {
			t.Errorf("%d secondary secret cells, want at least 2", secondary)
		}
		r, _ := stored(t, st, "at-count", "region", "76", "2023", "femmes", "ensemble")
		if !r.computed {
			t.Errorf("région femmes: %+v", r)
		}
	})
}
