package indicator

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// ChangeMode says how the change between two periods is measured.
type ChangeMode string

// Change modes: absolute is in the indicator's unit (points for a rate),
// relative in % of the first period's value.
const (
	ChangeAbsolute ChangeMode = "absolute"
	ChangeRelative ChangeMode = "relative"
)

// GapMode says how the women/men gap is measured.
type GapMode string

// Gap modes: the women/men ratio (1 = equality) or the difference women −
// men in the indicator's unit (0 = equality).
const (
	GapRatio      GapMode = "ratio"
	GapDifference GapMode = "difference"
)

// Combine derives one value from two through their Gate: the result is
// secret when either side is secret, missing when either has no figure (or
// f has none for them, as a division by zero), and otherwise published
// with f's figure. A derived figure therefore never involves a withheld
// one, so that a secret cannot be recovered by subtraction. The result
// keeps a's key and carries no counts.
func Combine(a, b Value, f func(x, y float64) (float64, bool)) Value {
	ra, x, okA := Gate(a)
	rb, y, okB := Gate(b)
	out := Value{Key: a.Key, Status: StatusPublished, Computed: true}
	switch {
	case ra.Status == StatusSecret || rb.Status == StatusSecret:
		out.Status = StatusSecret
		return out
	case !okA || !okB:
		out.Status = StatusMissing
		return out
	}
	z, ok := f(x, y)
	if !ok || math.IsNaN(z) || math.IsInf(z, 0) {
		out.Status = StatusMissing
		return out
	}
	out.Value = &z
	return out
}

// Change is the change from one period's value to another's (see Combine):
// to − from, or (to − from) / |from| × 100 when relative; a relative change
// from zero is missing.
func Change(from, to Value, mode ChangeMode) Value {
	v := Combine(to, from, func(t, f float64) (float64, bool) {
		if mode == ChangeRelative {
			if f == 0 {
				return 0, false
			}
			return (t - f) / math.Abs(f) * 100, true
		}
		return t - f, true
	})
	return v
}

// Gap is the women/men gap (see Combine): f / h or f − h; a ratio to zero
// is missing.
func Gap(women, men Value, mode GapMode) Value {
	return Combine(women, men, func(f, h float64) (float64, bool) {
		if mode == GapRatio {
			if h == 0 {
				return 0, false
			}
			return f / h, true
		}
		return f - h, true
	})
}

// Ranks ranks the publishable values as Rank does (1 = highest, ties share
// the best rank), all at once: code → rank, and the number ranked.
func Ranks(values []Value) (map[string]int, int) {
	type cv struct {
		code string
		v    float64
	}
	var xs []cv
	for _, v := range values {
		if _, x, ok := Gate(v); ok {
			xs = append(xs, cv{v.Code, x})
		}
	}
	sort.SliceStable(xs, func(i, j int) bool {
		if xs[i].v != xs[j].v {
			return xs[i].v > xs[j].v
		}
		return xs[i].code < xs[j].code
	})
	out := make(map[string]int, len(xs))
	r := 0
	for i, x := range xs {
		if i == 0 || xs[i-1].v != x.v {
			r = i + 1
		}
		out[x.code] = r
	}
	return out, len(xs)
}

// DivergingOptions are a diverging map's choices: the classification and
// the centre (0 for a change or a difference, 1 for a ratio).
type DivergingOptions struct {
	Method  Method
	Classes int
	Manual  []float64
	Centre  float64
	// Warm is the side drawn in warm colours: +1 the values above the
	// centre, -1 those below.
	Warm int
}

// WarmSide is the side of a change that is a worsening, drawn warm: above
// zero for a higher-is-worse (or neutral) indicator, below for a
// higher-is-better one.
func WarmSide(p Polarity) int {
	if p == HigherIsBetter {
		return -1
	}
	return 1
}

// DivergingPalettes names the two single-hue ColorBrewer schemes the sides
// of a diverging map are drawn with: Reds for the warm side, Blues for the
// other. Red against blue is ColorBrewer's RdBu pairing, rated colour-blind
// safe; each side darkens away from the centre.
var DivergingPalettes = [2]string{"reds", "blues"}

