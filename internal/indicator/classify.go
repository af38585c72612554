package indicator

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Method is a classification method for a choropleth map.
type Method string

// Classification methods offered to analysts and workshop facilitators.
const (
	MethodQuantiles         Method = "quantiles"
	MethodJenks             Method = "jenks"
	MethodEqualIntervals    Method = "equal-intervals"
	MethodStandardDeviation Method = "standard-deviation"
	MethodManual            Method = "manual"
)

// Limits on the number of classes: one class is not a map, and beyond nine
// sequential colours cannot be told apart (ColorBrewer stops at nine too).
const (
	MinClasses = 2
	MaxClasses = 9
)

// Methods lists the methods in the order a menu should show them.
func Methods() []Method {
	return []Method{MethodQuantiles, MethodJenks, MethodEqualIntervals, MethodStandardDeviation, MethodManual}
}

// ParseMethod accepts a method identifier (case-insensitive, trimmed).
func ParseMethod(s string) (Method, error) {
	m := Method(strings.ToLower(strings.TrimSpace(s)))
	if validMethod(m) {
		return m, nil
	}
	return "", &FieldError{Field: "method", Message: fmt.Sprintf("unknown classification method %q (want one of %s)", s, joinStrings(Methods()))}
}

// Breaks describes the classes of a map. Class i holds the values v with
// Upper[i-1] < v <= Upper[i]; class 0 starts at Min. Upper is what a legend
// prints and what the front end turns into a MapLibre "step" expression.
type Breaks struct {
	Method Method    `json:"method"`
	Min    float64   `json:"min"`
	Upper  []float64 `json:"upper"`
	// Classes is len(Upper). It can be lower than Requested when the data
	// cannot fill that many classes (ties, few distinct values, standard
	// deviation classes outside the data range); Note then says why, so
	// the legend can tell the workshop rather than silently change.
	Classes   int    `json:"classes"`
	Requested int    `json:"requested"`
	Note      string `json:"note,omitempty"`
	// Counts is the number of values in each class, for the legend.
	Counts []int `json:"counts"`
}

// Reduced reports whether fewer classes than requested were produced.
func (b Breaks) Reduced() bool { return b.Classes < b.Requested }

// ClassOf returns the class index of v. Values outside [Min, max] are put in
// the first or last class, so that breaks fixed on one vintage can colour
// another; NaN has no class and gives -1.
func (b Breaks) ClassOf(v float64) int {
	if math.IsNaN(v) || len(b.Upper) == 0 {
		return -1
	}
	i := sort.SearchFloat64s(b.Upper, v)
	if i == len(b.Upper) {
		i--
	}
	return i
}

