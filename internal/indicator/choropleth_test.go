package indicator

import (
	"fmt"
	"math"
	"math/rand"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func val(code string, v float64, st Status) Value {
	return Value{Key: Key{Level: "departement", Code: code}, Value: ptr(v), Numerator: ptr(v * 10), Denominator: ptr(1000), Status: st}
}

func testIndicator() Indicator {
	return Indicator{ID: "x", Unit: "%", Decimals: 1, Polarity: HigherIsWorse, Aggregation: AggregateRatio, Scale: 100}
}

func TestBuildChoropleth(t *testing.T) {
	ind := testIndicator()
	vals := []Value{
		val("01", 1, StatusPublished), val("02", 2, StatusPublished), val("03", 3, StatusProvisional),
		val("04", 4, StatusPublished), val("05", 5, StatusEstimated), val("06", 6, StatusPublished),
		val("07", 999, StatusSecret), {Key: Key{Code: "08"}, Status: StatusMissing},
		{Key: Key{Code: "09"}, Status: StatusPublished}, // published without a figure: missing
	}
	for _, c := range []struct {
		name    string
		opt     ChoroplethOptions
		upper   []float64
		counts  []int
		classes []int
		labels  []string
	}{
		{"quantiles 3", ChoroplethOptions{Method: MethodQuantiles, Classes: 3, Palette: "blues"},
			[]float64{2, 4, 6}, []int{2, 2, 2}, []int{0, 0, 1, 1, 2, 2, 3, 4, 4},
			[]string{"de 1,0 à 2,0\u00a0%", "de 2,0 à 4,0\u00a0%", "de 4,0 à 6,0\u00a0%", SecretLabel, MissingLabel}},
		{"manual", ChoroplethOptions{Method: MethodManual, Classes: 2, Manual: []float64{2.5}, Palette: "blues"},
			[]float64{2.5, 6}, []int{2, 4}, []int{0, 0, 1, 1, 1, 1, 2, 3, 3},
			[]string{"de 1,0 à 2,5\u00a0%", "de 2,5 à 6,0\u00a0%", SecretLabel, MissingLabel}},
		{"equal intervals", ChoroplethOptions{Method: MethodEqualIntervals, Classes: 5, Palette: DefaultPalette},
			[]float64{2, 3, 4, 5, 6}, []int{2, 1, 1, 1, 1}, []int{0, 0, 1, 2, 3, 4, 5, 6, 6}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			ch, err := BuildChoropleth(ind, vals, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ch.Breaks.Upper, c.upper) || !reflect.DeepEqual(ch.Breaks.Counts, c.counts) {
				t.Errorf("breaks %+v", ch.Breaks)
			}
			var classes []int
			for _, it := range ch.Items {
				classes = append(classes, it.Class)
				if !Publishable(it.Value.Status) && (it.Value.Value != nil || it.Value.Numerator != nil || it.Value.Denominator != nil) {
					t.Errorf("%s: secret figures kept", it.Value.Code)
				}
			}
			if !reflect.DeepEqual(classes, c.classes) {
				t.Errorf("classes %v, want %v", classes, c.classes)
			}
			sec, mis := ch.Legend[ch.SecretClass()], ch.Legend[ch.MissingClass()]
			if sec.Count != 1 || sec.Color != SecretColor || mis.Count != 2 || mis.Color != MissingColor || mis.Label != MissingLabel {
				t.Errorf("legend %+v", ch.Legend)
			}
			if c.labels != nil {
				var labels []string
				for _, l := range ch.Legend {
					labels = append(labels, l.Label)
				}
				if !reflect.DeepEqual(labels, c.labels) {
					t.Errorf("labels %q", labels)
				}
			}
			// higher-is-worse: the last value class is the darkest one.
			want, _ := Colors(c.opt.Palette, ch.Breaks.Classes, HigherIsWorse)
			if !reflect.DeepEqual(ch.Colors, want) {
				t.Errorf("colors %v", ch.Colors)
			}
		})
	}
}

