package demodata

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/dataset/datasettest"
	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

// occitanie are the 13 départements of région 76, rural ones (09, 12, 32,
// 46, 48, 65) included: they are where the small counts must appear.
func occitanie() []territory.Territory {
	var ts []territory.Territory
	for _, c := range []string{"09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"} {
		ts = append(ts, territory.Territory{Level: "departement", Code: c, Region: "76"})
	}
	return ts
}

type row struct {
	level, code, period, sex, sector, status string
	value                                    float64
	num, den                                 int
	hasCounts                                bool
}

func parseRows(t *testing.T, b []byte) []row {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(recs[0], ","); got != strings.Join(Header, ",") {
		t.Fatalf("header = %q", got)
	}
	var rows []row
	for _, r := range recs[1:] {
		x := row{level: r[0], code: r[1], period: r[2], sex: r[3], sector: r[4], status: r[8]}
		if r[5] == "" && x.status == "missing" {
			x.value = math.NaN()
		} else {
			v, err := strconv.ParseFloat(r[5], 64)
			if err != nil {
				t.Fatalf("value %q: %v", r[5], err)
			}
			x.value = v
		}
		var err error
		if r[6] != "" || r[7] != "" {
			x.hasCounts = true
			if x.num, err = strconv.Atoi(r[6]); err != nil {
				t.Fatal(err)
			}
			if x.den, err = strconv.Atoi(r[7]); err != nil {
				t.Fatal(err)
			}
		}
		rows = append(rows, x)
	}
	return rows
}