// Classify splits values into classes with the given method. manual holds
// the classes-1 inner breaks of the manual method and must be empty for the
// others. Errors are *FieldError naming the parameter at fault.
//
// Except for manual breaks, which the user chose on purpose (typically to
// keep the same classes across vintages), the number of classes is capped
// by the number of distinct values and empty classes caused by ties are
// dropped; the result says so in Note.
func Classify(values []float64, method Method, classes int, manual []float64) (Breaks, error) {
	if err := checkClassification(method, classes, manual); err != nil {
		return Breaks{}, err
	}
	if len(values) == 0 {
		return Breaks{}, &FieldError{Field: "values", Message: "nothing to classify"}
	}
	sorted := make([]float64, len(values))
	for i, v := range values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return Breaks{}, &FieldError{Field: fmt.Sprintf("values[%d]", i), Message: "is not a finite number"}
		}
		sorted[i] = v
	}
	sort.Float64s(sorted)
	lo, hi := sorted[0], sorted[len(sorted)-1]

	b := Breaks{Method: method, Min: lo, Requested: classes}
	if method == MethodManual {
		b.Min = math.Min(lo, manual[0])
		b.Upper = append(append([]float64(nil), manual...), math.Max(hi, manual[len(manual)-1]))
		return b.finish(sorted), nil
	}

	distinct := 1
	for i := 1; i < len(sorted); i++ {
		if sorted[i] != sorted[i-1] {
			distinct++
		}
	}
	k := classes
	if distinct < k {
		k = distinct
		b.Note = fmt.Sprintf("only %d distinct value(s): %d class(es) instead of %d", distinct, k, classes)
	}
	if k == 1 {
		b.Upper = []float64{hi}
		return b.finish(sorted), nil
	}

	var inner []float64 // candidate inner breaks, increasing
	switch method {
	case MethodQuantiles:
		n := len(sorted)
		for i := 1; i < k; i++ {
			// Upper bound of class i = the largest of the first i·n/k
			// values, so each class holds about n/k territories and
			// every bound is an observed value.
			r := int(math.Ceil(float64(i) * float64(n) / float64(k)))
			inner = append(inner, sorted[r-1])
		}
	case MethodEqualIntervals:
		w := (hi - lo) / float64(k)
		for i := 1; i < k; i++ {
			inner = append(inner, lo+float64(i)*w)
		}
	case MethodStandardDeviation:
		inner = stdDevBreaks(sorted, k)
	case MethodJenks:
		inner = jenks(sorted, k)
	}

	// Drop the breaks that would leave a class empty: repeated bounds
	// (ties in quantiles) and bounds outside the data range (standard
	// deviation classes far from the mean).
	prev := math.Inf(-1)
	for _, x := range inner {
		if x <= prev || x < lo || x >= hi {
			continue
		}
		b.Upper = append(b.Upper, x)
		prev = x
	}
	b.Upper = append(b.Upper, hi)
	if len(b.Upper) < k {
		reason := "tied values"
		if method == MethodStandardDeviation {
			reason = "standard-deviation bounds outside the data range"
		}
		b.Note = joinNotes(b.Note, fmt.Sprintf("%s: %d class(es) instead of %d", reason, len(b.Upper), k))
	}
	return b.finish(sorted), nil
}

func validMethod(m Method) bool {
	for _, k := range Methods() {
		if m == k {
			return true
		}
	}
	return false
}

func (b Breaks) finish(sorted []float64) Breaks {
	b.Classes = len(b.Upper)
	b.Counts = make([]int, b.Classes)
	for _, v := range sorted {
		b.Counts[b.ClassOf(v)]++
	}
	return b
}

func joinNotes(a, c string) string {
	if a == "" {
		return c
	}
	return a + "; " + c
}

// checkClassification validates the user's choices (method, number of
// classes, manual breaks) independently of the values, so that a map with
// no publishable value still rejects bad options.
func checkClassification(method Method, classes int, manual []float64) error {
	if !validMethod(method) {
		return &FieldError{Field: "method", Message: fmt.Sprintf("unknown classification method %q (want one of %s)", method, joinStrings(Methods()))}
	}
	if classes < MinClasses || classes > MaxClasses {
		return &FieldError{Field: "classes", Message: fmt.Sprintf("must be between %d and %d, got %d", MinClasses, MaxClasses, classes)}
	}
	if method != MethodManual {
		if len(manual) > 0 {
			return &FieldError{Field: "manual", Message: fmt.Sprintf("breaks are only accepted with method %q, not %q", MethodManual, method)}
		}
		return nil
	}
	return checkManual(manual, classes)
}

func checkManual(manual []float64, classes int) error {
	if len(manual) != classes-1 {
		return &FieldError{Field: "manual", Message: fmt.Sprintf("%d classes need %d inner breaks, got %d", classes, classes-1, len(manual))}
	}
	for i, x := range manual {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return &FieldError{Field: fmt.Sprintf("manual[%d]", i), Message: "is not a finite number"}
		}
		if i > 0 && x <= manual[i-1] {
			return &FieldError{Field: fmt.Sprintf("manual[%d]", i), Message: fmt.Sprintf("breaks must be strictly increasing (%v after %v)", x, manual[i-1])}
		}
	}
	return nil
}

// stdDevBreaks returns classes one standard deviation wide, centred on the
// mean: with an even number of classes the mean is a break (mean ± j·sd),
// with an odd number the middle class straddles the mean (mean ± (j+½)·sd).
// The population standard deviation is used because the territories of the
// map are the whole population being described, not a sample.
func stdDevBreaks(sorted []float64, k int) []float64 {
	n := float64(len(sorted))
	var mean float64
	for _, v := range sorted {
		mean += v
	}
	mean /= n
	var ss float64
	for _, v := range sorted {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / n)
	out := make([]float64, 0, k-1)
	for i := 1; i < k; i++ {
		// i - k/2 runs symmetrically around 0 in steps of 1: integers
		// for even k, half-integers for odd k.
		out = append(out, mean+(float64(i)-float64(k)/2)*sd)
	}
	return out
}

