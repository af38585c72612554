package indicator_test

import (
	"fmt"

	"github.com/atlas-sante-travail/atlas/internal/indicator"
	"github.com/atlas-sante-travail/atlas/internal/territory"
)

func ptr(x float64) *float64 { return &x }

// A map of five départements, one of them under the secret statistique:
// it gets the secret class and takes no part in the breaks.
func ExampleBuildChoropleth() {
	ind := indicator.Indicator{ID: "tf-at", Unit: "‰", Decimals: 1, Polarity: indicator.HigherIsWorse}
	dep := func(code string, x float64, st indicator.Status) indicator.Value {
		return indicator.Value{
			Key:   indicator.Key{Indicator: ind.ID, Level: territory.Departement, Code: code, Period: "2023"},
			Value: ptr(x), Status: st,
		}
	}
	values := []indicator.Value{
		dep("09", 21.4, indicator.StatusPublished),
		dep("31", 18.2, indicator.StatusPublished),
		dep("32", 25.0, indicator.StatusProvisional),
		dep("46", 99.9, indicator.StatusSecret),
		dep("81", 30.7, indicator.StatusPublished),
	}
	c, err := indicator.BuildChoropleth(ind, values, indicator.ChoroplethOptions{
		Method: indicator.MethodQuantiles, Classes: 2, Palette: "reds",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range c.Items {
		fmt.Println(it.Value.Code, "class", it.Class, "has figure:", it.Value.Value != nil)
	}
	for _, l := range c.Legend {
		// %q shows the no-break space before the unit.
		fmt.Printf("%d %s %q (%d)\n", l.Class, l.Color, l.Label, l.Count)
	}
	// Output:
	// 09 class 0 has figure: true
	// 31 class 0 has figure: true
	// 32 class 1 has figure: true
	// 46 class 2 has figure: false
	// 81 class 1 has figure: true
	// 0 #fee0d2 "de 18,2 à 21,4\u00a0‰" (2)
	// 1 #de2d26 "de 21,4 à 30,7\u00a0‰" (2)
	// 2 #8c8c8c "secret statistique" (1)
	// 3 #e3e3e3 "donnée manquante" (0)
}

// Three départements of a région computed from them. 09 is a small count
// (primary secret); since the région total is published, 09 could be
// recomputed by subtraction, so the smallest other département is hidden
// too (secondary secret).
func ExampleApplySecret() {
	ind := indicator.Indicator{
		ID: "at-count", Aggregation: indicator.AggregateSum,
		Threshold: 5, ThresholdOn: indicator.ThresholdOnValue,
		Sexes: []indicator.Sex{indicator.SexEnsemble}, Sectors: []string{indicator.SectorAll},
	}
	count := func(level territory.Level, code string, n float64, computed bool) indicator.Value {
		return indicator.Value{
			Key: indicator.Key{Indicator: ind.ID, Level: level, Code: code, Period: "2023",
				Sex: string(indicator.SexEnsemble), Sector: indicator.SectorAll},
			Value: ptr(n), Status: indicator.StatusPublished, Computed: computed,
		}
	}
	values := []indicator.Value{
		count(territory.Departement, "09", 3, false),
		count(territory.Departement, "31", 40, false),
		count(territory.Departement, "32", 55, false),
		count(territory.Region, "76", 98, true),
	}
	parents := map[string]map[string]string{
		indicator.ParentKey(territory.Departement, territory.Region): {"09": "76", "31": "76", "32": "76"},
	}
	for _, v := range indicator.ApplySecret(ind, values, parents) {
		fmt.Println(v.Level, v.Code, v.Status)
	}
	// Output:
	// departement 09 secret
	// departement 31 secret
	// departement 32 published
	// region 76 published
}

// Every output channel asks Gate for the figure it may show; a secret value
// comes back without its value and counts.
func ExampleGate() {
	for _, v := range []indicator.Value{
		{Key: indicator.Key{Code: "31"}, Value: ptr(18.2), Numerator: ptr(182), Denominator: ptr(10000), Status: indicator.StatusPublished},
		{Key: indicator.Key{Code: "46"}, Value: ptr(40), Numerator: ptr(4), Denominator: ptr(100), Status: indicator.StatusSecret},
		{Key: indicator.Key{Code: "09"}, Status: indicator.StatusMissing},
	} {
		rv, x, ok := indicator.Gate(v)
		if ok {
			fmt.Println(rv.Code, rv.Status, x)
		} else {
			fmt.Println(rv.Code, rv.Status, "no figure, counts removed:", rv.Numerator == nil && rv.Denominator == nil)
		}
	}
	// Output:
	// 31 published 18.2
	// 46 secret no figure, counts removed: true
	// 09 missing no figure, counts removed: true
}

// The forms found in producers' files all normalise to one spelling.
func ExampleParsePeriod() {
	for _, s := range []string{"2021", "2021-T3", "T3_2021", "2021t3", "2021-Q3"} {
		p, err := indicator.ParsePeriod(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s → %s (year %d, quarter %d)\n", s, p, p.Year, p.Quarter)
	}
	// Output:
	// 2021 → 2021 (year 2021, quarter 0)
	// 2021-T3 → 2021-T3 (year 2021, quarter 3)
	// T3_2021 → 2021-T3 (year 2021, quarter 3)
	// 2021t3 → 2021-T3 (year 2021, quarter 3)
	// invalid period "2021-Q3" (want a year such as 2021 or a quarter such as 2021-T3)
}
