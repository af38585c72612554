package demodata

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
)

func convertFile(t *testing.T, name string, f func(*os.File) ([]byte, error)) []row {
	t.Helper()
	fh, err := os.Open(datasettest.File(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	b, err := f(fh)
	if err != nil {
		t.Fatal(err)
	}
	return parseRows(t, b)
}

func TestPopulationConvertersOnMirror(t *testing.T) {
	cases := []struct {
		name     string
		file     string
		conv     func(*os.File) ([]byte, error)
		rows     int
		level    string
		code     string
		period   string
		want     float64
		nPeriods int
		missing  int
	}{
		{"département 31", "stats/donnees_departements.csv", func(f *os.File) ([]byte, error) { return PopulationCSV(f) }, 100, "departement", "31", "2023", 1471468, 1, 0},
		{"département 2A", "stats/donnees_departements.csv", func(f *os.File) ([]byte, error) { return PopulationCSV(f) }, 100, "departement", "2A", "2023", 0, 1, 0},
		{"département 01", "stats/donnees_departements.csv", func(f *os.File) ([]byte, error) { return PopulationCSV(f) }, 100, "departement", "01", "2023", 679344, 1, 0},
		{"ZE 7625 2020", "derived/population_ze2020_1876-2020.csv", func(f *os.File) ([]byte, error) { return PopulationZECSV(f) }, 10404, "zone-emploi", "7625", "2020", 1316782, 34, 330},
		{"ZE 0051 1876", "derived/population_ze2020_1876-2020.csv", func(f *os.File) ([]byte, error) { return PopulationZECSV(f) }, 10404, "zone-emploi", "0051", "1876", 160052, 34, 330},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows := convertFile(t, c.file, c.conv)
			if len(rows) != c.rows {
				t.Fatalf("%d rows, want %d", len(rows), c.rows)
			}
			periods := map[string]bool{}
			found := false
			missing := 0
			for _, r := range rows {
				periods[r.period] = true
				if r.status == "missing" {
					missing++
					if !math.IsNaN(r.value) {
						t.Fatalf("missing row with a value: %+v", r)
					}
					continue
				}
				if r.level != c.level || r.sex != "ensemble" || r.sector != "ensemble" || r.status != "published" || r.hasCounts {
					t.Fatalf("bad row %+v", r)
				}
				if r.code == c.code && r.period == c.period {
					found = true
					if c.want != 0 && r.value != c.want {
						t.Errorf("%s %s = %v, want %v", c.code, c.period, r.value, c.want)
					}
				}
			}
			if !found {
				t.Errorf("no row for %s %s", c.code, c.period)
			}
			if missing != c.missing {
				t.Errorf("%d missing rows, want %d", missing, c.missing)
			}
			if len(periods) != c.nPeriods {
				t.Errorf("%d periods, want %d", len(periods), c.nPeriods)
			}
		})
	}
}

func TestPopulationConverters(t *testing.T) {
	dep := func(s string) ([]byte, error) { return PopulationCSV(strings.NewReader(s)) }
	ze := func(s string) ([]byte, error) { return PopulationZECSV(strings.NewReader(s)) }
	cases := []struct {
		name  string
		conv  func(string) ([]byte, error)
		in    string
		want  string // output, or error substring when wantErr
		isErr bool
	}{
		{"dep ok with BOM", dep, "\ufeffREG;DEP;PMUN\n76;31;1471468\n76;2A;1\n",
			"level,code,period,sex,sector,value,numerator,denominator,status\ndepartement,31,2023,ensemble,ensemble,1471468,,,published\ndepartement,2A,2023,ensemble,ensemble,1,,,published\n", false},
		{"ze ok", ze, "codgeo,libgeo,an,pop\n7625,Toulouse,2020,1316782\n",
			"level,code,period,sex,sector,value,numerator,denominator,status\nzone-emploi,7625,2020,ensemble,ensemble,1316782,,,published\n", false},
		{"dep comma separated", dep, "DEP,PMUN\n31,1\n", "column \"DEP\" not found", true},
		{"dep no PMUN", dep, "DEP;PTOT\n31;1\n", "column \"PMUN\" not found", true},
		{"dep bad value", dep, "DEP;PMUN\n31;1 471 468\n", "not a population", true},
		{"dep empty code", dep, "DEP;PMUN\n;1\n", "empty DEP", true},
		{"dep duplicate", dep, "DEP;PMUN\n31;1\n31;2\n", "duplicate", true},
		{"dep no rows", dep, "DEP;PMUN\n", "no data row", true},
		{"ze empty pop is missing", ze, "codgeo,an,pop\n0101,1876,\n",
			"level,code,period,sex,sector,value,numerator,denominator,status\nzone-emploi,0101,1876,ensemble,ensemble,,,,missing\n", false},
		{"ze bad year", ze, "codgeo,an,pop\n7625,20xx,1\n", "not a year", true},
		{"empty input", ze, "", "reading header", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.conv(c.in)
			if c.isErr {
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("err = %v, want %q", err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}

func TestCommuneEmployees(t *testing.T) {
	in := "REG;DEP;COM;Commune;PMUN;PCAP;PTOT\n76;09;09001;Aigues-Juntes;100;2;102\n76;09;09002;Aigues-Vives;300;5;305\n"
	got, err := CommuneEmployees(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	// All salariés of France spread over these 400 inhabitants: a quarter
	// and three quarters, plus the one salarié every commune keeps.
	salaried := 0
	for _, s := range sectors {
		salaried += s.NationalEmployees
	}
	if want := int(math.Round(float64(salaried)/4)) + 1; got["09001"] != want {
		t.Errorf("09001: %d salariés, want %d", got["09001"], want)
	}
	for _, bad := range []string{"COM;PTOT\n09001;3\n", "COM;PMUN\n09001;-3\n", "COM;PMUN\n09001;0\n"} {
		if _, err := CommuneEmployees(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}

	// On the real table the communes' salariés add up to the national
	// headcount the magnitudes come from.
	f, err := os.Open(datasettest.File(t, "stats/donnees_communes.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := CommuneEmployees(f)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, n := range all {
		sum += n
	}
	if r := float64(sum) / float64(salaried); r < 0.99 || r > 1.01 {
		t.Errorf("%d communes give %d salariés, %.3f of the national %d", len(all), sum, r, salaried)
	}
}
