package indicator

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"

	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func pubCountIndicator(threshold int, sectors ...string) Indicator {
	return Indicator{
		ID: "at-count", Label: "AT", Theme: ThemeSinistralite, Definition: "d", Unit: "accidents",
		Producer: "p", Source: "s", Licence: "l", Vintages: []string{"2022", "2023"},
		Levels: []territory.Level{"region", "departement"}, Sexes: []Sex{SexEnsemble, SexFemmes, SexHommes},
		Sectors: sectors, Polarity: HigherIsWorse, Aggregation: AggregateSum,
		Threshold: threshold, ThresholdOn: ThresholdOnValue,
	}
}

func pubVal(ind Indicator, level territory.Level, code, period, sex, sector string, x float64, computed bool) Value {
	return Value{
		Key:   Key{Indicator: ind.ID, Level: level, Code: code, Period: period, Sex: sex, Sector: sector},
		Value: ptr(x), Status: StatusPublished, Computed: computed,
	}
}

// pubRandomTable builds département × sex × sector counts and the régions
// computed from them, with consistent totals, and the independent list of
// the equations a reader can use.
func pubRandomTable(rng *rand.Rand, ind Indicator) ([]Value, map[string]map[string]string, []Constraint) {
	sectors := ind.Sectors[1:]
	parentOf := map[string]string{}
	var values []Value
	var constraints []Constraint
	id := func(level territory.Level, code, period, sex, sector string) string {
		return string(level) + "|" + code + "|" + period + "|" + sex + "|" + sector
	}
	nReg := 2 + rng.Intn(3)
	type cell struct{ code, sex, sector string }
	regChildren := map[string][]string{}
	var deps []string
	dep := 0
	for r := 0; r < nReg; r++ {
		reg := fmt.Sprintf("%02d", 11+r)
		for d := 2 + rng.Intn(3); d > 0; d-- {
			dep++
			code := fmt.Sprintf("%02d", dep)
			parentOf[code] = reg
			regChildren[reg] = append(regChildren[reg], code)
			deps = append(deps, code)
		}
	}
	for _, period := range []string{"2022", "2023"} {
		regTotals := map[cell]float64{}
		for _, code := range deps {
			reg := parentOf[code]
			counts := map[cell]float64{}
			for _, sex := range []string{"femmes", "hommes"} {
				for _, s := range sectors {
					var n float64
					switch rng.Intn(6) {
					case 0:
						n = 0
					case 1:
						n = float64(1 + rng.Intn(4)) // below threshold 5
					default:
						n = float64(5 + rng.Intn(60))
					}
					counts[cell{code, sex, s}] = n
					counts[cell{code, sex, SectorAll}] += n
					counts[cell{code, "ensemble", s}] += n
					counts[cell{code, "ensemble", SectorAll}] += n
				}
			}
			for c, n := range counts {
				values = append(values, pubVal(ind, "departement", c.code, period, c.sex, c.sector, n, false))
				regTotals[cell{reg, c.sex, c.sector}] += n
			}
		}
		for c, n := range regTotals {
			values = append(values, pubVal(ind, "region", c.code, period, c.sex, c.sector, n, true))
		}
		for _, level := range []territory.Level{"departement", "region"} {
			codes := map[string]bool{}
			for _, v := range values {
				if v.Level == level && v.Period == period {
					codes[v.Code] = true
				}
			}
			for code := range codes {
				for _, s := range ind.Sectors {
					constraints = append(constraints, Constraint{Total: id(level, code, period, "ensemble", s),
						Parts: []string{id(level, code, period, "femmes", s), id(level, code, period, "hommes", s)}})
				}
				for _, sex := range []string{"ensemble", "femmes", "hommes"} {
					c := Constraint{Total: id(level, code, period, sex, SectorAll)}
					for _, s := range sectors {
						c.Parts = append(c.Parts, id(level, code, period, sex, s))
					}
					constraints = append(constraints, c)
				}
			}
		}
		for reg, deps := range regChildren {
			for _, sex := range []string{"ensemble", "femmes", "hommes"} {
				for _, s := range ind.Sectors {
					c := Constraint{Total: id("region", reg, period, sex, s)}
					for _, d := range deps {
						c.Parts = append(c.Parts, id("departement", d, period, sex, s))
					}
					constraints = append(constraints, c)
				}
			}
		}
	}
	return values, map[string]map[string]string{"departement": parentOf}, constraints
}