func mustGenerate(t *testing.T, opt Options) []byte {
	t.Helper()
	b, err := Generate(opt)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGenerateDeterministic(t *testing.T) {
	for _, ind := range []string{IndicatorAT, IndicatorMP} {
		t.Run(ind, func(t *testing.T) {
			opt := Options{Indicator: ind, Seed: 42, Territories: occitanie()}
			a := mustGenerate(t, opt)
			if b := mustGenerate(t, opt); !bytes.Equal(a, b) {
				t.Fatal("same options gave different bytes")
			}
			// Order of the territories does not matter.
			rev := occitanie()
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			if b := mustGenerate(t, Options{Indicator: ind, Seed: 42, Territories: rev}); !bytes.Equal(a, b) {
				t.Fatal("territory order changed the output")
			}
			// Another seed gives other figures.
			if b := mustGenerate(t, Options{Indicator: ind, Seed: 43, Territories: occitanie()}); bytes.Equal(a, b) {
				t.Fatal("seeds 42 and 43 gave the same bytes")
			}
			// Adding a territory leaves the others' rows untouched.
			more := append(occitanie(), territory.Territory{Level: "departement", Code: "01", Region: "84"})
			b := string(mustGenerate(t, Options{Indicator: ind, Seed: 42, Territories: more}))
			for _, line := range strings.Split(strings.TrimSpace(string(a)), "\n") {
				if !strings.Contains(b, line+"\n") {
					t.Fatalf("row %q changed when a territory was added", line)
				}
			}
		})
	}
}

// TestGenerateGolden pins a few figures of seed 1 so that a change of
// method (or of a Go release under the generator) is seen, not silent.
func TestGenerateGolden(t *testing.T) {
	b := mustGenerate(t, Options{Indicator: IndicatorAT, Seed: 1, Years: []int{2023},
		Territories: []territory.Territory{{Level: "departement", Code: "48", Region: "76"}}, Employees: map[string]int{"48": 20000}})
	lines := strings.Split(string(b), "\n")
	if len(lines) != 1+12*3+1 {
		t.Fatalf("%d lines", len(lines))
	}
	want := []string{
		"departement,48,2023,ensemble,ensemble,30.821,619,20084,published",
		"departement,48,2023,femmes,ensemble,25.757,244,9473,published",
		"departement,48,2023,hommes,ensemble,35.341,375,10611,published",
		"departement,48,2023,ensemble,87,70.362,33,469,published",
		"departement,48,2023,femmes,87,67.146,28,417,published",
		"departement,48,2023,hommes,87,96.154,5,52,published",
	}
	for i, w := range want {
		if lines[i+1] != w {
			t.Errorf("line %d = %q, want %q", i+1, lines[i+1], w)
		}
	}
}

func TestGenerateConsistency(t *testing.T) {
	cases := []struct {
		name string
		opt  Options
	}{
		{"AT Occitanie", Options{Indicator: IndicatorAT, Seed: 7, Territories: occitanie()}},
		{"MP Occitanie", Options{Indicator: IndicatorMP, Seed: 7, Territories: occitanie()}},
		{"AT given sizes", Options{Indicator: IndicatorAT, Seed: 1, Years: []int{2023, 2019},
			Territories: []territory.Territory{{Level: "zone-emploi", Code: "7625"}, {Level: "zone-emploi", Code: "7601"}},
			Employees:   map[string]int{"7625": 500000, "7601": 15000}}},
		{"MP tiny territory", Options{Indicator: IndicatorMP, Seed: 3, Territories: []territory.Territory{{Level: "departement", Code: "48"}}, Employees: map[string]int{"48": 1}}},
		{"IP Occitanie", Options{Indicator: "demo-ip-nouvelles", Seed: 7, Territories: occitanie(), Rates: testRates(1.6)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows := parseRows(t, mustGenerate(t, c.opt))
			years := c.opt.Years
			if years == nil {
				years = DefaultYears()
			}
			if want := len(c.opt.Territories) * len(years) * (len(sectors) + 1) * 3; len(rows) != want {
				t.Fatalf("%d rows, want %d", len(rows), want)
			}
			other := SectorOther
			type k struct{ code, period, sex, sector string }
			byKey := map[k]row{}
			small := 0
			for _, r := range rows {
				if r.status != "published" {
					t.Errorf("%+v: status %q", r, r.status)
				}
				if _, err := indicator.ParseSex(r.sex); err != nil {
					t.Error(err)
				}
				if _, err := indicator.ParsePeriod(r.period); err != nil {
					t.Error(err)
				}
				if r.sector != other && !indicator.ValidSector(r.sector) {
					t.Errorf("sector %q is not NAF", r.sector)
				}
				count := r.value
				if c.opt.Indicator != IndicatorMP { // a rate with its counts
					if !r.hasCounts {
						t.Fatalf("%+v: AT row without counts", r)
					}
					if r.den <= 0 || r.num < 0 || r.num > r.den {
						t.Errorf("%+v: numerator %d, denominator %d", r, r.num, r.den)
					}
					if want := 1000 * float64(r.num) / float64(r.den); math.Abs(r.value-want) > 0.0006 {
						t.Errorf("%+v: value %v, want %v", r, r.value, want)
					}
					count = float64(r.num)
				} else if r.hasCounts || r.value != math.Trunc(r.value) || r.value < 0 {
					t.Errorf("%+v: MP row must be a bare non-negative count", r)
				}
				if count < 5 {
					small++
				}
				byKey[k{r.code, r.period, r.sex, r.sector}] = r
			}
			if small == 0 {
				t.Error("no count below the secret threshold 5: the secret statistique would not show")
			}
			t.Logf("%d of %d counts below 5", small, len(rows))
			sum := func(rs ...row) (float64, int, int) {
				var v float64
				var n, d int
				for _, r := range rs {
					v, n, d = v+r.value, n+r.num, d+r.den
				}
				return v, n, d
			}
			check := func(what string, total row, parts []row) {
				v, n, d := sum(parts...)
				if c.opt.Indicator != IndicatorMP {
					if total.num != n || total.den != d {
						t.Errorf("%s: total %d/%d, parts %d/%d", what, total.num, total.den, n, d)
					}
				} else if total.value != v {
					t.Errorf("%s: total %v, parts %v", what, total.value, v)
				}
			}
			for _, tr := range c.opt.Territories {
				for _, y := range years {
					p := strconv.Itoa(y)
					codes := []string{"ensemble"}
					for _, s := range sectors {
						if s.Code == SectorOther {
							codes = append(codes, other)
						} else {
							codes = append(codes, s.Code)
						}
					}
					for _, s := range codes {
						get := func(sex string) row {
							r, ok := byKey[k{tr.Code, p, sex, s}]
							if !ok {
								t.Fatalf("no row %s %s %s %s", tr.Code, p, sex, s)
							}
							return r
						}
						check(fmt.Sprintf("%s %s %s ensemble=femmes+hommes", tr.Code, p, s), get("ensemble"), []row{get("femmes"), get("hommes")})
					}
					for _, sex := range sexes {
						var parts []row
						for _, s := range codes[1:] {
							parts = append(parts, byKey[k{tr.Code, p, sex, s}])
						}
						check(fmt.Sprintf("%s %s %s ensemble=Σ sectors", tr.Code, p, sex), byKey[k{tr.Code, p, sex, "ensemble"}], parts)
					}
				}
			}
		})
	}
}

// TestGenerateMagnitudes checks that the fictive figures stay close to the
// national ones they are drawn from, and show the mild trend.
func TestGenerateMagnitudes(t *testing.T) {
	var ts []territory.Territory
	for i := 1; i <= 95; i++ {
		ts = append(ts, territory.Territory{Level: "departement", Code: fmt.Sprintf("%02d", i), Region: strconv.Itoa(i % 13)})
	}
	rows := parseRows(t, mustGenerate(t, Options{Indicator: IndicatorAT, Seed: 11, Years: []int{2020, 2024}, Territories: ts}))
	num, den := map[string]int{}, map[string]int{}
	for _, r := range rows {
		if r.sex == "ensemble" {
			num[r.period+"|"+r.sector] += r.num
			den[r.period+"|"+r.sector] += r.den
		}
	}
	rate := func(k string) float64 { return 1000 * float64(num[k]) / float64(den[k]) }
	for _, s := range sectors {
		got := rate("2024|" + s.Code)
		if got < 0.7*s.ATRate() || got > 1.4*s.ATRate() {
			t.Errorf("sector %s: 2024 frequency %.1f, national %.1f", s.Code, got, s.ATRate())
		}
	}
	if a, b := rate("2020|ensemble"), rate("2024|ensemble"); !(a > b) || a > 1.2*b {
		t.Errorf("trend: 2020 %.2f, 2024 %.2f: want a mild decrease", a, b)
	}
	t.Logf("France (fictive) 2024: %.1f AT per 1000 over %d salariés", rate("2024|ensemble"), den["2024|ensemble"])
}

func TestGenerateErrors(t *testing.T) {
	ok := []territory.Territory{{Level: "departement", Code: "31"}}
	cases := []struct {
		name string
		opt  Options
		want string
	}{
		{"no indicator", Options{Territories: ok}, "unknown indicator"},
		{"bad indicator", Options{Indicator: "chomage-ze", Territories: ok}, "unknown indicator"},
		{"no territory", Options{Indicator: IndicatorAT}, "no territory"},
		{"empty years", Options{Indicator: IndicatorAT, Years: []int{}, Territories: ok}, "no year"},
		{"duplicate year", Options{Indicator: IndicatorAT, Years: []int{2021, 2021}, Territories: ok}, "duplicate year"},
		{"bad year", Options{Indicator: IndicatorAT, Years: []int{21}, Territories: ok}, "out of range"},
		{"duplicate territory", Options{Indicator: IndicatorMP, Territories: append(ok, ok[0])}, "duplicate territory"},
		{"no code", Options{Indicator: IndicatorMP, Territories: []territory.Territory{{Level: "departement"}}}, "needs a level and a code"},
		{"rate indicator without rates", Options{Indicator: "demo-at-routier", Territories: ok}, "no valid national rate for sector 87"},
		{"negative rate", Options{Indicator: "demo-at-routier", Territories: ok, Rates: func() map[string]float64 { r := testRates(1); r["F"] = -1; return r }()}, "sector F"},
		{"negative size", Options{Indicator: IndicatorMP, Territories: []territory.Territory{{Level: "departement", Code: "31"}}, Employees: map[string]int{"31": -1}}, "negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Generate(c.opt)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

func TestNAFGroup(t *testing.T) {
	for naf, want := range map[string]string{
		"8710A": "87", "8810C": "88", "7820Z": "78.20Z", "7810Z": SectorOther, "5210B": "52.10", "5224A": SectorOther,
		"4941A": "49", "8121Z": "81", "5610A": "56", "4120A": "F", "4399C": "F", "3811Z": "38", "2511Z": "CH", "2410Z": "CH",
		"2811Z": SectorOther, "xxxxx": SectorOther, "": SectorOther,
	} {
		if got := NAFGroup(naf); got != want {
			t.Errorf("NAFGroup(%q) = %q, want %q", naf, got, want)
		}
	}
}

// The demo's sector groups are the sector focus's, in its order.
func TestSectorsAreTheFocus(t *testing.T) {
	focus := indicator.FocusSectors()
	all := Sectors()
	if len(all) != len(focus)+1 || all[len(all)-1].Code != SectorOther {
		t.Fatalf("%d groups", len(all))
	}
	for i, f := range focus {
		if all[i].Code != f.Code || all[i].Label() != f.Label {
			t.Errorf("group %d: %s %q, focus %s %q", i, all[i].Code, all[i].Label(), f.Code, f.Label)
		}
	}
}

// testRates is a rate of r per 1 000 salariés in every sector.
func testRates(r float64) map[string]float64 {
	out := map[string]float64{}
	for _, s := range sectors {
		out[s.Code] = r
	}
	return out
}

// TestGenerateRateIndicators checks the rate indicators of the exposition
// and maintien themes: the same fictive salariés as the AT frequency (one
// workforce behind every demo map), their own draws, and the national
// rates of the mirror's AT table as magnitudes.
func TestGenerateRateIndicators(t *testing.T) {
	raw, err := os.ReadFile(datasettest.File(t, "derived/at_2024_ctn_naf.csv"))
	if err != nil {
		t.Fatal(err)
	}
	var ts []territory.Territory
	for i := 1; i <= 95; i++ {
		ts = append(ts, territory.Territory{Level: "departement", Code: fmt.Sprintf("%02d", i), Region: strconv.Itoa(i % 13)})
	}
	at := parseRows(t, mustGenerate(t, Options{Indicator: IndicatorAT, Seed: 11, Years: []int{2024}, Territories: ts}))
	for _, c := range []struct{ indicator, column string }{
		{"demo-at-manutention", "Manutention manuelle"},
		{"demo-at-routier", "Risque routier"},
		{"demo-ip-nouvelles", "Nouvelles IP"},
		{"demo-ip-graves", "dont IP avec taux ≥ 10% "},
	} {
		t.Run(c.indicator, func(t *testing.T) {
			rates, err := RatesFromAT(bytes.NewReader(raw), c.column)
			if err != nil {
				t.Fatal(err)
			}
			rows := parseRows(t, mustGenerate(t, Options{Indicator: c.indicator, Seed: 11, Years: []int{2024}, Territories: ts, Rates: rates}))
			if len(rows) != len(at) {
				t.Fatalf("%d rows, AT has %d", len(rows), len(at))
			}
			sameCounts := 0
			num, den := map[string]int{}, map[string]int{}
			for i, r := range rows {
				if r.den != at[i].den || r.code != at[i].code || r.sector != at[i].sector || r.sex != at[i].sex {
					t.Fatalf("row %d: %+v, AT row %+v: not the same salariés", i, r, at[i])
				}
				if r.num == at[i].num {
					sameCounts++
				}
				if r.sex == "ensemble" {
					num[r.sector] += r.num
					den[r.sector] += r.den
				}
			}
			if sameCounts == len(rows) {
				t.Fatal("the counts are the AT counts: not their own draws")
			}
			for _, s := range sectors {
				want := rates[s.Code]
				got := 1000 * float64(num[s.Code]) / float64(den[s.Code])
				// Poisson noise on small national rates: a wide band, and
				// an absolute slack for the rarest (risque routier).
				if got < 0.6*want-0.05 || got > 1.6*want+0.05 {
					t.Errorf("sector %s: %.3f per 1000, national %.3f", s.Code, got, want)
				}
			}
			t.Logf("France (fictive) 2024: %.2f per 1000 (national %.2f in F)", 1000*float64(num["ensemble"])/float64(max(1, den["ensemble"])), rates["F"])
		})
	}
}