// BuildDiverging classifies values around a centre: the values below it
// and those above are classified separately (the classes split between the
// sides in proportion to their sizes, at least one each), so that the
// centre is always a class boundary and no class mixes a rise with a fall.
// A value at the centre (no change, equality) falls in the class that
// ends there, the lightest of its side. Manual breaks must include the
// centre. Colours darken away from the
// centre, warm on opt.Warm's side. Secret and missing values are classed
// as in BuildChoropleth.
func BuildDiverging(ind Indicator, values []Value, opt DivergingOptions) (Choropleth, error) {
	if err := checkClassification(opt.Method, opt.Classes, opt.Manual); err != nil {
		return Choropleth{}, err
	}
	items := make([]ClassedValue, len(values))
	figures := make([]float64, len(values))
	var below, above []float64
	for i, v := range values {
		rv, x, ok := Gate(v)
		items[i].Value = rv
		figures[i] = math.NaN()
		if ok {
			figures[i] = x
			if x <= opt.Centre {
				below = append(below, x)
			} else {
				above = append(above, x)
			}
		}
	}
	var c Choropleth
	var sideOf []int // -1 below, +1 above, per class
	switch {
	case len(below)+len(above) == 0:
		c.Colors = []string{}
		c.Note = "aucune valeur publiable : pas de classes"
	case opt.Method == MethodManual:
		at := sort.SearchFloat64s(opt.Manual, opt.Centre)
		if at == len(opt.Manual) || opt.Manual[at] != opt.Centre {
			return Choropleth{}, &FieldError{Field: "manual", Message: fmt.Sprintf("manual breaks of a diverging map must include the centre %g", opt.Centre)}
		}
		all := append(append([]float64(nil), below...), above...)
		b, err := Classify(all, MethodManual, opt.Classes, opt.Manual)
		if err != nil {
			return Choropleth{}, err
		}
		c.Breaks = &b
		for i := range b.Upper {
			if i <= at {
				sideOf = append(sideOf, -1)
			} else {
				sideOf = append(sideOf, 1)
			}
		}
	default:
		nb, na := splitClasses(opt.Classes, len(below), len(above))
		b := Breaks{Method: opt.Method, Requested: opt.Classes}
		for _, side := range []struct {
			xs   []float64
			k    int
			sign int
		}{{below, nb, -1}, {above, na, 1}} {
			if side.k == 0 {
				continue
			}
			sb, err := classifySide(side.xs, opt.Method, side.k)
			if err != nil {
				return Choropleth{}, err
			}
			if side.sign < 0 {
				b.Min = sb.Min
				// The centre closes the last class below it.
				sb.Upper[len(sb.Upper)-1] = opt.Centre
			} else if len(below) == 0 {
				b.Min = sb.Min
			}
			for range sb.Upper {
				sideOf = append(sideOf, side.sign)
			}
			b.Upper = append(b.Upper, sb.Upper...)
			b.Note = joinNotes(b.Note, sb.Note)
		}
		b.Classes = len(b.Upper)
		sorted := append(append([]float64(nil), below...), above...)
		sort.Float64s(sorted)
		b = b.finish(sorted)
		c.Breaks = &b
	}
	if c.Breaks != nil {
		var err error
		c.Colors, err = divergingColors(sideOf, opt.Warm)
		if err != nil {
			return Choropleth{}, err
		}
	}
	c.place(items, figures, ind.Decimals, ind.Unit)
	return c, nil
}

// classifySide classifies one side of the centre; a side given one class
// (Classify refuses fewer than two) spans its values.
func classifySide(xs []float64, m Method, k int) (Breaks, error) {
	if k >= MinClasses {
		return Classify(xs, m, k, nil)
	}
	lo, hi := slices.Min(xs), slices.Max(xs)
	return Breaks{Method: m, Min: lo, Upper: []float64{hi}, Classes: 1, Requested: 1}, nil
}

// splitClasses shares k classes between the two sides of the centre in
// proportion to their counts, at least one for a side with values.
func splitClasses(k, nBelow, nAbove int) (int, int) {
	switch {
	case nBelow == 0:
		return 0, k
	case nAbove == 0:
		return k, 0
	}
	b := int(math.Round(float64(k) * float64(nBelow) / float64(nBelow+nAbove)))
	b = max(1, min(k-1, b))
	return b, k - b
}