func TestApplySecretLeavesNothingRecoverable(t *testing.T) {
	ind := pubCountIndicator(5, SectorAll, "C", "F", "GZ")
	checked := 0
	for seed := int64(1); seed <= 40; seed++ {
		rng := rand.New(rand.NewSource(seed))
		values, parents, constraints := pubRandomTable(rng, ind)
		out := ApplySecret(ind, values, parents)
		if len(out) != len(values) {
			t.Fatalf("seed %d: %d values out of %d", seed, len(out), len(values))
		}
		cells := map[string]Cell{}
		secret := map[string]Reason{}
		nPrimary, nSecret := 0, 0
		for i, v := range out {
			id := CellID(v.Key)
			cells[id] = Cell{Count: *v.Value}
			if values[i].Status != StatusPublished {
				t.Fatalf("seed %d: input changed", seed)
			}
			if BelowThreshold(*v.Value, 5) {
				nPrimary++
				if v.Status != StatusSecret {
					t.Errorf("seed %d: %s = %v published below the threshold", seed, id, *v.Value)
				}
			}
			if v.Status == StatusSecret {
				nSecret++
				secret[id] = ReasonPrimary
			}
		}
		if nPrimary == 0 {
			continue
		}
		checked++
		if rec := checkRecoverable(cells, constraints, secret); len(rec) > 0 {
			t.Errorf("seed %d: %d primary, %d secret; recoverable: %v", seed, nPrimary, nSecret, rec)
		}
	}
	if checked == 0 {
		t.Fatal("no random table had a primary cell: the test would prove nothing")
	}
}

func TestApplySecretLoneSmallCount(t *testing.T) {
	ind := pubCountIndicator(5, SectorAll)
	ind.Sexes = []Sex{SexEnsemble}
	values := []Value{
		pubVal(ind, "departement", "09", "2023", "ensemble", SectorAll, 3, false),
		pubVal(ind, "departement", "31", "2023", "ensemble", SectorAll, 40, false),
		pubVal(ind, "departement", "32", "2023", "ensemble", SectorAll, 55, false),
		pubVal(ind, "region", "76", "2023", "ensemble", SectorAll, 98, true),
	}
	parents := map[string]map[string]string{ParentKey("departement", "region"): {"09": "76", "31": "76", "32": "76"}}
	out := ApplySecret(ind, values, parents)
	got := map[string]Status{}
	for _, v := range out {
		got[v.Code] = v.Status
	}
	want := map[string]Status{"09": StatusSecret, "31": StatusSecret, "32": StatusPublished, "76": StatusPublished}
	for c, s := range want {
		if got[c] != s {
			t.Errorf("%s: status %s, want %s", c, got[c], s)
		}
	}

	// The same figures published by the producer for the région are not
	// assumed to be a sum: no secondary cell.
	values[3].Computed = false
	out = ApplySecret(ind, values, parents)
	if out[1].Status != StatusPublished || out[0].Status != StatusSecret {
		t.Errorf("producer total: statuses %s %s", out[0].Status, out[1].Status)
	}

	// Without a rule nothing changes, but a producer-secret cell still
	// gets its complement.
	ind.Threshold = 0
	values[3].Computed = true
	out = ApplySecret(ind, values, parents)
	for _, v := range out {
		if v.Status != StatusPublished {
			t.Errorf("no threshold: %s is %s", v.Code, v.Status)
		}
	}
	values[2].Status = StatusSecret
	out = ApplySecret(ind, values, parents)
	// The complement is the smallest positive sibling, 09.
	if out[2].Status != StatusSecret || out[0].Status != StatusSecret || out[1].Status != StatusPublished {
		t.Errorf("producer secret: %s %s %s", out[0].Status, out[1].Status, out[2].Status)
	}
}