// jenks returns the k-1 inner breaks (upper bounds of the first k-1
// classes) of the Fisher-Jenks optimal partition of sorted values: the one
// minimising the total within-class sum of squared deviations.
//
// It is the exact dynamic programme of Fisher (1958) / Jenks (1977),
// D[c][j] = min_i D[c-1][i-1] + SSD(i..j), computed on the distinct values
// weighted by their multiplicity (ties are never split between classes,
// and n shrinks), with prefix sums giving SSD in O(1) on values centred on
// their mean (against cancellation). Because SSD of an interval satisfies
// the Monge (quadrangle) inequality, the optimal split point is monotone in
// j, so each row is filled by divide and conquer in O(n log n) instead of
// O(n²) (Grønlund et al., "Fast exact k-means, k-medians and Bregman
// divergence clustering in 1D", 2017); the result is still the exact
// optimum.
func jenks(sorted []float64, k int) []float64 {
	// Distinct values with weights.
	xs := make([]float64, 0, len(sorted))
	ws := make([]float64, 0, len(sorted))
	for i, v := range sorted {
		if i > 0 && v == sorted[i-1] {
			ws[len(ws)-1]++
			continue
		}
		xs = append(xs, v)
		ws = append(ws, 1)
	}
	m := len(xs)
	if k > m {
		k = m
	}
	var mean float64
	for _, v := range sorted {
		mean += v
	}
	mean /= float64(len(sorted))
	// Prefix sums over 1..m; index 0 is the empty prefix.
	W := make([]float64, m+1)
	S1 := make([]float64, m+1)
	S2 := make([]float64, m+1)
	for i := 0; i < m; i++ {
		d := xs[i] - mean
		W[i+1] = W[i] + ws[i]
		S1[i+1] = S1[i] + ws[i]*d
		S2[i+1] = S2[i] + ws[i]*d*d
	}
	// ssd of distinct values i..j, 1-based inclusive.
	ssd := func(i, j int) float64 {
		w := W[j] - W[i-1]
		s := S1[j] - S1[i-1]
		r := S2[j] - S2[i-1] - s*s/w
		if r < 0 {
			return 0
		}
		return r
	}

	prev := make([]float64, m+1)
	cur := make([]float64, m+1)
	// start[c][j]: first distinct value (1-based) of class c in the best
	// partition of 1..j into c+1 classes.
	start := make([][]int32, k)
	for j := 1; j <= m; j++ {
		prev[j] = ssd(1, j)
	}
	var fill func(c, jlo, jhi, olo, ohi int)
	fill = func(c, jlo, jhi, olo, ohi int) {
		if jlo > jhi {
			return
		}
		mid := (jlo + jhi) / 2
		best, bestI := math.Inf(1), -1
		hiI := ohi
		if hiI > mid {
			hiI = mid
		}
		loI := olo
		if loI < c+1 {
			loI = c + 1
		}
		for i := loI; i <= hiI; i++ {
			if v := prev[i-1] + ssd(i, mid); v < best {
				best, bestI = v, i
			}
		}
		cur[mid] = best
		start[c][mid] = int32(bestI)
		fill(c, jlo, mid-1, olo, bestI)
		fill(c, mid+1, jhi, bestI, ohi)
	}
	for c := 1; c < k; c++ {
		start[c] = make([]int32, m+1)
		for j := range cur {
			cur[j] = math.Inf(1)
		}
		// c+1 classes need at least c+1 distinct values.
		fill(c, c+1, m, c+1, m)
		prev, cur = cur, prev
	}

	inner := make([]float64, k-1)
	j := m
	for c := k - 1; c >= 1; c-- {
		i := int(start[c][j])
		inner[c-1] = xs[i-2] // last value of the previous class
		j = i - 1
	}
	return inner
}