// divergingColors colours classes ordered low → high, sideOf giving each
// one's side: on each side the classes darken away from the centre.
func divergingColors(sideOf []int, warm int) ([]string, error) {
	nb := 0
	for _, s := range sideOf {
		if s < 0 {
			nb++
		}
	}
	na := len(sideOf) - nb
	pal := func(sign int) string {
		if sign == warm {
			return DivergingPalettes[0]
		}
		return DivergingPalettes[1]
	}
	var out []string
	if nb > 0 {
		cs, err := sideColors(pal(-1), nb)
		if err != nil {
			return nil, err
		}
		for i := len(cs) - 1; i >= 0; i-- { // darkest first: the lowest values
			out = append(out, cs[i])
		}
	}
	if na > 0 {
		cs, err := sideColors(pal(1), na)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

// sideColors is n colours of a sequential palette, light → dark; one
// class is the palette's light end, nearest the centre.
func sideColors(palette string, n int) ([]string, error) {
	if n == 1 {
		cs, err := Colors(palette, 3, HigherIsWorse)
		if err != nil {
			return nil, err
		}
		return cs[:1], nil
	}
	return Colors(palette, n, HigherIsWorse)
}

// BivariateColors is Joshua Stevens' 3 × 3 blue–purple bivariate scheme
// ("Bivariate Choropleth Maps: A How-to Guide", 2015,
// joshuastevens.net), indexed [b][a]: b the tercile of the second
// indicator (rows, bottom → top), a that of the first (columns, left →
// right). Its two axes are a cyan and a magenta ramp, which stay apart for
// the red–green colour-blind (deuteranopia, protanopia), unlike red–green
// bivariate schemes.
var BivariateColors = [3][3]string{
	{"#e8e8e8", "#ace4e4", "#5ac8c8"},
	{"#dfb0d6", "#a5add3", "#5698b9"},
	{"#be64ac", "#8c62aa", "#3b4994"},
}

// Correlation is a coefficient over n pairs; ok is false when it cannot
// be computed (fewer than three pairs, or a constant side).
type Correlation struct {
	Pearson  *float64 `json:"pearson"`
	Spearman *float64 `json:"spearman"`
	N        int      `json:"n"`
}

// Correlate computes Pearson's r and Spearman's ρ (Pearson's r of the
// ranks, ties getting their mean rank) of paired figures.
func Correlate(a, b []float64) Correlation {
	c := Correlation{N: len(a)}
	if len(a) != len(b) || len(a) < 3 {
		return c
	}
	if r, ok := pearson(a, b); ok {
		c.Pearson = &r
	}
	if r, ok := pearson(midRanks(a), midRanks(b)); ok {
		c.Spearman = &r
	}
	return c
}

func pearson(a, b []float64) (float64, bool) {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma, mb = ma/n, mb/n
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return 0, false
	}
	r := sab / math.Sqrt(saa*sbb)
	return math.Max(-1, math.Min(1, r)), true
}

// midRanks ranks xs from 1 (lowest), ties getting the mean of their ranks.
func midRanks(xs []float64) []float64 {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return xs[idx[i]] < xs[idx[j]] })
	out := make([]float64, len(xs))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && xs[idx[j+1]] == xs[idx[i]] {
			j++
		}
		r := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			out[idx[k]] = r
		}
		i = j + 1
	}
	return out
}

// CorrelationCaution is told beside every correlation coefficient, in the
// words of the workshop: what a coefficient over territories does not say.
func CorrelationCaution(n int) string {
	s := "Une corrélation n'est pas une causalité : deux indicateurs peuvent varier ensemble sous l'effet d'un troisième facteur (structure par âge, secteurs d'activité…). " +
		"Elle porte sur des territoires, non sur des personnes : en conclure un lien au niveau individuel serait une erreur écologique."
	if n < 30 {
		s += fmt.Sprintf(" Avec %d territoires seulement, le coefficient est très incertain.", n)
	}
	return s
}