func TestApplySecretRatioCounts(t *testing.T) {
	ind := pubCountIndicator(10, SectorAll)
	ind.Aggregation, ind.ThresholdOn, ind.Scale = AggregateRatio, ThresholdOnNumerator, 1000
	mk := func(sex string, num, den *float64) Value {
		v := Value{Key: Key{Indicator: ind.ID, Level: "departement", Code: "31", Period: "2023", Sex: sex, Sector: SectorAll},
			Numerator: num, Denominator: den, Status: StatusPublished}
		if num != nil && den != nil {
			v.Value = ptr(*num / *den * 1000)
		}
		return v
	}
	values := []Value{
		mk("ensemble", ptr(60), ptr(1000)),
		mk("femmes", ptr(4), ptr(400)), // rate 10‰ but only 4 accidents
		mk("hommes", ptr(56), ptr(600)),
		{Key: Key{Indicator: ind.ID, Level: "departement", Code: "32", Period: "2023", Sex: "ensemble", Sector: SectorAll}, Value: ptr(12), Status: StatusPublished},
		{Key: Key{Indicator: ind.ID, Level: "departement", Code: "09", Period: "2023", Sex: "ensemble", Sector: SectorAll}, Status: StatusMissing},
	}
	out := ApplySecret(ind, values, nil)
	want := []Status{StatusPublished, StatusSecret, StatusSecret, StatusSecret, StatusMissing}
	for i, w := range want {
		if out[i].Status != w {
			t.Errorf("%s %s: %s, want %s", out[i].Code, out[i].Sex, out[i].Status, w)
		}
	}
}

// metroRegions is the number of départements of each metropolitan région,
// so that the benchmark's hierarchy has the real shape (96 départements).
var metroRegions = map[string]int{
	"11": 8, "24": 6, "27": 8, "28": 5, "32": 5, "44": 10, "52": 5,
	"53": 4, "75": 12, "76": 13, "84": 12, "93": 6, "94": 2,
}

// BenchmarkApplySecret runs the secret statistique on a national table:
// 96 départements and the 13 régions computed from them, × 3 sexes × all
// sectors and five sectors, for two vintages, with about one département
// × sex × sector count in eight below the threshold.
func BenchmarkApplySecret(b *testing.B) {
	ind := pubCountIndicator(5, SectorAll, "C", "F", "GZ", "OQ", SectorOther)
	rng := rand.New(rand.NewSource(96))
	parentOf := map[string]string{}
	var values []Value
	regions := make([]string, 0, len(metroRegions))
	for r := range metroRegions {
		regions = append(regions, r)
	}
	sort.Strings(regions)
	dep := 0
	for _, reg := range regions {
		for d := 0; d < metroRegions[reg]; d++ {
			dep++
			parentOf[fmt.Sprintf("%02d", dep)] = reg
		}
	}
	type cell struct{ code, sex, sector string }
	for _, period := range []string{"2022", "2023"} {
		regTotals := map[cell]float64{}
		for d := 1; d <= dep; d++ {
			code := fmt.Sprintf("%02d", d)
			counts := map[cell]float64{}
			for _, sex := range []string{"femmes", "hommes"} {
				for _, s := range ind.Sectors[1:] {
					var n float64
					switch r := rng.Float64(); {
					case r < 0.08:
						n = 0
					case r < 0.2:
						n = float64(1 + rng.Intn(4))
					default:
						n = float64(5 + rng.Intn(2000))
					}
					for _, c := range []cell{{code, sex, s}, {code, sex, SectorAll}, {code, "ensemble", s}, {code, "ensemble", SectorAll}} {
						counts[c] += n
					}
				}
			}
			for c, n := range counts {
				values = append(values, pubVal(ind, "departement", c.code, period, c.sex, c.sector, n, false))
				regTotals[cell{parentOf[code], c.sex, c.sector}] += n
			}
		}
		for c, n := range regTotals {
			values = append(values, pubVal(ind, "region", c.code, period, c.sex, c.sector, n, true))
		}
	}
	// Map order above; sort so that every run measures the same input.
	sort.Slice(values, func(i, j int) bool { return CellID(values[i].Key) < CellID(values[j].Key) })
	parents := map[string]map[string]string{ParentKey("departement", "region"): parentOf}

	var out []Value
	b.ReportAllocs()
	for b.Loop() {
		out = ApplySecret(ind, values, parents)
	}
	nSecret := 0
	for _, v := range out {
		if v.Status == StatusSecret {
			nSecret++
		}
	}
	b.ReportMetric(float64(len(values)), "values")
	b.ReportMetric(float64(nSecret), "secret")
}
