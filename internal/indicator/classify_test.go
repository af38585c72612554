package indicator

import (
	"errors"
	"math"
	"math/rand"
	"sort"
	"strings"
	"testing"
)

func seq(from, to float64) []float64 {
	var out []float64
	for v := from; v <= to; v++ {
		out = append(out, v)
	}
	return out
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-9 {
			return false
		}
	}
	return true
}

func TestClassifyKnownSeries(t *testing.T) {
	sd := []float64{2, 4, 4, 4, 5, 5, 7, 9} // mean 5, population sd 2
	tests := []struct {
		name    string
		values  []float64
		method  Method
		classes int
		manual  []float64
		min     float64
		upper   []float64
		counts  []int
		reduced bool
	}{
		// Upper bound of class i is the ceil(i·n/k)-th smallest value.
		{"quantiles 1..10 in 4", seq(1, 10), MethodQuantiles, 4, nil, 1, []float64{3, 5, 8, 10}, []int{3, 2, 3, 2}, false},
		{"quantiles 1..10 in 5", seq(1, 10), MethodQuantiles, 5, nil, 1, []float64{2, 4, 6, 8, 10}, []int{2, 2, 2, 2, 2}, false},
		{"quantiles with ties", []float64{1, 1, 1, 1, 1, 1, 2, 3, 4}, MethodQuantiles, 3, nil, 1, []float64{1, 4}, []int{6, 3}, true},
		{"equal intervals 1..10 in 3", seq(1, 10), MethodEqualIntervals, 3, nil, 1, []float64{4, 7, 10}, []int{4, 3, 3}, false},
		{"equal intervals 0..100 in 4", []float64{0, 10, 30, 55, 80, 100}, MethodEqualIntervals, 4, nil, 0, []float64{25, 50, 75, 100}, []int{2, 1, 1, 2}, false},
		{"std dev even: mean and mean±sd", sd, MethodStandardDeviation, 4, nil, 2, []float64{3, 5, 7, 9}, []int{1, 5, 1, 1}, false},
		{"std dev odd: mean±sd/2", sd, MethodStandardDeviation, 3, nil, 2, []float64{4, 6, 9}, []int{4, 2, 2}, false},
		{"std dev five", sd, MethodStandardDeviation, 5, nil, 2, []float64{2, 4, 6, 8, 9}, []int{1, 3, 2, 1, 1}, false},
		// mean 5, sd √2: breaks 5±0.5√2 kept, 5±1.5√2 outside [3, 7].
		{"std dev clipped", []float64{3, 4, 5, 6, 7}, MethodStandardDeviation, 5, nil, 3, []float64{5 - math.Sqrt2/2, 5 + math.Sqrt2/2, 7}, []int{2, 1, 2}, true},
		{"jenks textbook", []float64{4, 5, 9, 10}, MethodJenks, 2, nil, 4, []float64{5, 10}, []int{2, 2}, false},
		// simple-statistics' documented example: classes start at 1, 7, 20.
		{"jenks simple-statistics", []float64{1, 2, 4, 5, 7, 9, 10, 20}, MethodJenks, 3, nil, 1, []float64{5, 10, 20}, []int{4, 3, 1}, false},
		{"manual", seq(0, 30), MethodManual, 3, []float64{10, 20}, 0, []float64{10, 20, 30}, []int{11, 10, 10}, false},
		{"manual wider than data", []float64{12, 15}, MethodManual, 3, []float64{10, 20}, 10, []float64{10, 20, 20}, []int{0, 2, 0}, false},
		{"one distinct value", []float64{5, 5, 5}, MethodJenks, 4, nil, 5, []float64{5}, []int{3}, true},
		{"fewer distinct values than classes", []float64{1, 1, 2, 3, 3}, MethodJenks, 5, nil, 1, []float64{1, 2, 3}, []int{2, 1, 2}, true},
		{"quantiles on few distinct values", []float64{1, 1, 2, 3, 3}, MethodQuantiles, 5, nil, 1, []float64{1, 3}, []int{2, 3}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Classify(tt.values, tt.method, tt.classes, tt.manual)
			if err != nil {
				t.Fatal(err)
			}
			if b.Min != tt.min || !equalFloats(b.Upper, tt.upper) {
				t.Errorf("breaks = min %v upper %v, want min %v upper %v", b.Min, b.Upper, tt.min, tt.upper)
			}
			if b.Classes != len(b.Upper) || b.Requested != tt.classes || b.Reduced() != tt.reduced {
				t.Errorf("classes %d requested %d reduced %v, want reduced %v", b.Classes, b.Requested, b.Reduced(), tt.reduced)
			}
			if tt.reduced != (b.Note != "") {
				t.Errorf("note %q, reduced %v", b.Note, tt.reduced)
			}
			for i := range tt.counts {
				if i >= len(b.Counts) || b.Counts[i] != tt.counts[i] {
					t.Errorf("counts = %v, want %v", b.Counts, tt.counts)
					break
				}
			}
		})
	}
}