func TestBuildChoroplethPolarityAndErrors(t *testing.T) {
	ind := testIndicator()
	ind.Polarity = HigherIsBetter
	vals := []Value{val("01", 1, StatusPublished), val("02", 2, StatusPublished), val("03", 3, StatusPublished)}
	ch, err := BuildChoropleth(ind, vals, ChoroplethOptions{Method: MethodQuantiles, Classes: 3, Palette: "blues"})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Colors("blues", 3, HigherIsBetter)
	if !reflect.DeepEqual(ch.Colors, want) {
		t.Errorf("colors %v", ch.Colors)
	}
	for _, c := range []struct {
		opt   ChoroplethOptions
		field string
	}{
		{ChoroplethOptions{Method: "kmeans", Classes: 3, Palette: "blues"}, "method"},
		{ChoroplethOptions{Method: MethodQuantiles, Classes: 1, Palette: "blues"}, "classes"},
		{ChoroplethOptions{Method: MethodQuantiles, Classes: 10, Palette: "blues"}, "classes"},
		{ChoroplethOptions{Method: MethodQuantiles, Classes: 3, Palette: "rainbow"}, "palette"},
		{ChoroplethOptions{Method: MethodManual, Classes: 3, Manual: []float64{1}, Palette: "blues"}, "manual"},
		{ChoroplethOptions{Method: MethodManual, Classes: 3, Manual: []float64{2, 1}, Palette: "blues"}, "manual[1]"},
		{ChoroplethOptions{Method: MethodJenks, Classes: 3, Manual: []float64{2, 1}, Palette: "blues"}, "manual"},
	} {
		_, err := BuildChoropleth(ind, vals, c.opt)
		fe, ok := err.(*FieldError)
		if !ok || fe.Field != c.field {
			t.Errorf("%+v: error %v, want field %s", c.opt, err, c.field)
		}
	}
	// Nothing publishable: no classes, but the secret class is still there.
	ch, err = BuildChoropleth(ind, []Value{val("01", 3, StatusSecret)}, DefaultChoroplethOptions())
	if err != nil || ch.Breaks != nil || len(ch.Legend) != 2 || ch.Items[0].Class != 0 || ch.Items[0].Value.Value != nil {
		t.Errorf("%+v %v", ch, err)
	}
}

func TestFormatNumber(t *testing.T) {
	for _, c := range []struct {
		v    float64
		d    int
		want string
	}{
		{5.2, 1, "5,2"}, {1234567.891, 2, "1\u00a0234\u00a0567,89"}, {-0.04, 1, "0,0"}, {-1234, 0, "-1\u00a0234"}, {12, 0, "12"},
	} {
		if got := FormatNumber(c.v, c.d); got != c.want {
			t.Errorf("%v/%d: %q, want %q", c.v, c.d, got, c.want)
		}
	}
	if got := RangeLabel(5.2, 7.8, 1, "%"); got != "de 5,2 à 7,8\u00a0%" {
		t.Errorf("label %q", got)
	}
}

func TestFranceReference(t *testing.T) {
	ind := testIndicator()
	regs := []Value{val("76", 2, StatusPublished), val("11", 4, StatusProvisional)}
	regs[0].Numerator, regs[0].Denominator = ptr(20), ptr(1000)
	regs[1].Numerator, regs[1].Denominator = ptr(60), ptr(1000)
	r := FranceReference(ind, regs, []string{"11", "76"})
	if r.Value == nil || *r.Value != 4 || r.Status != StatusProvisional || r.Reason != "" {
		t.Errorf("%+v", r)
	}
	regs[1].Status = StatusSecret
	r = FranceReference(ind, regs, []string{"11", "76"})
	if r.Value != nil || !strings.Contains(r.Reason, "secret") {
		t.Errorf("secret région: %+v", r)
	}
	if r := FranceReference(ind, regs[:1], []string{"11", "76"}); r.Value != nil || r.Reason == "" {
		t.Errorf("absent région: %+v", r)
	}
	ind.Aggregation = AggregateNone
	if r := FranceReference(ind, regs, []string{"11", "76"}); r.Value != nil || r.Reason == "" {
		t.Errorf("not additive: %+v", r)
	}
}

// The computed France figure passes Gate like any other: a sum that
// overflows is not a figure and must not be output (nor break the JSON
// encoding of the reference).
func TestFranceReferencePassesGate(t *testing.T) {
	ind := testIndicator()
	ind.Aggregation, ind.Scale = AggregateSum, 0
	regs := []Value{val("76", math.MaxFloat64, StatusPublished), val("11", math.MaxFloat64, StatusPublished)}
	r := FranceReference(ind, regs, []string{"11", "76"})
	if r.Value != nil || r.Label != "" || r.Reason != MissingLabel {
		t.Errorf("overflowing France sum: %+v", r)
	}
	regs[0].Value, regs[1].Value = ptr(2), ptr(4)
	r = FranceReference(ind, regs, []string{"11", "76"})
	if r.Value == nil || *r.Value != 6 || r.Label != "6,0\u00a0%" || r.Status != StatusPublished {
		t.Errorf("finite France sum: %+v", r)
	}
}

