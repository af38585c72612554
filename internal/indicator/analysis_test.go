package indicator

import (
	"math"
	"strings"
	"testing"
)

func pv(code string, x float64) Value {
	return Value{Key: Key{Code: code}, Value: &x, Numerator: &x, Status: StatusPublished}
}

func sv(code string, x float64) Value {
	return Value{Key: Key{Code: code}, Value: &x, Numerator: &x, Status: StatusSecret}
}

func TestChangeAndGap(t *testing.T) {
	missing := Value{Key: Key{Code: "m"}, Status: StatusMissing}
	for _, c := range []struct {
		name   string
		got    Value
		status Status
		want   float64
	}{
		{"absolute", Change(pv("a", 4), pv("a", 6.5), ChangeAbsolute), StatusPublished, 2.5},
		{"relative", Change(pv("a", 4), pv("a", 5), ChangeRelative), StatusPublished, 25},
		{"relative from negative", Change(pv("a", -4), pv("a", -2), ChangeRelative), StatusPublished, 50},
		{"relative from zero", Change(pv("a", 0), pv("a", 5), ChangeRelative), StatusMissing, 0},
		{"secret before", Change(sv("a", 4), pv("a", 5), ChangeAbsolute), StatusSecret, 0},
		{"secret after", Change(pv("a", 4), sv("a", 5), ChangeAbsolute), StatusSecret, 0},
		{"secret beats missing", Change(missing, sv("a", 5), ChangeAbsolute), StatusSecret, 0},
		{"missing", Change(pv("a", 4), missing, ChangeAbsolute), StatusMissing, 0},
		{"ratio", Gap(pv("a", 3), pv("a", 6), GapRatio), StatusPublished, 0.5},
		{"ratio to zero", Gap(pv("a", 3), pv("a", 0), GapRatio), StatusMissing, 0},
		{"difference", Gap(pv("a", 3), pv("a", 6), GapDifference), StatusPublished, -3},
		{"gap secret", Gap(pv("a", 3), sv("a", 6), GapDifference), StatusSecret, 0},
	} {
		if c.got.Status != c.status {
			t.Errorf("%s: status %s, want %s", c.name, c.got.Status, c.status)
			continue
		}
		if c.status != StatusPublished {
			if c.got.Value != nil || c.got.Numerator != nil || c.got.Denominator != nil {
				t.Errorf("%s: a %s change carries figures", c.name, c.status)
			}
			continue
		}
		if c.got.Value == nil || math.Abs(*c.got.Value-c.want) > 1e-12 {
			t.Errorf("%s: %v, want %g", c.name, c.got.Value, c.want)
		}
		if c.got.Numerator != nil {
			t.Errorf("%s: a derived value carries counts", c.name)
		}
	}
}

func TestRanksAgreesWithRank(t *testing.T) {
	vals := []Value{pv("a", 3), pv("b", 5), pv("c", 5), sv("d", 9), pv("e", 1), {Key: Key{Code: "f"}, Status: StatusMissing}}
	ranks, of := Ranks(vals)
	for _, v := range vals {
		r, n, ok := Rank(vals, v.Code)
		if n != of || ranks[v.Code] != r || (ok != (ranks[v.Code] > 0)) {
			t.Errorf("%s: Ranks %d of %d, Rank %d of %d (%v)", v.Code, ranks[v.Code], of, r, n, ok)
		}
	}
	if _, ok := ranks["d"]; ok {
		t.Error("a secret value is ranked")
	}
}