func TestClassOf(t *testing.T) {
	b, err := Classify(seq(0, 30), MethodManual, 3, []float64{10, 20})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		v    float64
		want int
	}{{-5, 0}, {0, 0}, {10, 0}, {10.5, 1}, {20, 1}, {20.01, 2}, {30, 2}, {35, 2}, {math.NaN(), -1}}
	for _, tt := range tests {
		if got := b.ClassOf(tt.v); got != tt.want {
			t.Errorf("ClassOf(%v) = %d, want %d", tt.v, got, tt.want)
		}
	}
}

func TestClassifyErrors(t *testing.T) {
	tests := []struct {
		name    string
		values  []float64
		method  Method
		classes int
		manual  []float64
		field   string
	}{
		{"one class", seq(1, 10), MethodJenks, 1, nil, "classes"},
		{"ten classes", seq(1, 10), MethodJenks, 10, nil, "classes"},
		{"unknown method", seq(1, 10), "natural", 3, nil, "method"},
		{"no values", nil, MethodQuantiles, 3, nil, "values"},
		{"NaN value", []float64{1, math.NaN()}, MethodQuantiles, 3, nil, "values[1]"},
		{"manual count", seq(1, 10), MethodManual, 4, []float64{2, 5}, "manual"},
		{"manual not increasing", seq(1, 10), MethodManual, 3, []float64{5, 5}, "manual[1]"},
		{"manual infinite", seq(1, 10), MethodManual, 3, []float64{5, math.Inf(1)}, "manual[1]"},
		{"manual breaks with jenks", seq(1, 10), MethodJenks, 3, []float64{3, 6}, "manual"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Classify(tt.values, tt.method, tt.classes, tt.manual)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field {
				t.Errorf("Classify() error = %v, want field %q", err, tt.field)
			}
		})
	}
	if _, err := ParseMethod("Equal-Intervals"); err != nil {
		t.Errorf("ParseMethod: %v", err)
	}
	if _, err := ParseMethod("kmeans"); err == nil || !strings.Contains(err.Error(), "jenks") {
		t.Errorf("ParseMethod(kmeans) error = %v, want the list of methods", err)
	}
}

// ssdOf returns the total within-class sum of squared deviations of sorted
// values split at the given upper bounds.
func ssdOf(sorted, upper []float64) float64 {
	var total float64
	start := 0
	for _, u := range upper {
		end := start
		for end < len(sorted) && sorted[end] <= u {
			end++
		}
		var mean float64
		for _, v := range sorted[start:end] {
			mean += v
		}
		mean /= float64(end - start)
		for _, v := range sorted[start:end] {
			total += (v - mean) * (v - mean)
		}
		start = end
	}
	return total
}

// bruteForce tries every split of sorted (n ≤ 12) into k non-empty runs.
// unique is false when another split reaches the same optimum (e.g. two
// pairs of values equally far apart), in which case either split is right.
func bruteForce(sorted []float64, k int) (best float64, upper []float64, unique bool) {
	n := len(sorted)
	best = math.Inf(1)
	second := math.Inf(1)
	cuts := make([]int, k-1) // cuts[i] = index of the last value of class i
	var rec func(i, from int)
	rec = func(i, from int) {
		if i == k-1 {
			u := make([]float64, 0, k)
			for _, c := range cuts {
				u = append(u, sorted[c])
			}
			u = append(u, sorted[n-1])
			// Splitting inside a run of ties is not a valid class bound.
			for j, c := range cuts {
				if sorted[c] == sorted[c+1] || (j > 0 && c == cuts[j-1]) {
					return
				}
			}
			if s := ssdOf(sorted, u); s < best {
				best, second, upper = s, best, u
			} else if s < second {
				second = s
			}
			return
		}
		for c := from; c <= n-1-(k-1-i); c++ {
			cuts[i] = c
			rec(i+1, c+1)
		}
	}
	rec(0, 0)
	return best, upper, second-best > 1e-9*(1+best)
}

func TestJenksMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(1977))
	for trial := 0; trial < 300; trial++ {
		n := 4 + rng.Intn(9) // 4..12
		values := make([]float64, n)
		for i := range values {
			if trial%2 == 0 {
				values[i] = math.Round(rng.NormFloat64()*1000) / 10 // distinct almost surely
			} else {
				values[i] = float64(rng.Intn(8)) // many ties
			}
		}
		sorted := append([]float64(nil), values...)
		sort.Float64s(sorted)
		distinct := 1
		for i := 1; i < n; i++ {
			if sorted[i] != sorted[i-1] {
				distinct++
			}
		}
		for k := 2; k <= 6 && k <= distinct; k++ {
			b, err := Classify(values, MethodJenks, k, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, wantUpper, unique := bruteForce(sorted, k)
			got := ssdOf(sorted, b.Upper)
			if b.Classes != k || math.Abs(got-want) > 1e-6*(1+want) {
				t.Fatalf("trial %d, %v in %d classes: jenks %v (ssd %v), brute force %v (ssd %v)", trial, sorted, k, b.Upper, got, wantUpper, want)
			}
			if unique && !equalFloats(b.Upper, wantUpper) {
				t.Fatalf("trial %d: %v jenks %v (%v), brute force %v (%v)", trial, sorted, b.Upper, got, wantUpper, want)
			}
		}
	}
}

// quadraticJenks is the textbook O(k·n²) dynamic programme, as an oracle
// for sizes brute force cannot reach.
func quadraticJenks(sorted []float64, k int) float64 {
	n := len(sorted)
	s1 := make([]float64, n+1)
	s2 := make([]float64, n+1)
	for i, v := range sorted {
		s1[i+1], s2[i+1] = s1[i]+v, s2[i]+v*v
	}
	cost := func(i, j int) float64 { // values i..j, 1-based
		w := float64(j - i + 1)
		s := s1[j] - s1[i-1]
		return s2[j] - s2[i-1] - s*s/w
	}
	d := make([]float64, n+1)
	for j := 1; j <= n; j++ {
		d[j] = cost(1, j)
	}
	for c := 2; c <= k; c++ {
		nd := make([]float64, n+1)
		for j := range nd {
			nd[j] = math.Inf(1)
		}
		for j := c; j <= n; j++ {
			for i := c; i <= j; i++ {
				if v := d[i-1] + cost(i, j); v < nd[j] {
					nd[j] = v
				}
			}
		}
		d = nd
	}
	return d[n]
}

func TestJenksMatchesQuadraticDP(t *testing.T) {
	rng := rand.New(rand.NewSource(42))
	for trial := 0; trial < 20; trial++ {
		values := make([]float64, 300)
		for i := range values {
			values[i] = math.Exp(rng.NormFloat64()) * 100 // skewed, like rates
		}
		sorted := append([]float64(nil), values...)
		sort.Float64s(sorted)
		for _, k := range []int{2, 5, 9} {
			b, err := Classify(values, MethodJenks, k, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, want := ssdOf(sorted, b.Upper), quadraticJenks(sorted, k)
			if math.Abs(got-want) > 1e-6*(1+want) {
				t.Fatalf("trial %d k=%d: ssd %v, quadratic DP %v", trial, k, got, want)
			}
		}
	}
}

func benchValues(n int) []float64 {
	rng := rand.New(rand.NewSource(4500))
	values := make([]float64, n)
	for i := range values {
		values[i] = math.Round(math.Exp(rng.NormFloat64())*1000) / 10
	}
	return values
}

func BenchmarkJenks4500(b *testing.B) {
	values := benchValues(4500)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Classify(values, MethodJenks, 9, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkJenks4500Distinct(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	values := make([]float64, 4500)
	for i := range values {
		values[i] = rng.Float64() * 1000
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Classify(values, MethodJenks, 9, nil); err != nil {
			b.Fatal(err)
		}
	}
}