func TestRankAndLatest(t *testing.T) {
	vals := []Value{val("01", 5, StatusPublished), val("02", 9, StatusPublished), val("03", 100, StatusSecret), val("04", 5, StatusPublished)}
	if r, of, ok := Rank(vals, "04"); !ok || r != 2 || of != 3 {
		t.Errorf("04: %d/%d %v", r, of, ok)
	}
	if _, _, ok := Rank(vals, "03"); ok {
		t.Error("a secret value is ranked")
	}
	if got := LatestPeriod([]string{"2021", "2022-T1", "2022", "bad"}); got != "2022-T1" {
		t.Errorf("latest %q", got)
	}
}

// A commune map of a large région (Occitanie has about 4 450 communes),
// 3 % secret and 1 % missing, the values drawn like benchValues.
func BenchmarkBuildChoropleth(b *testing.B) {
	ind := testIndicator()
	rng := rand.New(rand.NewSource(4445))
	values := make([]Value, 4445)
	for i, x := range benchValues(len(values)) {
		st := StatusPublished
		switch r := rng.Float64(); {
		case r < 0.03:
			st = StatusSecret
		case r < 0.04:
			st = StatusMissing
		}
		values[i] = val(fmt.Sprintf("%05d", i), x, st)
	}
	for _, m := range []Method{MethodQuantiles, MethodJenks} {
		b.Run(string(m), func(b *testing.B) {
			opt := ChoroplethOptions{Method: m, Classes: 7, Palette: DefaultPalette}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := BuildChoropleth(ind, values, opt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// groupedFrench is the shape FormatNumber promises for a finite number:
// optional minus, thousands separated by no-break spaces, decimal comma.
var groupedFrench = regexp.MustCompile(`^-?[0-9]{1,3}(\x{00a0}[0-9]{3})*(,[0-9]+)?$`)

// FuzzFormatNumber checks that FormatNumber never panics and only changes
// the spelling of the number: once the no-break spaces are removed and the
// decimal comma put back to a point, the text parses to v rounded to the
// decimals (as strconv rounds it), within half a unit of the last decimal.
// decimals is an int8 so that the fuzzer explores the clamping of negative
// values and long fractions without asking for gigabytes of digits.
func FuzzFormatNumber(f *testing.F) {
	for _, c := range []struct {
		v float64
		d int8
	}{
		{5.2, 1}, {1234567.891, 2}, {-0.04, 1}, {-1234, 0}, {12, 0}, {0, 3}, {999.5, 0}, {-999.96, 1},
		{1e21, 0}, {math.MaxFloat64, 2}, {math.SmallestNonzeroFloat64, 20}, {3.25, -2},
		{math.NaN(), 1}, {math.Inf(1), 0}, {math.Inf(-1), 2},
	} {
		f.Add(c.v, c.d)
	}
	f.Fuzz(func(t *testing.T, v float64, d int8) {
		got := FormatNumber(v, int(d))
		decimals := max(int(d), 0)
		want := strconv.FormatFloat(v, 'f', decimals, 64)
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if got != want {
				t.Fatalf("FormatNumber(%v, %d) = %q, want %q", v, d, got, want)
			}
			return
		}
		if !groupedFrench.MatchString(got) {
			t.Fatalf("FormatNumber(%v, %d) = %q, not a French grouped number", v, d, got)
		}
		if n := strings.Count(got, ","); (n == 1) != (decimals > 0) {
			t.Fatalf("FormatNumber(%v, %d) = %q, want %d decimals", v, d, got, decimals)
		}
		back, err := strconv.ParseFloat(strings.ReplaceAll(strings.ReplaceAll(got, "\u00a0", ""), ",", "."), 64)
		if err != nil {
			t.Fatalf("FormatNumber(%v, %d) = %q, does not parse back: %v", v, d, got, err)
		}
		rounded, _ := strconv.ParseFloat(want, 64)
		if back != rounded {
			t.Fatalf("FormatNumber(%v, %d) = %q, parses back to %v, want %v", v, d, got, back, rounded)
		}
		// Independent of strconv's rounding: at most half a unit of the last
		// decimal away, plus the error of reading the decimal back as a float.
		slack := 0.5*math.Pow(10, -float64(decimals)) + 2*(math.Nextafter(math.Abs(back), math.Inf(1))-math.Abs(back))
		if math.Abs(back-v) > slack {
			t.Fatalf("FormatNumber(%v, %d) = %q, %v away from v", v, d, got, math.Abs(back-v))
		}
	})
}