func TestBuildDiverging(t *testing.T) {
	ind := Indicator{Unit: "pts", Decimals: 1, Polarity: HigherIsWorse}
	vals := []Value{pv("a", -3), pv("b", -1), pv("c", 0.5), pv("d", 1), pv("e", 2), pv("f", 4), sv("g", 100), {Key: Key{Code: "h"}, Status: StatusMissing}}
	// Four classes over two values below zero and four above: one class
	// below (the split is 4·2/6 ≈ 1), three above.
	ch, err := BuildDiverging(ind, vals, DivergingOptions{Method: MethodQuantiles, Classes: 4, Warm: 1})
	if err != nil {
		t.Fatal(err)
	}
	wantUpper := []float64{0, 1, 2, 4}
	if len(ch.Breaks.Upper) != len(wantUpper) {
		t.Fatalf("upper %v, want %v", ch.Breaks.Upper, wantUpper)
	}
	for i := range wantUpper {
		if ch.Breaks.Upper[i] != wantUpper[i] {
			t.Fatalf("upper %v, want %v", ch.Breaks.Upper, wantUpper)
		}
	}
	if ch.Breaks.Min != -3 {
		t.Errorf("min %g", ch.Breaks.Min)
	}
	// Below zero: the light end of Blues; above: Reds darkening.
	want := []string{"#deebf7", "#fee0d2", "#fc9272", "#de2d26"}
	for i := range want {
		if ch.Colors[i] != want[i] {
			t.Errorf("colours %v, want %v", ch.Colors, want)
			break
		}
	}
	classOf := map[string]int{}
	for _, it := range ch.Items {
		classOf[it.Value.Code] = it.Class
		if it.Value.Code == "g" && (it.Value.Value != nil || it.Value.Numerator != nil) {
			t.Error("the secret value's figures reach the classed items")
		}
	}
	for code, k := range map[string]int{"a": 0, "b": 0, "c": 1, "d": 1, "e": 2, "f": 3, "g": ch.SecretClass(), "h": ch.MissingClass()} {
		if classOf[code] != k {
			t.Errorf("%s in class %d, want %d", code, classOf[code], k)
		}
	}
	if ch.Legend[ch.SecretClass()].Count != 1 || ch.Legend[ch.SecretClass()].Min != nil {
		t.Errorf("secret legend entry %+v", ch.Legend[ch.SecretClass()])
	}

	// A higher-is-better indicator: the falls are the warm side.
	ch, err = BuildDiverging(ind, vals, DivergingOptions{Method: MethodQuantiles, Classes: 4, Warm: WarmSide(HigherIsBetter)})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Colors[0] != "#fee0d2" || ch.Colors[1] != "#deebf7" || ch.Colors[3] != "#3182bd" {
		t.Errorf("higher is better: colours %v", ch.Colors)
	}

	// Manual breaks must hold the centre.
	if _, err := BuildDiverging(ind, vals, DivergingOptions{Method: MethodManual, Classes: 3, Manual: []float64{-1, 1}}); err == nil {
		t.Error("manual breaks without 0 accepted")
	}
	ch, err = BuildDiverging(ind, vals, DivergingOptions{Method: MethodManual, Classes: 3, Manual: []float64{-1, 0}, Warm: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Colors) != 3 || ch.Colors[2] != "#fee0d2" || ch.Colors[0] != "#3182bd" {
		t.Errorf("manual: colours %v", ch.Colors)
	}

	// Only rises: every class above the centre.
	ch, err = BuildDiverging(ind, []Value{pv("a", 1), pv("b", 2), pv("c", 3)}, DivergingOptions{Method: MethodEqualIntervals, Classes: 3, Warm: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Colors) != 3 || ch.Colors[0] != "#fee0d2" {
		t.Errorf("rises only: %v", ch.Colors)
	}
	// A ratio's centre is 1.
	ch, err = BuildDiverging(ind, []Value{pv("a", 0.5), pv("b", 0.9), pv("c", 1.2), pv("d", 2)}, DivergingOptions{Method: MethodQuantiles, Classes: 2, Centre: 1, Warm: 1})
	if err != nil {
		t.Fatal(err)
	}
	if ch.Breaks.Upper[0] != 1 {
		t.Errorf("ratio: upper %v", ch.Breaks.Upper)
	}
}

func TestCorrelate(t *testing.T) {
	r := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	for _, c := range []struct {
		name        string
		a, b        []float64
		pearson, sp float64
	}{
		{"perfect", []float64{1, 2, 3, 4}, []float64{2, 4, 6, 8}, 1, 1},
		{"inverse", []float64{1, 2, 3}, []float64{3, 2, 1}, -1, -1},
		// Monotone but not linear: Spearman is 1, Pearson below.
		{"monotone", []float64{1, 2, 3, 4, 5}, []float64{1, 4, 9, 16, 100}, 0.7952, 1},
		// Ties get mean ranks: ranks of b are 1.5 1.5 3 4.
		{"ties", []float64{1, 2, 3, 4}, []float64{1, 1, 2, 3}, 0.9439, 0.9487},
		{"constant", []float64{1, 2, 3}, []float64{5, 5, 5}, math.NaN(), math.NaN()},
		{"too few", []float64{1, 2}, []float64{1, 2}, math.NaN(), math.NaN()},
	} {
		got := Correlate(c.a, c.b)
		if got.N != len(c.a) {
			t.Errorf("%s: n %d", c.name, got.N)
		}
		for _, x := range []struct {
			what      string
			got, want float64
		}{{"pearson", r(got.Pearson), c.pearson}, {"spearman", r(got.Spearman), c.sp}} {
			if math.IsNaN(x.want) != math.IsNaN(x.got) || (!math.IsNaN(x.want) && math.Abs(x.got-x.want) > 1e-4) {
				t.Errorf("%s: %s %g, want %g", c.name, x.what, x.got, x.want)
			}
		}
	}
}

func TestCorrelationCaution(t *testing.T) {
	if s := CorrelationCaution(12); !strings.Contains(s, "12 territoires") || !strings.Contains(s, "causalité") || !strings.Contains(s, "écologique") {
		t.Errorf("caution for 12: %s", s)
	}
	if s := CorrelationCaution(300); strings.Contains(s, "incertain") {
		t.Errorf("caution for 300 warns of a small n: %s", s)
	}
}

func TestBivariateColoursAreDistinct(t *testing.T) {
	seen := map[string]bool{SecretColor: true, MissingColor: true}
	for _, row := range BivariateColors {
		for _, c := range row {
			if seen[c] {
				t.Errorf("colour %s twice (or a secret/missing colour)", c)
			}
			seen[c] = true
		}
	}
}
